"""seed-demo: demo staff and years of members at every step of the workflow, one module per step."""
import math
from datetime import timedelta

from hrsn import passwords
from hrsn.extensions import db
from hrsn.models import Member, Referral, User, store_all_outreach, store_milestones
from hrsn.seed import (action_plan, cases, contact, directory, documents, followup, intake, screening, timesheets,
                       triage)
from hrsn.seed.bulk import Clock, Seeding, Writer, business_day
from hrsn.steps import ensure_defaults

STAFF = [
    ("admin@demo.local", "Alex Admin", "admin", "en"),
    ("coordinator@demo.local", "Carmen Coordinadora", "coordinator", "en,es"),
    ("casemanager1@demo.local", "Maria Lopez", "case_manager", "en,es"),
    ("casemanager2@demo.local", "Sam Taylor", "case_manager", "en"),
    ("finance@demo.local", "Frank Finance", "finance", "en"),
]
# Case managers added as the caseload grows (casemanager3@demo.local onwards).
MORE_CASE_MANAGERS = ["Ana Ruiz", "Jordan Lee", "Beatriz Soto", "Chris Nguyen", "Lupe Morales", "Pat Kim",
                      "Diego Vargas", "Robin Hale"]
# Open members per case manager the team is sized for (real caseloads run from a few dozen to ~150).
CASELOAD = 100


def staff_accounts(password: str, case_managers: int = 2) -> dict[str, User]:
    digest = passwords.hash_password(password)
    accounts = list(STAFF)
    for n in range(3, case_managers + 1):
        name = MORE_CASE_MANAGERS[(n - 3) % len(MORE_CASE_MANAGERS)]
        accounts.append((f"casemanager{n}@demo.local", name, "case_manager", "en,es" if n % 2 else "en"))
    staff = {}
    for email, name, role, languages in accounts:
        user = db.session.scalar(db.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role, languages=languages, password_hash=digest)
            db.session.add(user)
        staff[role if role != "case_manager" else email.split("@")[0]] = user
    db.session.flush()
    return staff


def quiet(label, items):
    return items


def run(members: int, password: str, rng_seed: int, years: int = 3, progress=quiet) -> str:
    """Seed an empty database; `progress(label, items)` gives back `items`, showing how far each step is."""
    if db.session.scalar(db.select(Member.id).limit(1)) is not None:
        raise SystemExit("seed-demo fills an empty database; this one already has members")
    if not 1 <= years <= 30:
        raise ValueError("years must be from 1 to 30")
    ctx = Seeding(members, years, rng_seed, Clock(years), Writer(), progress)
    ensure_defaults()
    intake.payers()
    people = intake.plan(ctx)
    teams = max(2, math.ceil(intake.open_caseload(people) / CASELOAD))
    ctx.staff = staff_accounts(password, teams)
    intake.assign(people, [ctx.staff[f"casemanager{n}"] for n in range(1, teams + 1)])
    intake.write(ctx, people)
    triage.seed(ctx, people)
    contact.seed(ctx, people)
    documents.seed(ctx, people)
    screening.seed(ctx, people)
    sign_ins(ctx)
    ctx.writer.flush()
    timesheets.seed(ctx)
    cases.seed(ctx.staff, enrolled_members(), ctx.rng("cases"))
    followup.seed(ctx.staff, ctx.rng("followup"))
    directory.seed(ctx.rng("directory"))
    action_plan.seed(ctx)
    store_all_outreach()          # rows written in bulk: where each open referral stands on the outreach rule
    store_milestones(db.session.connection())       # and each referral's first contact, conversation and payment
    db.session.commit()
    span = f"{years} year" + ("s" if years != 1 else "")
    return f"seeded {len(ctx.staff)} staff and {len(people)} members over {span}"


def enrolled_members(limit: int = 400) -> list[Member]:
    """The most recent enrolled members, whose cases the case seed opens (through the models, one by one)."""
    return list(db.session.scalars(db.select(Member).join(Referral, Referral.member_id == Member.id)
                                   .where(Referral.status == "enrolled").order_by(Member.id.desc()).limit(limit)))


def sign_ins(ctx) -> None:
    """Each staff member signs in on working mornings and, most days, signs out at the end of the day."""
    rng, clock = ctx.rng("sign-in"), ctx.clock
    days = (clock.today - clock.day_of(clock.audit_since)).days
    for user in ctx.progress("Sign-ins", list(ctx.staff.values())):
        for back in range(days, -1, -1):
            day = clock.today - timedelta(days=back)
            if day != business_day(day, 0) or rng.random() < .08:
                continue              # weekend, leave or sick day
            for action, hour, chance in (("sign-in", 7.75, 1), ("sign-out", 16.5, .6)):
                moment = clock.at(day, hour + rng.random() * 1.5)
                if rng.random() < chance and moment < clock.now:      # not later today
                    ctx.audit(moment, user, action, record_type="User", record_id=user.id)
