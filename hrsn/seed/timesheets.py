"""seed-demo's time: each bulk-written contact's minutes as its time entry (the app keeps them in step itself;
written around the session, the months' sums are rebuilt from them), time added by hand (travel, case
administration, tenancy support), weekly timesheets submitted up to last week (one reopened with a reason), and
each payer's billing units."""
from datetime import timedelta

import sqlalchemy as sa

from hrsn.extensions import db
from hrsn.models import (ContactAttempt, Member, Payer, PayerBilling, Referral, Timesheet, TimesheetStep, TimeEntry,
                         rebuild_time_months, week_of)
from hrsn.seed.bulk import business_day

CHUNK = 20_000


def seed(ctx) -> None:
    _billing_rules()
    payer_of = _payers()
    _from_contacts(ctx, payer_of)
    _by_hand(ctx, payer_of)
    ctx.writer.flush()
    rebuild_time_months(db.session.connection())
    _timesheets(ctx)


def _billing_rules() -> None:
    for n, payer in enumerate(db.session.scalars(sa.select(Payer).order_by(Payer.id))):
        if db.session.scalar(sa.select(PayerBilling.id).where(PayerBilling.payer_id == payer.id)) is None:
            db.session.add(PayerBilling(payer_id=payer.id, minutes_per_unit=15,
                                        rounding=("nearest", "up", "down")[n % 3], rate_cents=2150 + 250 * n))
    db.session.flush()


def _payers() -> dict:
    """Each member's payer: that of their latest referral (one grouped query)."""
    latest = (sa.select(Referral.member_id, sa.func.max(Referral.id).label("rid")).group_by(Referral.member_id)
              .subquery())
    return dict(db.session.execute(sa.select(latest.c.member_id, Referral.payer_id)
                                   .join(Referral, Referral.id == latest.c.rid)).all())


def _from_contacts(ctx, payer_of: dict) -> None:
    """Contacts written in bulk skip the session's flush, so their time rows are written here, read by chunks."""
    last = 0
    while True:
        rows = db.session.execute(
            sa.select(ContactAttempt.id, ContactAttempt.at, ContactAttempt.minutes, ContactAttempt.activity,
                      ContactAttempt.author_id, ContactAttempt.member_id, ContactAttempt.created_at)
            .where(ContactAttempt.id > last, ContactAttempt.minutes > 0)
            .order_by(ContactAttempt.id).limit(CHUNK)).all()
        if not rows:
            return
        for cid, at, minutes, activity, author, member, created in rows:
            ctx.writer.add(TimeEntry, staff_id=author, day=ctx.clock.day_of(at), minutes=minutes, activity=activity,
                           member_id=member, payer_id=payer_of.get(member), note=None, source="contact", contact_id=cid,
                           party_contact_id=None, created_at=created, created_by_id=author, version=1)
        last = rows[-1][0]


def _by_hand(ctx, payer_of: dict) -> None:
    """Most working days a case manager logs some case administration, and travel to a member's home a few times
    a week."""
    rng, clock = ctx.rng("time"), ctx.clock
    managers = [user for key, user in ctx.staff.items() if key.startswith("casemanager")]
    caseloads = {user.id: list(db.session.scalars(sa.select(Member.id).where(Member.assignee_id == user.id)
                                                  .order_by(Member.id).limit(300))) for user in managers}
    for user in ctx.progress("Time added by hand", managers):
        day = max(clock.start, clock.today - timedelta(days=round(365.25 * min(ctx.years, 10))))
        while day <= clock.today:
            if day == business_day(day, 0):
                if rng.random() < .6:
                    _entry(ctx, user, day, rng.choice((15, 20, 30, 45)), "admin", None, None, "Case files and email")
                members = caseloads[user.id]
                if members and rng.random() < .45:
                    member = rng.choice(members)
                    _entry(ctx, user, day, rng.choice((20, 30, 40, 60, 75)), rng.choice(("travel", "tenancy")),
                           member, payer_of.get(member), None)
            day += timedelta(days=1)


def _entry(ctx, user, day, minutes, activity, member, payer, note) -> None:
    ctx.writer.add(TimeEntry, staff_id=user.id, day=day, minutes=minutes, activity=activity, member_id=member,
                   payer_id=payer, note=note, source="manual", contact_id=None, party_contact_id=None,
                   created_at=ctx.clock.at(day, 17),
                   created_by_id=user.id, version=1)


def _timesheets(ctx) -> None:
    """Every week up to the one before last is submitted; one of them was reopened once and submitted again."""
    clock, coordinator = ctx.clock, ctx.staff["coordinator"]
    last_week = week_of(clock.today) - timedelta(days=14)
    weekly = sa.select(TimeEntry.staff_id, TimeEntry.day, sa.func.sum(TimeEntry.minutes)).group_by(
        TimeEntry.staff_id, TimeEntry.day)
    totals: dict = {}
    for staff_id, day, minutes in db.session.execute(weekly):
        week = week_of(day)
        if week <= last_week:
            totals[(staff_id, week)] = totals.get((staff_id, week), 0) + int(minutes or 0)
    keys = sorted(totals)
    rows = [{"staff_id": s, "week_start": w, "status": "submitted", "status_at": clock.at(w + timedelta(days=4), 16),
             "submitted_minutes": totals[(s, w)], "version": 2} for s, w in keys]
    ids = ctx.writer.returning(Timesheet, rows)
    for sheet_id, row in zip(ids, rows):
        opened = clock.at(row["week_start"], 8)
        ctx.writer.add(TimesheetStep, timesheet_id=sheet_id, from_status=None, to_status="open", at=opened,
                       by_id=row["staff_id"], note=None)
        ctx.writer.add(TimesheetStep, timesheet_id=sheet_id, from_status="open", to_status="submitted",
                       at=row["status_at"], by_id=row["staff_id"], note=None)
    if ids:
        sheet_id, row = ids[-1], rows[-1]
        for frm, to, note, by in (("submitted", "open", "Travel on Friday was missing", coordinator.id),
                                  ("open", "submitted", None, row["staff_id"])):
            ctx.writer.add(TimesheetStep, timesheet_id=sheet_id, from_status=frm, to_status=to,
                           at=row["status_at"] + timedelta(days=1), by_id=by, note=note)
        db.session.execute(sa.update(Timesheet).where(Timesheet.id == sheet_id).values(version=4))
    ctx.writer.flush()
