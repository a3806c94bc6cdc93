"""Demo follow-up: every case's check-ins from its service's template (done, due, overdue, rescheduled, skipped),
members closed with a reason (most outcomes reported back to the payer, the recent ones not yet), and members who
came back, their record reopened as a second episode. Written in bulk: one statement per table and chunk."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from hrsn.extensions import db
from hrsn.models import (Authorization, Case, CheckIn, Episode, FollowupTemplate, Referral, UnableToReach,
                         local_today, schedule_dates)

CHUNK = 5000
SKIP_REASONS = ("Member in the hospital that week.", "Member asked to skip, all is well.",
                "The landlord confirmed the rent was paid.")
MOVE_REASONS = ("Member is traveling; called back next week.", "Member asked for a later date.")
CLOSED_REASONS = ("assistance_complete", "goals_met", "assistance_complete", "declined", "moved_away",
                  "not_eligible", "no_capacity", "transferred", "other")
SUMMARIES = {
    "assistance_complete": "Rent paid for the months authorized; the member is stable in the home.",
    "goals_met": "Housing kept, the back rent is paid, and a budget is in place.",
    "declined": "The member said they no longer need help.",
    "moved_away": "The member moved out of the service area.",
    "not_eligible": "The payer denied the request: not eligible at this time.",
    "no_capacity": "Referred to a partner agency with room for the member.",
    "transferred": "Transferred to the county's housing program.",
    "unable_to_reach": "No answer to a new round of attempts by phone and text.",
    "other": "Closed at the member's request.",
}


def seed(staff: dict, rng) -> None:
    check_ins(staff, rng)
    episodes(staff, rng)


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model.__table__), rows[start:start + CHUNK])


def check_ins(staff: dict, rng) -> None:
    templates = {t.service_type_id: t for t in db.session.scalars(sa.select(FollowupTemplate)
                                                                  .where(FollowupTemplate.active.is_(True)))}
    first_auth = (sa.select(Authorization.case_id, sa.func.min(Authorization.start_on).label("start"))
                  .group_by(Authorization.case_id).subquery())
    cases = db.session.execute(sa.select(Case.id, Case.member_id, Case.service_type_id, Case.opened_on, Case.closed_on,
                                         Case.opened_by_id, first_auth.c.start)
                               .outerjoin(first_auth, first_auth.c.case_id == Case.id)).all()
    today, rows = local_today(), []
    for k, (case_id, member_id, service_id, opened_on, closed_on, by, auth_start) in enumerate(cases):
        template = templates.get(service_id)
        if template is None:
            continue
        start = auth_start if template.count_from == "authorization" and auth_start else opened_on
        for n, (month, kind, due) in enumerate(schedule_dates(template, start)):
            row = {"case_id": case_id, "member_id": member_id, "template_id": template.id, "month": month,
                   "kind": kind, "due_on": due, "planned_on": due, "status": "due", "reason": None, "done_on": None,
                   "contact_id": None, "changed_by_id": by, "changed_at": datetime.combine(min(due, today), time(17)),
                   "version": 1}
            roll = rng.random()
            if closed_on and due > closed_on:
                row.update(status="skipped", reason="The case closed before this check-in.")
            elif closed_on or due < today - timedelta(days=7):
                if roll < .88 or closed_on:
                    row.update(status="done", done_on=due + timedelta(days=rng.randint(0, 5)))
                else:
                    row.update(status="skipped", reason=rng.choice(SKIP_REASONS))
            elif due < today:
                if roll < .5:
                    row.update(status="done", done_on=min(due + timedelta(days=rng.randint(0, 3)), today))
            elif n == 0 and k % 4 == 0:
                # Moved earlier at the member's request, and not done yet: overdue.
                row.update(status="rescheduled", due_on=today - timedelta(days=rng.randint(1, 6)),
                           reason="The member asked to meet before the rent is due.")
            elif roll < .12:
                row.update(status="rescheduled", due_on=due + timedelta(days=rng.randint(3, 14)),
                           reason=rng.choice(MOVE_REASONS))
            row["done_on"] = min(row["done_on"], today) if row["done_on"] else None
            rows.append(row)
    _insert(CheckIn, rows)


def episodes(staff: dict, rng) -> None:
    """Members whose latest referral is closed: one closed episode. Members who came back after a closed referral:
    the first episode closed, a second one open since the new referral."""
    today = local_today()
    unable = set(db.session.scalars(sa.select(UnableToReach.member_id)))
    referrals = db.session.execute(sa.select(Referral.member_id, Referral.status, Referral.received_on)
                                   .order_by(Referral.member_id, Referral.received_on, Referral.id)).all()
    by_member: dict[int, list] = {}
    for member_id, status, received_on in referrals:
        by_member.setdefault(member_id, []).append((status, received_on))
    closer = staff.get("coordinator")
    rows = []
    for member_id, history in by_member.items():
        latest_status, latest_on = history[-1]
        earlier = [r for r in history[:-1] if r[0] == "closed"]
        if latest_status == "closed":
            closed_on = min(latest_on + timedelta(days=rng.randint(60, 200)), today - timedelta(days=1))
            rows.append(_closed(member_id, 1, history[0][1], closed_on, member_id in unable, closer, rng, today))
        elif earlier and latest_status in ("new", "waitlist", "enrolled"):
            closed_on = min(earlier[-1][1] + timedelta(days=rng.randint(60, 200)), latest_on - timedelta(days=1))
            closed_on = max(closed_on, history[0][1])
            rows.append(_closed(member_id, 1, history[0][1], closed_on, False, closer, rng, today))
            rows.append({"member_id": member_id, "number": 2, "opened_on": latest_on,
                         "open_reason": "A new referral from the payer: the member needs help again.",
                         "opened_by_id": closer.id if closer else None, "closed_on": None, "close_reason": None,
                         "summary": None, "closed_by_id": None, "carried": None, "reported_on": None,
                         "reported_by_id": None, "version": 1})
    _insert(Episode, rows)


def _closed(member_id, number, opened_on, closed_on, unable, closer, rng, today) -> dict:
    reason = "unable_to_reach" if unable else rng.choice(CLOSED_REASONS)
    reported = closed_on + timedelta(days=rng.randint(1, 10)) if closed_on < today - timedelta(days=20) else None
    return {"member_id": member_id, "number": number, "opened_on": opened_on, "open_reason": None,
            "opened_by_id": None, "closed_on": closed_on, "close_reason": reason, "summary": SUMMARIES[reason],
            "closed_by_id": closer.id if closer else None, "carried": None,
            "reported_on": min(reported, today) if reported else None,
            "reported_by_id": closer.id if closer and reported else None, "version": 1}
