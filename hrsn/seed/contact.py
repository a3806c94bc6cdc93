"""Demo data of the contact step: outreach on every referral, casework while a case is open, consent in every
state, severity at first reach, and members marked unable to reach (reported to the payer or not yet)."""
from datetime import timedelta

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (Consent, ContactAttempt, SeverityAssessment, UnableToReach, MessageTemplate,
                         fill_template)
from hrsn.seed.bulk import BATCH, business_day

# Showcase referrals still new walk the rule: (methods of the attempts so far, marked unable to reach).
NEW_STATES = [
    ([], False), (["phone"], False), (["phone", "text"], False), (["phone", "phone", "phone"], False),
    (["phone", "text", "phone"], False), (["phone", "text", "mail"], True),
]
CONSENT_KINDS = ["valid", "valid", "expired", "withdrawn", "none"]
NOTES = {"no_answer": "No answer, no voicemail set up.", "voicemail": "Left a voicemail with the callback number.",
         "reached": "Talked about the rent owed and the documents needed."}
CASEWORK = {"tenancy": "Checked in on the lease and the landlord; no new notices.",
            "navigation": "Went over the documents still missing and the payer's next step.",
            "outreach": "Reminded the member of the next appointment.",
            "admin": "Updated the member's contact details."}
# (method, weight) and (activity, weight) of the contacts while a case is open.
CASE_METHODS = [("phone", 45), ("in_person", 20), ("text", 15), ("email", 10), ("video", 5), ("mail", 5)]
CASE_ACTIVITIES = [("tenancy", 40), ("navigation", 40), ("outreach", 10), ("admin", 10)]


class _Log:
    """Contacts waiting for their ids (severity, the audit trail and the unable marks need them)."""

    def __init__(self, ctx):
        self.ctx, self.rows, self.after = ctx, [], []

    def add(self, row, author, then=None):
        self.rows.append(row)
        self.after.append((author, then))
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self):
        ids = self.ctx.writer.returning(ContactAttempt, self.rows)
        for contact_id, row, (author, then) in zip(ids, self.rows, self.after):
            self.ctx.audit(row["created_at"] - timedelta(minutes=1), author, "view", row["member_id"], "contact")
            self.ctx.audit(row["created_at"], author, "create", row["member_id"], "ContactAttempt", contact_id,
                           {"method": [None, row["method"]], "outcome": [None, row["outcome"]]})
            if then:
                then(contact_id)
        self.rows, self.after = [], []


