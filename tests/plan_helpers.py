"""Factories for the plan step's tests: a member's plan with n of everything (needs, goals with progress,
referrals out with their history, supports, benefits, barriers, meetings)."""
from datetime import timedelta

from conftest import org_today
from hrsn.extensions import db
from hrsn.models import (Barrier, Benefit, CareMeeting, Goal, GoalProgress, Need, Plan, ReferralOut, Support, utcnow)


def busy_plan(member_id: int, user, n: int) -> dict:
    """A plan with n rows in every list; the review is due and the referrals are late (for Today)."""
    needs = [Need(member_id=member_id, domain=("housing", "food", "utilities")[i % 3], description=f"need {i}",
                  source="conversation", identified_on=org_today(), created_by_id=user.id) for i in range(n)]
    db.session.add_all(needs)
    db.session.flush()
    for i in range(n):
        goal = Goal(member_id=member_id, text=f"goal {i}", status="active", created_by_id=user.id)
        goal.needs = [needs[i], needs[(i + 1) % n]]
        goal.progress = [GoalProgress(member_id=member_id, text=f"progress {i}.{k}", by_id=user.id) for k in range(2)]
        db.session.add(goal)
        out = ReferralOut(member_id=member_id, need_id=needs[i].id, made_on=org_today() - timedelta(days=30),
                          organization_name=f"Org {i}", service_name="Pantry", method="phone", owner_id=user.id,
                          staff_note=f"staff {i}", phone="(503) 555-0100", how_to_apply="Call first")
        out.begin("sent", user)
        if i % 2:
            out.move("accepted", user)
        db.session.add(out)
        db.session.add_all([Support(member_id=member_id, name=f"Support {i}", role="family"),
                            Benefit(member_id=member_id, program="snap"),
                            Barrier(member_id=member_id, kind="transport"),
                            CareMeeting(member_id=member_id, held_on=org_today(), attendees=f"team {i}", by_id=user.id)])
    db.session.add(Plan(member_id=member_id, review_due_on=org_today() - timedelta(days=1), changed_at=utcnow()))
    db.session.flush()
    return {"need": needs[0].id, "referral_out": out.id}
