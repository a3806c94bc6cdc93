"""Demo members and their referrals in: who came when, and where each referral stands today.

The first SHOWCASE members are recent and go round every queue and state (a small demo shows every screen);
the others are the agency's history, spread over the years with more referrals in recent years than in
early ones, some members coming back with a new referral years after their first case closed."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hrsn.models import Member, Payer, Referral, ServiceType, name_key
from hrsn.models.intake import SOURCES, referral_service
from hrsn.extensions import db

PAYERS = [("Trillium Community Health Plan", "cco"), ("PacificSource Community Solutions", "cco"),
          ("Health Share of Oregon", "cco"), ("Open Card (OHA fee-for-service)", "open_card")]


def payers() -> None:
    """The demo agency works with Oregon's payers: the day-one placeholders are renamed, the rest added."""
    existing = db.session.scalars(db.select(Payer).order_by(Payer.id)).all()
    for payer, (name, kind) in zip(existing, PAYERS):
        payer.name, payer.kind = name, kind
    db.session.add_all(Payer(name=name, kind=kind) for name, kind in PAYERS[len(existing):])
    db.session.flush()

FIRST_ES = ["María", "José", "Guadalupe", "Juan", "Rosa", "Luis", "Ana", "Jesús", "Carmen", "Miguel",
            "Verónica", "Óscar", "Sofía", "Héctor", "Lucía", "Ramón", "Beatriz", "Raúl", "Elena", "Tomás"]
LAST_ES = ["García", "Hernández", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
           "Ramírez", "Flores", "Núñez", "Ortiz", "Jiménez", "Castillo", "Peña"]
FIRST_EN = ["James", "Mary", "Robert", "Patricia", "Michael", "Linda", "David", "Barbara", "Sarah",
            "Kevin", "Emily", "Brian", "Megan", "Jason", "Ashley", "Tyler", "Nicole", "Dylan", "Amber", "Cody"]
LAST_EN = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
           "Taylor", "Thomas", "Moore", "O'Brien", "Nguyen", "Clark-Lee"]
CITIES = [("Salem", "97301"), ("Eugene", "97402"), ("Portland", "97206"), ("Medford", "97501"),
          ("Bend", "97701"), ("Corvallis", "97330")]
SHOWCASE = 40
SHOWCASE_STATUSES = ["new", "new", "waitlist", "enrolled", "enrolled", "enrolled", "enrolled", "declined",
                     "redirected", "closed"]
# Where a referral of a given age stands today: (fate, weight). A "case" is accepted and worked on for
# three to eight months; "unable" was never reached.
FATES = [(7, [("new", 55), ("enrolled", 25), ("waitlist", 10), ("declined", 5), ("redirected", 5)]),
         (45, [("new", 4), ("waitlist", 14), ("case", 60), ("unable", 8), ("declined", 7), ("redirected", 7)]),
         (90, [("waitlist", 4), ("case", 72), ("unable", 10), ("declined", 7), ("redirected", 7)]),
         (None, [("case", 72), ("unable", 12), ("declined", 8), ("redirected", 8)])]
PAST_FATES = [("served", 65), ("unable", 12), ("declined", 11), ("redirected", 12)]
STATUS_OF = {"new": "new", "waitlist": "waitlist", "enrolled": "enrolled", "served": "closed",
             "declined": "declined", "redirected": "redirected"}
OPEN = ("new", "waitlist", "enrolled")


@dataclass
class Episode:
    """One referral of a member, planned before anything is written."""
    person: "Person"
    received: date
    fate: str                    # new, waitlist, enrolled, served, unable, declined, redirected
    status: str                  # the referral's status today
    services: list[str]
    ends: date | None = None     # served: the day the case closed
    showcase: int | None = None  # the showcase member's number, None for history
    assigned: bool = True
    assignee: object = None      # the User working on it
    again: bool = False          # a second referral that came while the member's case was open
    id: int | None = None
    # Filled in by triage and contact, for the steps after them.
    accepted: datetime | None = None
    reached: datetime | None = None


@dataclass
class Person:
    index: int
    spanish: bool
    episodes: list[Episode] = field(default_factory=list)    # oldest first
    row: dict = field(default_factory=dict)
    id: int | None = None

    @property
    def latest(self) -> Episode:
        return self.episodes[-1]

    @property
    def assignee(self):
        return next((e.assignee for e in reversed(self.episodes) if e.assignee is not None), None)