def seed(ctx, people) -> None:
    rng, clock = ctx.rng("contact"), ctx.clock
    log = _Log(ctx)
    templates = {(t.channel, t.language): t for t in db.session.scalars(db.select(MessageTemplate))}
    org = {"org_name": settings.get("org_name"), "org_phone": settings.get("org_phone") or "(503) 555-0100",
           "callback_hours": settings.get("callback_hours") or "9-5"}
    turns = {"new": 0, "consent": 0, "owed": [], "assessed": set()}
    for person in ctx.progress("Contacts, consents, unable to reach", people):
        for episode in person.episodes:
            author = episode.assignee or ctx.staff["coordinator"]
            message = _messenger(person, author, templates, org)
            if episode.fate == "new" and episode.showcase is not None:
                methods, unable = NEW_STATES[turns["new"] % len(NEW_STATES)]
                turns["new"] += 1
                attempts = _spread(clock, episode.received, methods)
                unable = unable and len(attempts) == len(methods)
            elif episode.fate == "unable":
                attempts = _outreach(rng, clock, episode.received, _unable_methods(rng), reach=False)
                unable = len(attempts) >= 3
            elif episode.fate == "new":
                count = min(clock.age(episode.received) // 2, rng.choice([0, 1, 1, 2]))
                attempts, unable = _outreach(rng, clock, episode.received, ["phone", "text"][:count], False), False
            elif episode.fate == "redirected" and rng.random() < .5:
                attempts, unable = [], False
            else:
                failed = rng.choice([[], [], ["phone"], ["text", "phone"], ["phone", "voicemail", "text"]])
                attempts, unable = _outreach(rng, clock, episode.received, failed + ["phone"], reach=True), False
            for moment, method, outcome in attempts:
                log.add(_row(person, author, moment, method, outcome, rng, clock, message), author,
                        _on_reach(ctx, rng, person, episode, author, moment, turns) if outcome == "reached" else None)
            if unable and attempts:
                _unable(ctx, rng, person, episode, author, attempts)
            if episode.reached and episode.fate in ("enrolled", "served", "waitlist"):
                end = episode.ends if episode.fate == "served" else clock.today
                if person.latest.again and episode is not person.latest:
                    end = person.latest.received - timedelta(days=1)     # not heard from since it came
                for moment, method, direction, outcome, activity in _casework(rng, clock, episode, end):
                    log.add(_row(person, author, moment, method, outcome, rng, clock, None, direction, activity),
                            author)
    log.flush()
    ctx.writer.flush()


def _spread(clock, received, methods) -> list[tuple]:
    """Attempts spread from the referral's morning to an hour ago, at office hours where there is room."""
    start = clock.at(received, 9.5)
    end = clock.now - timedelta(hours=1)
    if not methods or end <= start:
        return []
    step = (end - start) / len(methods)
    moments = []
    for k in range(len(methods)):
        day = clock.day_of(start + step * k)
        moments.append(max(start, min(clock.at(day, 9 + (k * 3) % 8 + .25), end)))
    outcomes = ["no_answer" if method != "phone" or k % 2 else "voicemail" for k, method in enumerate(methods)]
    return list(zip(sorted(moments), methods, outcomes))


def _outreach(rng, clock, received, methods, reach) -> list[tuple]:
    """One attempt every one to three business days from the referral's day. With `reach`, the last attempt
    made by today reaches the member (at least one is made, the same day if need be)."""
    attempts, day = [], business_day(received, rng.randint(0, 1))
    for method in methods:
        if day > clock.today:
            if attempts or not reach:
                break
            day = clock.today
        moment = clock.office(day, rng)
        if attempts and moment <= attempts[-1][0]:
            break
        voicemail = method == "voicemail"
        attempts.append((moment, "phone" if voicemail else method, "voicemail" if voicemail else "no_answer"))
        day = business_day(day, rng.randint(1, 3))
    if reach and attempts:
        attempts[-1] = (*attempts[-1][:2], "reached")
    return attempts


def _unable_methods(rng) -> list[str]:
    return rng.choice([["phone", "text", "phone"], ["phone", "text", "mail"], ["phone", "voicemail", "text", "mail"],
                       ["text", "phone", "phone", "email", "phone"]])


def _casework(rng, clock, episode, end):
    """Check-ins, navigation and tenancy support every one to two weeks while the case is open (once a
    month while on the waitlist)."""
    day = clock.day_of(episode.reached)
    gap = (20, 35) if episode.fate == "waitlist" else (6, 16)
    while True:
        day = business_day(day + timedelta(days=rng.randint(*gap)), 0)
        if day > end or day > clock.today:
            return
        moment = clock.office(day, rng)
        if moment >= clock.now:
            return
        method = _weighted(rng, CASE_METHODS)
        inbound = method in ("phone", "in_person") and rng.random() < .2
        outcome = "reached" if inbound or rng.random() < .8 else rng.choice(["no_answer", "voicemail"])
        if outcome == "voicemail" and method != "phone":
            outcome = "no_answer" if method in ("video", "in_person") else "message_sent"
        yield moment, method, "inbound" if inbound else "outbound", outcome, _weighted(rng, CASE_ACTIVITIES)


def _weighted(rng, pairs):
    return rng.choices([v for v, _w in pairs], [w for _v, w in pairs])[0]


def _messenger(person, author, templates, org):
    """The scripted message of a text or email attempt, in the member's language, as the desk fills it."""
    language = "es" if person.row["preferred_language"] == "es" else "en"
    values = dict(org, member_first_name=person.row["first_name"], case_manager_name=author.name)

    def message(method):
        if method not in ("email", "text"):
            return None, None
        template = templates[(method, language)]
        return (fill_template(template.subject, values) if method == "email" else None,
                fill_template(template.body, values))
    return message


def _row(person, author, moment, method, outcome, rng, clock, message, direction="outbound",
         activity="outreach") -> dict:
    if method == "email" and not person.row["email"]:
        method = "mail"
    reached = outcome == "reached"
    interpreter = reached and person.row["interpreter_needed"]
    subject, text = message(method) if message else (None, None)
    note = CASEWORK[activity] if activity != "outreach" and reached else NOTES.get(outcome)
    return dict(member_id=person.id, at=moment, method=method, direction=direction, outcome=outcome,
                minutes=rng.randint(15, 50) if reached else rng.randint(2, 8), activity=activity,
                interpreter_used=interpreter, interpreter_language="Spanish" if interpreter else None, note=note,
                message_subject=subject, message_text=text, author_id=author.id,
                created_at=min(moment + timedelta(minutes=rng.randint(1, 20)), clock.now), updated_at=None)


def _on_reach(ctx, rng, person, episode, author, moment, turns):
    """Once the reaching contact has its id: severity (once per member), and consent for the case."""
    episode.reached = moment
    fresh = person.index not in turns["assessed"]
    turns["assessed"].add(person.index)
    kind = None
    if episode.fate in ("enrolled", "served", "waitlist"):
        kind = _consent_kind(ctx, rng, episode, moment, turns)

    def then(contact_id):
        if fresh:
            urgent = rng.random() < .3
            ctx.writer.add(SeverityAssessment, member_id=person.id, contact_id=contact_id, recorded_by_id=author.id,
                           housing_urgency="immediate" if urgent else rng.choice(["soon", "stable"]),
                           safety_concern=False, safety_note=None, note=None,
                           language_needs="Spanish, interpreter" if person.row["interpreter_needed"] else None,
                           recorded_at=min(moment + timedelta(minutes=30), ctx.clock.now))
        if kind and kind != "none":
            _consent(ctx, rng, person, author, moment, kind)
    return then


def _consent_kind(ctx, rng, episode, moment, turns) -> str:
    if episode.showcase is None:
        return rng.choices(["valid", "withdrawn", "none"], [87, 5, 8])[0]
    kind = CONSENT_KINDS[turns["consent"] % len(CONSENT_KINDS)]
    turns["consent"] += 1
    # A consent reached too recently to have expired owes "expired" to the next showcase member.
    expirable = ctx.clock.age(ctx.clock.day_of(moment)) > 31
    if kind == "expired" and not expirable:
        turns["owed"].append(kind)
        return "valid"
    if kind == "valid" and turns["owed"] and expirable:
        return turns["owed"].pop()
    return kind


def _consent(ctx, rng, person, author, moment, kind):
    clock = ctx.clock
    given = clock.day_of(moment)
    # A verbal consent taken on the phone is good for 30 days, until the signed form comes back.
    expires = given + timedelta(days=30 if kind == "expired" else 365)
    withdrawn = None
    if kind == "withdrawn":
        withdrawn = given + timedelta(days=rng.randint(0, max(0, min(clock.age(given), 300))))
    recorded = min(moment + timedelta(minutes=20), clock.now)
    ctx.writer.add(Consent, member_id=person.id, given_on=given, form="verbal" if kind == "expired" else
                   rng.choice(["verbal", "signed"]),
                   scope="Health plan (CCO), landlord and utility company, to arrange rent and utility help",
                   expires_on=expires, recorded_by_id=author.id, recorded_at=recorded, withdrawn_on=withdrawn,
                   withdrawn_note="Asked us to stop sharing with the landlord." if withdrawn else None,
                   withdrawn_by_id=author.id if withdrawn else None)
    ctx.audit(recorded, author, "create", person.id, "Consent")
    if withdrawn:
        ctx.audit(max(recorded, clock.at(withdrawn, 14)), author, "update", person.id, "Consent")


def _unable(ctx, rng, person, episode, author, attempts):
    clock = ctx.clock
    marked = min(business_day(clock.day_of(attempts[-1][0]), 1), clock.today)
    closed = episode.status == "closed"
    # Closed referrals were reported to the payer; of the open ones, the showcase's are still to report.
    told = closed or (episode.showcase is None and rng.random() < .3)
    reported = min(marked + timedelta(days=rng.randint(1, 10)), clock.today) if told else None
    ctx.writer.add(UnableToReach, member_id=person.id, referral_id=episode.id, marked_on=marked,
                   marked_by_id=author.id, attempts=len(attempts), methods=len({a[1] for a in attempts}),
                   reported_on=reported, reported_by_id=author.id if reported else None)
    ctx.audit(max(attempts[-1][0], clock.at(marked, 9)), author, "create", person.id, "UnableToReach")
    if reported:
        ctx.audit(clock.at(reported, 15), author, "update", person.id, "UnableToReach")
