"""Demo members and their referrals in, in every queue."""
from datetime import date, timedelta

from hrsn.extensions import db
from hrsn.models import local_today
from hrsn.models import Member, Payer, Referral, ServiceType
from hrsn.models.intake import SOURCES

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
STATUSES = ["new", "new", "waitlist", "enrolled", "enrolled", "enrolled", "enrolled", "declined",
            "redirected", "closed"]


PAYERS = [("Trillium Community Health Plan", "cco"), ("PacificSource Community Solutions", "cco"),
          ("Health Share of Oregon", "cco"), ("Open Card (OHA fee-for-service)", "open_card")]


def payers() -> None:
    """The demo agency works with Oregon's payers: the day-one placeholders are renamed, the rest added."""
    existing = db.session.scalars(db.select(Payer).order_by(Payer.id)).all()
    for payer, (name, kind) in zip(existing, PAYERS):
        payer.name, payer.kind = name, kind
    db.session.add_all(Payer(name=name, kind=kind) for name, kind in PAYERS[len(existing):])
    db.session.flush()


def seed(staff: dict, count: int, rng) -> list[Member]:
    payers = db.session.scalars(db.select(Payer).order_by(Payer.id)).all()
    sources = list(SOURCES)
    services = {s.code: s for s in db.session.scalars(db.select(ServiceType))}
    case_managers = [staff["casemanager1"], staff["casemanager2"]]
    today = local_today()
    people = []
    for i in range(count):
        spanish = i % 2 == 0
        first = rng.choice(FIRST_ES if spanish else FIRST_EN)
        last = rng.choice(LAST_ES if spanish else LAST_EN)
        city, postal = rng.choice(CITIES)
        member = Member(dob=date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                        medicaid_id=f"OR{rng.randint(10**7, 10**8 - 1)}",
                        phone=f"(503) 555-{rng.randint(0, 9999):04d}",
                        email=f"{first[0].lower()}.{i}@example.org" if rng.random() < .6 else None,
                        address=f"{rng.randint(100, 9999)} {rng.choice(['Oak', 'Pine', 'Main', 'Lancaster', 'Center'])} St",
                        city=city, state="OR", postal_code=postal,
                        preferred_language="es" if spanish else "en",
                        interpreter_needed=spanish and rng.random() < .5,
                        best_way_to_reach=rng.choice(["phone", "text", "email"]),
                        best_time_to_reach=rng.choice(["Mornings", "After 5 pm", "Weekdays 9-12", ""]) or None,
                        household_size=rng.randint(1, 6),
                        monthly_income_cents=rng.randint(0, 3200) * 100)
        member.set_name(first, last)
        status = STATUSES[i % len(STATUSES)]
        if status != "new" or rng.random() < .3:
            member.assignee = case_managers[i % 2]
        rent = rng.random() < .7
        referral = Referral(member=member, received_on=today - timedelta(days=rng.randint(0, 120)),
                            source=sources[(i * 3) % len(sources)],
                            payer=payers[(i * 7) % len(payers)], external_id=f"UU-{rng.randint(100000, 999999)}",
                            status=status, taken_by=staff["coordinator"],
                            rent_months_owed=rng.randint(1, 4) if rent else None,
                            rent_per_month_cents=rng.randint(900, 1800) * 100 if rent else None,
                            utility_owed_cents=None if rent else rng.randint(150, 900) * 100,
                            notice_date=today + timedelta(days=rng.randint(-3, 40)) if rng.random() < .4 else None,
                            current_needs="Behind on rent after losing hours at work." if rent else
                            "Shut-off notice from the electric company.")
        referral.services = [services["rent" if rent else "utility"]]
        if rent and rng.random() < .3:
            referral.services.append(services[rng.choice(["move_in", "tenancy", "storage"])])
        if not rent and rng.random() < .3:
            referral.services.append(services[rng.choice(["climate", "home_mod"])])
        if i % 8 == 5:
            # Came back: an older referral, closed long ago, on the same record.
            old = Referral(member=member, received_on=today - timedelta(days=rng.randint(400, 800)),
                           source="agency", payer=referral.payer, status="closed", taken_by=staff["coordinator"],
                           utility_owed_cents=rng.randint(200, 600) * 100, current_needs="Utility shut-off notice.")
            old.services = [services["utility"]]
        db.session.add(member)
        people.append(member)
    db.session.flush()
    # Duplicates in waiting: new referrals that arrived for members already enrolled.
    for member in [m for m in people if m.status == "enrolled"][:2]:
        again = Referral(member=member, received_on=today - timedelta(days=rng.randint(0, 3)), source="vendor",
                         payer=member.latest_referral.payer, status="new", taken_by=staff["coordinator"],
                         external_id=f"UU-{rng.randint(100000, 999999)}", rent_months_owed=2,
                         rent_per_month_cents=rng.randint(900, 1500) * 100,
                         notice_date=today + timedelta(days=rng.randint(3, 10)),
                         current_needs="Second referral from the payer's vendor; the member is already on file.")
        again.services = [services["rent"]]
        db.session.add(again)
    db.session.flush()
    for member in people:
        db.session.expire(member, ["referrals"])   # re-read in date order: the newest referral first
    return people
