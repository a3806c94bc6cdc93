"""Demo data of the contact step: members at every point of the outreach rule, consent in every state."""
from datetime import date, datetime, time, timedelta

from flask_babel import to_utc

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (Consent, ContactAttempt, SeverityAssessment, UnableToReach, MessageTemplate,
                         fill_template, local_today, utcnow)

# New referrals walk the rule: (methods of the attempts so far, marked unable to reach).
NEW_STATES = [
    ([], False), (["phone"], False), (["phone", "text"], False), (["phone", "phone", "phone"], False),
    (["phone", "text", "phone"], False), (["phone", "text", "mail"], True),
]
NOTES = {"no_answer": "No answer, no voicemail set up.", "voicemail": "Left a voicemail with the callback number.",
         "reached": "Talked about the rent owed and the documents needed."}


def seed(staff: dict, people: list, rng) -> None:
    templates = {(t.channel, t.language): t for t in db.session.scalars(db.select(MessageTemplate))}
    new_index = 0
    for i, member in enumerate(people):
        referral = member.latest_referral
        author = member.assignee or staff["coordinator"]
        if referral.status == "new":
            methods, unable = NEW_STATES[new_index % len(NEW_STATES)]
            new_index += 1
            contacts = _attempts(member, author, methods, [], templates, rng)
            if unable and len(contacts) == len(methods):
                _unable(member, author, contacts, reported=False)
        elif referral.status == "closed":
            # Closed after the rule was met and the payer was told.
            contacts = _attempts(member, author, ["phone", "text", "phone"], [], templates, rng)
            if len(contacts) == 3:
                _unable(member, author, contacts, reported=True)
        elif referral.status in ("enrolled", "waitlist"):
            tries = rng.choice([[], ["phone"], ["text", "phone"]])
            contacts = _attempts(member, author, tries + ["phone"], ["reached"], templates, rng)
            if contacts and contacts[-1].outcome == "reached":
                _severity(member, author, contacts[-1], rng)
                _consent(member, author, contacts[-1], i, rng)
    db.session.flush()


def _times(received: date, count: int) -> list[datetime]:
    """Local moments spread from the referral date to an hour ago (fewer if there is no room)."""
    from flask_babel import to_user_timezone
    start = datetime.combine(received, time(9, 30))
    end = to_user_timezone(utcnow()).replace(tzinfo=None) - timedelta(hours=1)
    if count == 0 or end <= start:
        return []
    step = (end - start) / count
    # Office hours on each day, unless that would fall after "an hour ago".
    return sorted(min(datetime.combine((start + step * k).date(), time(9 + (k * 3) % 8, 15)), end)
                  for k in range(count))


def _attempts(member, author, methods, last_outcomes, templates, rng) -> list[ContactAttempt]:
    outcomes = ["no_answer" if m == "phone" and rng.random() < .5 else "voicemail" if m == "phone"
                else "no_answer" for m in methods]
    for k, outcome in enumerate(last_outcomes):
        outcomes[len(outcomes) - len(last_outcomes) + k] = outcome
    contacts = []
    for moment, method, outcome in zip(_times(member.latest_referral.received_on, len(methods)), methods, outcomes):
        if method == "email" and not member.email:
            method = "mail"
        contact = ContactAttempt(member=member, author=author, at=to_utc(moment), method=method,
                                 direction="outbound", outcome=outcome, activity="outreach",
                                 minutes=rng.randint(20, 45) if outcome == "reached" else rng.randint(2, 8),
                                 interpreter_used=outcome == "reached" and member.interpreter_needed,
                                 note=NOTES.get(outcome))
        if contact.interpreter_used:
            contact.interpreter_language = "Spanish"
        if method in ("email", "text"):
            template = templates[(method, member.preferred_language if member.preferred_language == "es" else "en")]
            values = {"member_first_name": member.first_name, "case_manager_name": author.name,
                      "org_name": settings.get("org_name"), "org_phone": settings.get("org_phone") or "(503) 555-0100",
                      "callback_hours": settings.get("callback_hours") or "9-5"}
            contact.message_subject = fill_template(template.subject, values) if method == "email" else None
            contact.message_text = fill_template(template.body, values)
        db.session.add(contact)
        contacts.append(contact)
    db.session.flush()
    return contacts


def _unable(member, author, contacts, reported):
    day = contacts[-1].at.date() + timedelta(days=1)
    db.session.add(UnableToReach(member=member, referral=member.latest_referral, marked_on=min(day, local_today()),
                                 marked_by_id=author.id, attempts=len(contacts),
                                 methods=len({c.method for c in contacts}),
                                 reported_on=local_today() if reported else None,
                                 reported_by_id=author.id if reported else None))


def _severity(member, author, contact, rng):
    urgent = member.latest_referral.urgency() == "urgent"
    db.session.add(SeverityAssessment(member_id=member.id, contact=contact, recorded_by_id=author.id,
                                      housing_urgency="immediate" if urgent else rng.choice(["soon", "stable"]),
                                      safety_concern=False,
                                      language_needs="Spanish, interpreter" if member.interpreter_needed else None))


def _consent(member, author, contact, i, rng):
    given = contact.at.date()
    today = local_today()
    kind = ["valid", "valid", "expired", "withdrawn", "none"][i % 5]
    if kind == "none":
        return
    consent = Consent(member_id=member.id, given_on=given, form=rng.choice(["verbal", "signed"]),
                      scope="Health plan (CCO), landlord and utility company, to arrange rent and utility help",
                      expires_on=given + timedelta(days=365), recorded_by_id=author.id)
    if kind == "expired":
        consent.given_on, consent.expires_on = today - timedelta(days=400), today - timedelta(days=35)
    if kind == "withdrawn":
        consent.withdrawn_on, consent.withdrawn_by_id = today, author.id
        consent.withdrawn_note = "Asked us to stop sharing with the landlord."
    db.session.add(consent)
