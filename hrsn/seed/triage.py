"""Demo triage: a decision history behind every referral that has left the new queue."""
from datetime import datetime, time, timedelta

from hrsn.extensions import db
from hrsn.models import Referral, TriageDecision, utcnow

WAITLIST_REASONS = ["This month's rent assistance funds are committed; next cycle starts on the 1st.",
                    "Waiting for the payer to confirm the service authorization.",
                    "Caseloads are full this week; first open slot goes to this member."]
DECLINE_REASONS = ["Already receiving rent assistance from the county program.",
                   "Lives outside our service area (Marion and Polk counties).",
                   "Member declined services when reached."]
REDIRECT_REASONS = ["Needs legal help with the eviction first; we cannot represent members.",
                    "Needs a shelter bed tonight, which we do not offer.",
                    "Lives in Central Oregon, outside our service area."]
REDIRECT_TO = ["Legal Aid Services of Oregon (Salem)", "Union Gospel Mission of Salem", "NeighborImpact (Bend)"]


def history_for(status: str, rng) -> list[tuple]:
    """(decision, from, to, reason, organization) steps that end in the referral's status."""
    if status in ("enrolled", "closed"):             # closed cases were enrolled before they were closed
        if rng.random() < .35:
            return [("waitlist", "new", "waitlist", rng.choice(WAITLIST_REASONS), None),
                    ("accept", "waitlist", "enrolled", None, None)]
        return [("accept", "new", "enrolled", None, None)]
    if status == "waitlist":
        return [("waitlist", "new", "waitlist", rng.choice(WAITLIST_REASONS), None)]
    if status == "declined":
        return [("decline", "new", "declined", rng.choice(DECLINE_REASONS), None)]
    if status == "redirected":
        pick = rng.randrange(len(REDIRECT_TO))
        return [("redirect", "new", "redirected", REDIRECT_REASONS[pick], REDIRECT_TO[pick])]
    return []


def seed(staff: dict, people: list, rng) -> None:
    case_managers = {staff["casemanager1"].id, staff["casemanager2"].id}
    latest = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
    referrals = db.session.scalars(db.select(Referral).where(Referral.status != "new")
                                   .order_by(Referral.id)).all()
    for referral in referrals:
        # The member's case manager decides most of their own referrals; the coordinator the rest.
        assignee = referral.member.assignee
        who = assignee if assignee is not None and assignee.id in case_managers and rng.random() < .6 \
            else staff["coordinator"]
        # Decided during the working day the referral came in, or a few days later; never in the future.
        moment = datetime.combine(referral.received_on, time(16, 30)) + timedelta(
            days=rng.randint(0, 4), minutes=rng.randint(0, 420))
        steps = history_for(referral.status, rng)
        for step, (decision, before, after, reason, org) in enumerate(steps):
            ceiling = latest - timedelta(minutes=len(steps) - 1 - step)      # still one after the other
            db.session.add(TriageDecision(referral=referral, decision=decision, from_status=before, to_status=after,
                                          reason=reason, redirect_to=org, decided_by=who,
                                          decided_at=min(moment, ceiling)))
            moment += timedelta(days=rng.randint(3, 14))
            who = staff["coordinator"] if rng.random() < .5 else who
    db.session.flush()