def plan(ctx) -> list[Person]:
    """Every member's referrals, dates and fates, in memory; nothing is written yet."""
    rng, clock = ctx.rng("intake"), ctx.clock
    span = (clock.today - clock.start).days
    people = []
    for i in ctx.progress("Planning members and referrals", range(ctx.members)):
        person = Person(i, i % 2 == 0 if i < SHOWCASE else rng.random() < .45)
        if i < SHOWCASE:
            latest = _showcase_episode(person, i, rng, clock)
        else:
            received = clock.today - timedelta(days=round((1 - _recent_leaning(rng.random())) * span))
            latest = _episode(person, received, _pick(rng, _fates_at(clock.age(received))), rng, clock)
        person.episodes.append(latest)
        returns = (i % 8 == 5) if i < SHOWCASE else rng.random() < .3
        while returns and len(person.episodes) < 3:
            earlier = _earlier(person, person.episodes[0].received, rng, clock)
            if earlier is None:
                break
            person.episodes.insert(0, earlier)
            returns = rng.random() < .2
        people.append(person)
    # Duplicates in waiting: a second referral for two members already enrolled.
    for person in [p for p in people[:SHOWCASE] if p.latest.fate == "enrolled"][:2]:
        again = Episode(person, clock.today - timedelta(days=rng.randint(0, 3)), "new", "new", ["rent"],
                        showcase=person.index, again=True)
        person.episodes.append(again)
    return people


def _recent_leaning(u: float) -> float:
    """A point of [0, 1] drawn with density rising linearly (three times as likely at 1 as at 0)."""
    return ((1 + 8 * u) ** .5 - 1) / 2


def _pick(rng, weighted):
    return rng.choices([f for f, _w in weighted], [w for _f, w in weighted])[0]


def _fates_at(age: int):
    return next(fates for limit, fates in FATES if limit is None or age <= limit)


def _episode(person, received, fate, rng, clock, showcase=None) -> Episode:
    ends = None
    if fate in ("case", "served"):
        ends = received + timedelta(days=5 + rng.randint(90, 240))
        if fate == "case":
            fate = "enrolled" if ends >= clock.today else "served"
            ends = ends if fate == "served" else None
    # Members never reached stay new for a month (still on the list to report to the payer), then close.
    status = STATUS_OF.get(fate) or ("new" if clock.age(received) <= 30 else "closed")
    rent = rng.random() < .7
    services = ["rent" if rent else "utility"]
    if rng.random() < .3:
        services.append(rng.choice(["move_in", "tenancy", "storage"] if rent else ["climate", "home_mod"]))
    assigned = rng.random() < (.4 if fate == "new" else .5 if fate in ("declined", "redirected") else 1)
    return Episode(person, received, fate, status, services, ends, showcase, assigned)


def _showcase_episode(person, i, rng, clock) -> Episode:
    """Today's small demo: the statuses in turn, received in the last four months."""
    status = SHOWCASE_STATUSES[i % len(SHOWCASE_STATUSES)]
    fate = {"closed": "unable"}.get(status, status)
    # Room for the outreach attempts each state needs; half the new ones arrived this week.
    days = {"new": (2, 6) if i % 10 == 0 else (7, 60), "closed": (30, 120)}.get(status, (0, 120))
    received = clock.today - timedelta(days=rng.randint(*days))
    episode = _episode(person, received, fate, rng, clock, showcase=i)
    episode.status = status
    episode.assigned = status != "new" or rng.random() < .3
    return episode


def _earlier(person, before: date, rng, clock) -> Episode | None:
    """A referral that came and closed at least a year before the next one, if the years leave room."""
    latest_start = before - timedelta(days=400)
    if latest_start < clock.start + timedelta(days=30):
        return None
    received = latest_start - timedelta(days=rng.randint(0, min(4 * 365, (latest_start - clock.start).days)))
    episode = _episode(person, received, _pick(rng, PAST_FATES), rng, clock)
    if episode.fate == "served":
        episode.ends = min(episode.ends, before - timedelta(days=60))
    return episode


