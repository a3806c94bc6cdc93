"""Demo Health Action Plans: every completed screening's positive domains as needs (as the Plan tab would make
them), goals in the members' words in their language, and referrals out to the directory's services in every
state of the lifecycle with their history; two plans long enough to span many pages, one in each language.

Written in bulk (no ORM object per row), so `seed-demo --members 10000 --years 10` gains plans at a realistic
volume: a referral or two per need of the members still served, fewer for those whose episode closed."""
from datetime import timedelta

import sqlalchemy as sa

from hrsn.extensions import db
from hrsn.models import (OUT_PENDING, Goal, GoalProgress, Member, Need, Organization, Plan, PlanPreferences,
                         Referral, ReferralOut, ReferralOutStep, Screening, ScreeningApplied, Service,
                         ServiceCategory, Support, goal_need, need_domain_of_screening)

# Where a referral's story stops, and the moves that led there (a draw picks one per referral).
STORIES = [
    (), ("accepted",), ("applied",), ("waitlisted",), ("accepted", "started"),
    ("accepted", "started", "delivered"), ("accepted", "started", "delivered"), ("started", "receiving"),
    ("accepted", "started", "receiving", "ended"), ("org_declined",), ("not_eligible",), ("accepted", "not_used"),
    ("member_declined",), ("not_appropriate",), ("unreachable",), ("no_response",),
]
REASONS = {"org_declined": "No capacity this month", "not_eligible": "Income over the limit",
           "not_appropriate": "Serves seniors only", "member_declined": "Prefers family help"}
GOALS = {"en": {"housing": "Stay in my apartment and catch up on rent", "food": "Have enough food for my kids all month",
                "utilities": "Keep the lights and heat on this winter", "transportation": "Get to my appointments",
                "other": "Feel more in control of my bills"},
         "es": {"housing": "Quedarme en mi apartamento y ponerme al día con la renta",
                "food": "Tener suficiente comida para mis hijos todo el mes",
                "utilities": "Mantener la luz y la calefacción este invierno",
                "transportation": "Llegar a mis citas médicas", "other": "Sentir más control sobre mis cuentas"}}
PROGRESS = {"en": "Talked it through; the first step is done", "es": "Lo hablamos; el primer paso está hecho"}
LONG_NEEDS = 24


