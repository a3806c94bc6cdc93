"""Demo triage: a decision history behind every referral that has left the new queue."""
from datetime import datetime, time, timedelta

from hrsn.extensions import db
from hrsn.models import Referral, TriageDecision

WAITLIST_REASONS = ["This month's rent assistance funds are committed; next cycle starts on the 1st.",
                    "Waiting for the payer to confirm the service authorization.",
                    "Caseloads are full this week; first open slot goes to this member."]
DECLINE_REASONS = ["Already receiving rent assistance from the county program.",
                   "Lives outside our service area (Marion and Polk counties).",
                   "Member declined services when reached."]
REDIRECT_TO = ["Salem Housing Authority", "Community Action Agency of Lane County", "NeighborImpact (Bend)"]


def _at(day, hour):
    return datetime.combine(day, time(hour, 15))


def seed(staff: dict, people: list, rng) -> None:
    deciders = [staff["coordinator"], staff["casemanager1"], staff["casemanager2"]]
    referrals = db.session.scalars(db.select(Referral).where(Referral.status != "new")).all()
    for referral in referrals:
        day = referral.received_on + timedelta(days=rng.randint(0, 4))
        who = rng.choice(deciders)
        history = []
        if referral.status in ("enrolled", "closed") and rng.random() < .35:
            history.append(("waitlist", "new", "waitlist", rng.choice(WAITLIST_REASONS), None))
            history.append(("accept", "waitlist", "enrolled", None, None))
        elif referral.status in ("enrolled", "closed"):
            history.append(("accept", "new", "enrolled", None, None))
        elif referral.status == "waitlist":
            history.append(("waitlist", "new", "waitlist", rng.choice(WAITLIST_REASONS), None))
        elif referral.status == "declined":
            history.append(("decline", "new", "declined", rng.choice(DECLINE_REASONS), None))
        elif referral.status == "redirected":
            history.append(("redirect", "new", "redirected", "Outside what we offer; a better fit elsewhere.",
                            rng.choice(REDIRECT_TO)))
        for step, (decision, before, after, reason, org) in enumerate(history):
            db.session.add(TriageDecision(referral=referral, decision=decision, from_status=before, to_status=after,
                                          reason=reason, redirect_to=org, decided_by=who,
                                          decided_at=_at(day + timedelta(days=7 * step), 9 + step)))
    db.session.flush()
