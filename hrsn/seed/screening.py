"""Demo screenings in both languages: finished ones with positive domains, and some left part way."""
from datetime import datetime, time, timedelta

from hrsn.extensions import db
from hrsn.models import Screening
from hrsn.screening.rules import active_instrument, score


def seed(staff: dict, people: list, rng) -> None:
    instrument = active_instrument()
    optional = [d["code"] for d in instrument.domains if not d["core"]]
    for i, member in enumerate(people):
        if member.status not in ("enrolled", "closed", "waitlist") or i % 4 == 3:
            continue
        domains = [d["code"] for d in instrument.domains if d["core"] or d["code"] in rng.sample(optional, 2)]
        answers = {}
        for code in domains:
            for question in instrument.questions_of(code):
                choices = question["choices"]
                # Most answers are the first (calm) choice; housing and utilities are often not.
                weight = .6 if code in ("living", "utilities", "food") else .15
                answers[question["code"]] = rng.choice(choices[1:])["code"] if rng.random() < weight else choices[0]["code"]
        user = member.assignee or staff["coordinator"]
        started = datetime.combine(member.latest_referral.received_on + timedelta(days=rng.randint(1, 6)), time(10, 30))
        screening = Screening(member_id=member.id, instrument_id=instrument.id, language=member.preferred_language,
                              domains=domains, started_at=started, started_by_id=user.id)
        if i % 5 == 4:
            keep = list(answers)[: len(answers) // 2]
            screening.answers = {code: answers[code] for code in keep}
        else:
            screening.answers = answers
            screening.results = score(instrument, domains, answers)
            screening.status, screening.completed_at = "complete", started + timedelta(minutes=25)
            screening.completed_by_id = user.id
        db.session.add(screening)
    db.session.flush()