def write(ctx, people: list[Person]) -> None:
    """Insert the members, then their referrals and services; the ids come back onto the plan."""
    rng, clock, staff = ctx.rng("intake-rows"), ctx.clock, ctx.staff
    payers = ctx.lookup(Payer, "id")
    services = ctx.lookup(ServiceType, "code")
    sources = list(SOURCES)
    medicaid_ids = rng.sample(range(10 ** 7, 10 ** 8), len(people))
    seen = set()
    for person in ctx.progress("Members", people):
        person.row = _member_row(person, rng, clock, medicaid_ids[person.index], seen, staff)
    rows = [p.row for p in people]
    for person, member_id in zip(people, ctx.writer.returning(Member, rows)):
        person.id = member_id
    episodes = [e for p in people for e in p.episodes]
    external = rng.sample(range(100000, 1000000), len(episodes))
    referral_rows = []
    for n, episode in enumerate(episodes):
        referral_rows.append(_referral_row(episode, n, rng, clock, payers, sources, external[n], staff))
    for episode, referral_id in zip(episodes, ctx.writer.returning(Referral, referral_rows)):
        episode.id = referral_id
        for code in episode.services:
            ctx.writer.add(referral_service, referral_id=referral_id, service_type_id=services[code])
    ctx.writer.flush()


def _member_row(person, rng, clock, medicaid, seen, staff) -> dict:
    i, spanish = person.index, person.spanish
    first = rng.choice(FIRST_ES if spanish else FIRST_EN)
    last = rng.choice(LAST_ES if spanish else LAST_EN)
    # The same name and birth date would be a duplicate record; real duplicates are the intake step's business.
    while True:
        dob = date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
        if (name_key(first, last), dob) not in seen:
            break
    seen.add((name_key(first, last), dob))
    city, postal = rng.choice(CITIES)
    assignee = person.assignee
    return dict(
        first_name=first, last_name=last, name_key=name_key(first, last), dob=dob, medicaid_id=f"OR{medicaid}",
        phone=f"(503) 555-{rng.randint(0, 9999):04d}",
        email=f"{first[0].lower()}.{i}@example.org" if rng.random() < .6 else None,
        address=f"{rng.randint(100, 9999)} {rng.choice(['Oak', 'Pine', 'Main', 'Lancaster', 'Center'])} St",
        city=city, state="OR", postal_code=postal, preferred_language="es" if spanish else "en",
        interpreter_needed=spanish and rng.random() < .5, best_way_to_reach=rng.choice(["phone", "text", "email"]),
        best_time_to_reach=rng.choice(["Mornings", "After 5 pm", "Weekdays 9-12", ""]) or None,
        household_size=rng.randint(1, 6), monthly_income_cents=rng.randint(0, 3200) * 100,
        assignee_id=assignee.id if assignee else None,
        created_at=clock.office(person.episodes[0].received, rng), created_by_id=staff["coordinator"].id)


def _referral_row(episode, n, rng, clock, payers, sources, external, staff) -> dict:
    rent = "rent" in episode.services
    recent = episode.status in OPEN
    if episode.showcase is not None and recent:
        notice = clock.today + timedelta(days=rng.randint(-3, 40)) if rng.random() < .4 else None
    else:
        notice = episode.received + timedelta(days=rng.randint(0, 45)) if rng.random() < .4 else None
    payer_ids = list(payers.values())
    return dict(
        member_id=episode.person.id, received_on=episode.received, source=sources[(n * 3) % len(sources)],
        payer_id=payer_ids[(n * 7) % len(payer_ids)], external_id=f"UU-{external}",
        rent_months_owed=rng.randint(1, 4) if rent else None,
        rent_per_month_cents=rng.randint(900, 1800) * 100 if rent else None,
        utility_owed_cents=None if rent else rng.randint(150, 900) * 100, notice_date=notice,
        current_needs="Behind on rent after losing hours at work." if rent else
        "Shut-off notice from the electric company.",
        status=episode.status, taken_by_id=staff["coordinator"].id,
        created_at=clock.office(episode.received, rng))


def open_caseload(people: list[Person]) -> int:
    """Members whose latest referral is still open and who will be someone's: what sizes the team."""
    return sum(1 for p in people if p.latest.status in OPEN and any(e.assigned for e in p.episodes))


def assign(people: list[Person], case_managers: list) -> None:
    """Showcase members alternate between the first two case managers; history goes round the whole team."""
    turn = 0
    for person in people:
        for episode in person.episodes:
            if not episode.assigned:
                continue
            if episode.showcase is not None:
                episode.assignee = case_managers[episode.showcase % 2]
            else:
                episode.assignee = case_managers[turn % len(case_managers)]
                turn += 1
