"""Demo triage: a decision history behind every referral that has left the new queue."""
from datetime import datetime, time, timedelta

from hrsn.models import TriageDecision

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


def history_for(episode, rng) -> list[tuple]:
    """(decision, from, to, reason, organization) steps that end in the referral's status."""
    fate = episode.fate
    if fate in ("enrolled", "served") or (fate == "unable" and episode.status == "closed"):
        # Closed referrals were enrolled before the case closed; some waited on the waitlist first.
        waited = episode.showcase % 10 == 4 if episode.showcase is not None else rng.random() < .3
        if waited:
            return [("waitlist", "new", "waitlist", rng.choice(WAITLIST_REASONS), None),
                    ("accept", "waitlist", "enrolled", None, None)]
        return [("accept", "new", "enrolled", None, None)]
    if fate == "waitlist":
        return [("waitlist", "new", "waitlist", rng.choice(WAITLIST_REASONS), None)]
    if fate == "declined":
        return [("decline", "new", "declined", rng.choice(DECLINE_REASONS), None)]
    if fate == "redirected":
        pick = rng.randrange(len(REDIRECT_TO))
        return [("redirect", "new", "redirected", REDIRECT_REASONS[pick], REDIRECT_TO[pick])]
    return []


def seed(ctx, people) -> None:
    rng, clock, writer = ctx.rng("triage"), ctx.clock, ctx.writer
    coordinator = ctx.staff["coordinator"]
    for person in ctx.progress("Triage decisions", people):
        for episode in person.episodes:
            steps = history_for(episode, rng)
            # The member's case manager decides most of their own referrals; the coordinator the rest.
            who = episode.assignee if episode.assignee is not None and rng.random() < .6 else coordinator
            # Decided late in the day the referral came in, or a few days later; never in the future.
            local = datetime.combine(episode.received, time(16, 30)) + timedelta(
                days=rng.randint(0, 4), minutes=rng.randint(0, 420))
            for n, (decision, before, after, reason, org) in enumerate(steps):
                moment = min(clock.at(local.date(), local.hour + local.minute / 60),
                             clock.now - timedelta(minutes=len(steps) - 1 - n))   # still one after the other
                writer.add(TriageDecision, referral_id=episode.id, decision=decision, from_status=before,
                           to_status=after, reason=reason, redirect_to=org, decided_by_id=who.id, decided_at=moment)
                ctx.audit(moment - timedelta(minutes=2), who, "view", person.id, "referrals")
                ctx.audit(moment, who, "update", person.id, "Referral", episode.id,
                          {"status": [before, after], "decision": [None, decision]})
                if after == "enrolled":
                    episode.accepted = moment
                local += timedelta(days=rng.randint(3, 14))
                who = coordinator if rng.random() < .5 else who
    writer.flush()
