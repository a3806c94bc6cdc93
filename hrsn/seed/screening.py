"""Demo screenings in both languages: finished ones with positive domains, and some left part way."""
from datetime import timedelta

from hrsn.models import Screening
from hrsn.screening.rules import active_instrument, score


def seed(ctx, people) -> None:
    rng, clock = ctx.rng("screening"), ctx.clock
    instrument = active_instrument()
    optional = [d["code"] for d in instrument.domains if not d["core"]]
    questions = {d["code"]: instrument.questions_of(d["code"]) for d in instrument.domains}
    for person in ctx.progress("Screenings", people):
        for episode in person.episodes:
            if episode.fate not in ("enrolled", "served", "waitlist") or episode.reached is None:
                continue
            showcase = episode.showcase
            if (showcase % 4 == 3) if showcase is not None else rng.random() < .25:
                continue
            chosen = rng.sample(optional, 2)
            domains = [d["code"] for d in instrument.domains if d["core"] or d["code"] in chosen]
            answers = {}
            for code in domains:
                # Most answers are the first (calm) choice; housing, utilities and food often are not.
                weight = .6 if code in ("living", "utilities", "food") else .15
                for question in questions[code]:
                    choices = question["choices"]
                    pick = rng.choice(choices[1:]) if rng.random() < weight else choices[0]
                    answers[question["code"]] = pick["code"]
            user = episode.assignee or ctx.staff["coordinator"]
            day = clock.day_of(episode.reached) + timedelta(days=rng.randint(1, 6))
            started = max(episode.reached, clock.office(day, rng))
            still_open = episode.status in ("enrolled", "waitlist")
            partial = (showcase % 5 == 4) if showcase is not None else still_open and rng.random() < .15
            completed = None if partial else min(started + timedelta(minutes=25), clock.now)
            if partial:
                answers = dict(list(answers.items())[: len(answers) // 2])
            ctx.writer.add(Screening, member_id=person.id, instrument_id=instrument.id,
                           language=person.row["preferred_language"], domains=domains, answers=answers,
                           results=None if partial else score(instrument, domains, answers),
                           status="in_progress" if partial else "complete", started_at=started, started_by_id=user.id,
                           completed_at=completed, completed_by_id=None if partial else user.id)
            ctx.audit(started, user, "create", person.id, "Screening")
            if completed:
                ctx.audit(completed, user, "update", person.id, "Screening")
    ctx.writer.flush()