def seed(ctx) -> None:
    rng, clock, writer = ctx.rng("plan"), ctx.clock, ctx.writer
    db.session.flush()
    members = {row.id: row for row in db.session.execute(
        sa.select(Member.id, Member.preferred_language, Member.assignee_id, Member.first_name))}
    serving = set(db.session.scalars(sa.select(Referral.member_id).where(
        Referral.status.in_(("enrolled", "waitlist")))))
    services = _services_by_domain()
    screenings = db.session.execute(sa.select(Screening.id, Screening.member_id, Screening.domains, Screening.results,
                                              Screening.completed_at, Screening.completed_by_id)
                                    .where(Screening.status == "complete").order_by(Screening.id)).all()
    needs = []                       # (member_id, domain, screening_id, day, user)
    seen: set = set()
    for row in ctx.progress("Plans: needs", screenings):
        writer.add(ScreeningApplied, screening_id=row.id, member_id=row.member_id, at=row.completed_at)
        day = clock.day_of(row.completed_at)
        for code in row.domains:
            domain = need_domain_of_screening(code)
            if (row.results or {}).get(code, {}).get("positive") and (row.member_id, domain) not in seen:
                seen.add((row.member_id, domain))
                needs.append((row.member_id, domain, row.id, day, row.completed_by_id))
    long_members = _long_members(members, serving)
    for member_id in long_members:
        base = clock.today - timedelta(days=120)
        for i in range(LONG_NEEDS):
            domain = list(services)[i % len(services)]
            needs.append((member_id, domain, None, base + timedelta(days=i), members[member_id].assignee_id))
    writer.flush()
    need_rows = []
    for member_id, domain, screening_id, day, user in needs:
        open_now = member_id in serving
        status = (rng.choice(("identified", "in_progress", "in_progress")) if open_now
                  else rng.choice(("met", "met", "not_met", "declined")))
        need_rows.append({"member_id": member_id, "domain": domain, "screening_id": screening_id,
                          "source": "screening" if screening_id else "conversation", "source_on": day,
                          "identified_on": day, "status": status, "status_on": day, "priority": 1 + rng.randrange(3),
                          "created_by_id": user, "created_at": clock.at(day, 10), "version": 1,
                          "description": _describe(domain, members[member_id].preferred_language, rng),
                          "staff_note": "Landlord prefers email" if rng.random() < .1 else None})
    need_ids = writer.returning(Need, need_rows)
    goals, outs = [], []
    for need_id, row in ctx.progress("Plans: goals and referrals", list(zip(need_ids, need_rows))):
        member = members[row["member_id"]]
        long = row["member_id"] in long_members
        if not (long or row["member_id"] in serving or rng.random() < .3):
            continue
        goals.append(_goal(need_id, row, member))
        count = (2 if rng.random() < .9 else 1) if long else rng.choice((0, 1, 1, 2))
        outs += [_referral_out(clock, need_id, row, services, rng, row["member_id"] in serving)
                 for _n in range(count)]
    goal_ids = writer.returning(Goal, [goal for goal, _need, _language in goals])
    for goal_id, (goal, need_id, language) in zip(goal_ids, goals):
        writer.add(goal_need, goal_id=goal_id, need_id=need_id)
        if rng.random() < .5:
            day = min(goal["status_on"] + timedelta(days=14), clock.today)
            writer.add(GoalProgress, goal_id=goal_id, member_id=goal["member_id"], source="conversation",
                       text=PROGRESS[language], on=day, at=clock.at(day, 14), by_id=goal["created_by_id"])
    out_ids = writer.returning(ReferralOut, [values for values, _steps in outs])
    for referral_id, (values, steps) in zip(out_ids, outs):
        previous = None
        for to, day in steps:
            writer.add(ReferralOutStep, referral_out_id=referral_id, from_status=previous, to_status=to,
                       at=clock.at(day, 15), on=day, by_id=values["created_by_id"], note=REASONS.get(to))
            previous = to
    for member_id in sorted({row["member_id"] for row in need_rows}):
        member = members[member_id]
        serving_now = member_id in serving
        made = clock.at(clock.today - timedelta(days=rng.randint(5, 200)), 9)
        writer.add(Plan, member_id=member_id, created_at=made, changed_at=made, version=1,
                   review_due_on=clock.today + timedelta(days=rng.randint(-20, 170)) if serving_now else None,
                   member_printed_at=made if rng.random() < .5 else None,
                   next_check_in_on=clock.today + timedelta(days=rng.randint(1, 30)) if serving_now else None)
        if serving_now and rng.random() < .3:
            writer.add(Support, member_id=member_id, name=rng.choice(("Lucía Ramos", "John Park", "Mai Tran")),
                       role=rng.choice(("family", "caregiver", "support")), relation="sister", contact=None,
                       sharing_allowed=rng.random() < .5, created_at=made, version=1)
            writer.add(PlanPreferences, member_id=member_id, contact_how="Text first", contact_when="After 4 pm",
                       what_matters="My children stay in their school", version=1)
    writer.flush()


def _services_by_domain() -> dict[str, list]:
    rows = db.session.execute(sa.select(ServiceCategory.domain, Service.id, Service.name, Organization.id,
                                        Organization.name, Service.wait_time, Service.fees_description)
                              .join(Service, Service.id == ServiceCategory.service_id)
                              .join(Organization, Organization.id == Service.organization_id)
                              .order_by(Service.id)).all()
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row[0], []).append(row[1:])
    return found or {"other": [(None, "Service", None, "Community organization", None, None)]}


