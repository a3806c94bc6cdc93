"""seed-demo: demo staff and members at every step of the workflow, one module per step."""
import random

from hrsn import passwords
from hrsn.extensions import db
from hrsn.models import Member, User
from hrsn.seed import contact, directory, documents, intake, screening, triage
from hrsn.steps import ensure_defaults

STAFF = [
    ("admin@demo.local", "Alex Admin", "admin", "en"),
    ("coordinator@demo.local", "Carmen Coordinadora", "coordinator", "en,es"),
    ("casemanager1@demo.local", "Maria Lopez", "case_manager", "en,es"),
    ("casemanager2@demo.local", "Sam Taylor", "case_manager", "en"),
    ("finance@demo.local", "Frank Finance", "finance", "en"),
]


def staff_accounts(password: str) -> dict[str, User]:
    digest = passwords.hash_password(password)
    staff = {}
    for email, name, role, languages in STAFF:
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role, languages=languages, password_hash=digest)
            db.session.add(user)
        staff[role if role != "case_manager" else email.split("@")[0]] = user
    db.session.flush()
    return staff


def run(members: int, password: str, rng_seed: int) -> str:
    if db.session.scalar(db.select(Member.id).limit(1)) is not None:
        raise SystemExit("seed-demo fills an empty database; this one already has members")
    rng = random.Random(rng_seed)
    ensure_defaults()
    intake.payers()
    staff = staff_accounts(password)
    people = intake.seed(staff, members, rng)
    triage.seed(staff, people, rng)
    contact.seed(staff, people, rng)
    documents.seed(staff, people, rng)
    screening.seed(staff, people, rng)
    directory.seed(rng)
    db.session.commit()
    return f"seeded {len(staff)} staff and {len(people)} members"