def _long_members(members, serving) -> list[int]:
    """Two served members, one reading Spanish and one English, whose plans span several pages."""
    chosen = []
    for language in ("es", "en"):
        found = next((m for m in sorted(serving) if members[m].preferred_language == language
                      and members[m].assignee_id and m not in chosen), None)
        if found:
            chosen.append(found)
    return chosen


def _describe(domain, language, rng) -> str:
    words = {"en": ["Behind on this since last month", "Asked for help at the screening",
                    "Needs it before the notice date"],
             "es": ["Atrasada desde el mes pasado", "Pidió ayuda en la evaluación", "La necesita antes del aviso"]}
    return rng.choice(words.get(language, words["en"]))


def _goal(need_id, row, member) -> tuple[dict, int, str]:
    language = member.preferred_language if member.preferred_language in GOALS else "en"
    day = row["identified_on"] + timedelta(days=2)
    return ({"member_id": row["member_id"], "text": GOALS[language].get(row["domain"], GOALS[language]["other"]),
             "target_on": day + timedelta(days=90), "status_on": day, "created_by_id": row["created_by_id"],
             "status": "active" if row["status"] in ("identified", "in_progress") else "achieved",
             "created_at": row["created_at"], "version": 1}, need_id, language)


FINAL = [story for story in STORIES if story and story[-1] not in OUT_PENDING + ("receiving",)]


def _referral_out(clock, need_id, row, services, rng, serving: bool) -> tuple[dict, list]:
    """A referral out's row and its history: (status, day) from "sent" on; a member no longer served has an
    outcome on every referral."""
    options = services.get(row["domain"]) or services[next(iter(services))]
    service_id, service_name, organization_id, organization_name, wait, cost = rng.choice(options)
    made_on = min(row["identified_on"] + timedelta(days=rng.randint(1, 10)), clock.today)
    story = rng.choice(STORIES if serving else FINAL)
    if serving and (clock.today - made_on).days < 20 and len(story) > 1:
        story = story[:1]
    status = story[-1] if story else "sent"
    user = row["created_by_id"]
    days = [made_on + timedelta(days=min((clock.today - made_on).days, 7 * (k + 1))) for k in range(len(story))]
    values = {"member_id": row["member_id"], "need_id": need_id, "made_on": made_on, "service_id": service_id,
              "organization_id": organization_id, "organization_name": organization_name, "service_name": service_name,
              "method": rng.choice(("warm_handoff", "phone", "email", "fax", "platform", "in_person")),
              "consent_checked": rng.random() < .9, "status": status,
              "status_at": clock.at(days[-1] if days else made_on, 15), "owner_id": user, "wait": wait, "cost": cost,
              "phone": "(503) 555-01%02d" % rng.randrange(100), "how_to_apply": "Call and say you were referred by us",
              "created_at": clock.at(made_on, 10), "created_by_id": user, "version": len(story) + 1,
              "reason": REASONS.get(status), "staff_note": "Ask for Dana at intake" if rng.random() < .15 else None}
    for key in ("consent_warning", "consent_warned_at", "started_on", "delivered_on", "delivered_what", "confirmed_on",
                "confirmed_how", "feedback_helped", "receiving_on", "ended_on", "expected_start_on"):
        values[key] = None
    if not values["consent_checked"]:
        values["consent_warning"] = "The member has no valid consent to share information on file."
        values["consent_warned_at"] = values["created_at"]
    for to, day in zip(story, days):
        if to == "started":
            values["started_on"] = day
        elif to == "delivered":
            values["delivered_on"], values["delivered_what"] = day, "service"
            values["confirmed_on"], values["confirmed_how"] = day, rng.choice(("member", "organization"))
            values["feedback_helped"] = rng.random() < .8
        elif to == "receiving":
            values["receiving_on"] = day
        elif to == "ended":
            values["ended_on"] = day
        elif to == "waitlisted":
            values["expected_start_on"] = day + timedelta(days=30)
    return values, [("sent", made_on), *zip(story, days)]
