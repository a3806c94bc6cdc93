"""The contact step: the outreach rule, the contact log, message templates, consent, severity, Today."""
from datetime import date, datetime, timedelta

import pytest

from conftest import announced, events, make_member, make_user
from hrsn.extensions import db
from hrsn.models import (AuditEvent, Consent, ContactAttempt, MessageTemplate, SeverityAssessment,
                         UnableToReach, has_valid_consent, outreach_progress, utcnow)
from hrsn.models import OutreachRule, add_business_days, fill_template, local_today, template_problems

HX = {"HX-Request": "true"}
RECEIVED = date(2026, 11, 1)


@pytest.fixture
def cm(auth):
    return auth.login("case_manager", email="cm@test.local", name="Maria Lopez")


@pytest.fixture
def member_id(app, cm):
    with app.app_context():
        user = db.session.get(type(cm), cm.id)
        return make_member("Ana", "García", assignee=user, status="new", preferred_language="es",
                           email="ana@example.org", phone="(503) 555-0101", received_on=RECEIVED).id


def attempt(app, member_id, author_id, method="phone", outcome="no_answer", days_ago=5, direction="outbound"):
    with app.app_context():
        db.session.add(ContactAttempt(member_id=member_id, author_id=author_id, method=method, outcome=outcome,
                                      direction=direction, minutes=5,
                                      at=utcnow() - timedelta(days=days_ago, hours=1)))
        db.session.commit()


def form(**overrides):
    data = {"at": (datetime.now() - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M"), "method": "phone",
            "direction": "outbound", "outcome": "no_answer", "minutes": "5", "activity": "outreach", "note": ""}
    data.update(overrides)
    return data


def progress_of(app, member_id):
    with app.app_context():
        from hrsn.models import Member
        with app.test_request_context():
            return outreach_progress(db.session.get(Member, member_id))


# The rule at its edges ---------------------------------------------------------------------------

@pytest.mark.parametrize("methods, met", [
    (["phone", "phone", "phone"], False),          # three attempts, one method
    (["phone", "text"], False),                    # two methods, two attempts
    (["phone", "text", "phone"], True),            # three attempts, two methods
    (["phone", "email", "text", "mail"], True),
])
def test_outreach_rule_edges(app, cm, member_id, methods, met):
    for i, method in enumerate(methods):
        attempt(app, member_id, cm.id, method, days_ago=10 - i)
    progress = progress_of(app, member_id)
    assert (progress.attempts, progress.methods) == (len(methods), len(set(methods)))
    assert progress.met is met and progress.can_mark_unable is met


@pytest.mark.parametrize("methods, allowed", [(["phone"] * 3, False), (["phone", "text"], False),
                                               (["phone", "text", "phone"], True)])
def test_unable_to_reach_refused_until_rule_met(app, client, cm, member_id, methods, allowed):
    for i, method in enumerate(methods):
        attempt(app, member_id, cm.id, method, days_ago=10 - i)
    response = client.post(f"/members/{member_id}/contact/unable", headers=HX)
    with app.app_context():
        marks = db.session.scalars(db.select(UnableToReach)).all()
    if allowed:
        assert response.status_code == 200 and len(marks) == 1
        assert (marks[0].attempts, marks[0].methods, marks[0].reported_on) == (3, 2, None)
        assert "Marked unable to reach on" in response.get_data(as_text=True)
    else:
        assert response.status_code == 422 and marks == []
        assert "The outreach rule is not met yet" in response.get_data(as_text=True)


def test_reached_member_cannot_be_marked_unable_to_reach(app, client, cm, member_id):
    for i, method in enumerate(["phone", "text", "phone"]):
        attempt(app, member_id, cm.id, method, days_ago=10 - i)
    attempt(app, member_id, cm.id, "phone", "reached", days_ago=2)
    progress = progress_of(app, member_id)
    assert progress.reached and progress.met and not progress.can_mark_unable
    response = client.post(f"/members/{member_id}/contact/unable")   # the button is not even shown
    assert response.status_code == 422
    assert "was reached" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(UnableToReach.id))) == 0


def test_reaching_stops_the_count_and_inbound_calls_do_not_count(app, cm, member_id):
    attempt(app, member_id, cm.id, "phone", days_ago=9)
    attempt(app, member_id, cm.id, "phone", "no_answer", days_ago=8, direction="inbound")
    attempt(app, member_id, cm.id, "text", "reached", days_ago=7)
    attempt(app, member_id, cm.id, "email", days_ago=6)
    progress = progress_of(app, member_id)
    assert (progress.attempts, progress.methods, progress.reached, progress.next_due) == (1, 1, True, None)


def test_unable_to_reach_cannot_be_marked_twice(app, client, cm, member_id):
    for i, method in enumerate(["phone", "text", "phone"]):
        attempt(app, member_id, cm.id, method, days_ago=10 - i)
    assert client.post(f"/members/{member_id}/contact/unable").status_code == 302
    assert client.post(f"/members/{member_id}/contact/unable").status_code == 422


def test_business_days_skip_weekends():
    assert add_business_days(date(2026, 11, 20), 2) == date(2026, 11, 24)   # Friday + 2 = Tuesday
    assert add_business_days(date(2026, 11, 23), 2) == date(2026, 11, 25)


def test_rule_follows_the_settings(app, cm, member_id):
    with app.app_context():
        from hrsn import settings
        settings.put("outreach_attempts", 2)
        settings.put("outreach_methods", 1)
        db.session.commit()
    attempt(app, member_id, cm.id, "phone", days_ago=5)
    attempt(app, member_id, cm.id, "phone", days_ago=4)
    assert progress_of(app, member_id).met


# The contact log ---------------------------------------------------------------------------------

def test_adding_a_contact_with_htmx(app, client, cm, member_id):
    response = client.post(f"/members/{member_id}/contact", data=form(note="Left a message with her son"), headers=HX)
    assert response.status_code == 200
    assert events(response) == {"contactLogged"} and announced(response) == "Contact saved."
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="contact-form"' in body and "Contact saved." in body
    log = client.get(f"/members/{member_id}/contact/log", headers=HX).get_data(as_text=True)
    assert "<html" not in log and "Left a message with her son" in log
    progress = client.get(f"/members/{member_id}/contact/progress", headers=HX).get_data(as_text=True)
    assert "1 of 3 attempts · 1 of 2 methods" in progress and "<html" not in progress
    with app.app_context():
        contact = db.session.scalar(db.select(ContactAttempt))
        assert (contact.author_id, contact.minutes, contact.activity, contact.message_text) == (cm.id, 5, "outreach", None)
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "create"))
        assert (event.record_type, event.record_id, event.member_id) == ("ContactAttempt", contact.id, member_id)


def test_newest_contact_is_first_in_the_log(app, client, cm, member_id):
    attempt(app, member_id, cm.id, "mail", days_ago=6)
    client.post(f"/members/{member_id}/contact", data=form(method="video", note="the newest"), headers=HX)
    log = client.get(f"/members/{member_id}/contact/log", headers=HX).get_data(as_text=True)
    assert log.index("Video") < log.index("Mail")


def test_without_htmx_the_form_redirects_back_to_the_tab(client, member_id):
    response = client.post(f"/members/{member_id}/contact", data=form())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/members/{member_id}/contact")
    page = client.get(f"/members/{member_id}/contact").get_data(as_text=True)
    assert "<html" in page and "Contact saved." in page


def _future():
    return (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("overrides, message", [
    ({"at": ""}, "Enter the date and time of the contact."),
    ({"at": "yesterday"}, "Enter the date and time of the contact."),
    ({"at": "FUTURE"}, "A contact cannot be in the future."),
    ({"at": "9999-12-31T23:59"}, "Enter the date and time of the contact."),
    ({"at": "0001-01-01T00:00"}, "A contact cannot be before the referral was received"),
    ({"at": "2026-10-31T09:00"}, "A contact cannot be before the referral was received"),
    ({"minutes": "-1"}, "a whole number from 0 to 600"),
    ({"minutes": "601"}, "a whole number from 0 to 600"),
    ({"minutes": "ten"}, "a whole number from 0 to 600"),
    ({"minutes": "²"}, "a whole number from 0 to 600"),
    ({"minutes": "4.5"}, "a whole number from 0 to 600"),
    ({"minutes": ""}, "a whole number from 0 to 600"),
    ({"method": "fax"}, "Choose a method from the list."),
    ({"outcome": "vanished"}, "Choose an outcome from the list."),
    ({"outcome": ""}, "Choose an outcome from the list."),
    ({"direction": "sideways"}, "Choose who made the contact."),
    ({"activity": "golf"}, "Choose an activity from the list."),
    ({"note": "x" * 2001}, "Use at most 2000 characters; this has 2001."),
    ({"interpreter_used": "y", "interpreter_language": ""}, "Say which language the interpreter spoke."),
])
def test_bad_contacts_are_refused(app, client, member_id, overrides, message):
    if overrides.get("at") == "FUTURE":
        overrides["at"] = _future()
    response = client.post(f"/members/{member_id}/contact", data=form(**{"note": "typed words", **overrides}), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body and "<html" not in body
    assert "Nothing was saved yet" in body
    if "note" not in overrides:
        assert "typed words" in body          # what was typed is kept
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ContactAttempt.id))) == 0


def test_bad_contact_without_htmx_gets_the_whole_page(client, member_id):
    response = client.post(f"/members/{member_id}/contact", data=form(method="fax"))
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)


def test_only_the_author_corrects_a_contact_and_the_audit_keeps_both(app, client, auth, cm, member_id):
    client.post(f"/members/{member_id}/contact", data=form(minutes="5"), headers=HX)
    with app.app_context():
        contact_id = db.session.scalar(db.select(ContactAttempt.id))
    url = f"/members/{member_id}/contact/{contact_id}/edit"
    edit = client.get(url, headers=HX)
    assert edit.status_code == 200 and "<html" not in edit.get_data(as_text=True)
    assert 'name="edit-minutes"' in edit.get_data(as_text=True)
    bad = client.post(url, data={f"edit-{k}": v for k, v in form(minutes="900", version="1").items()}, headers=HX)
    assert bad.status_code == 422
    good = client.post(url, data={f"edit-{k}": v for k, v in form(minutes="12", outcome="voicemail", version="1").items()},
                       headers=HX)
    assert good.status_code == 200 and events(good) == {"contactCorrected"}
    assert f'id="contact-row-{contact_id}"' in good.get_data(as_text=True)
    with app.app_context():
        contact = db.session.get(ContactAttempt, contact_id)
        assert (contact.minutes, contact.outcome) == (12, "voicemail") and contact.updated_at
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "update",
                                                              AuditEvent.record_type == "ContactAttempt"))
        assert event.changes["minutes"] == [5, 12] and event.changes["outcome"] == ["no_answer", "voicemail"]
    auth.logout()
    auth.login("coordinator")                 # sees every member, but did not write this contact
    assert client.get(url).status_code == 403
    assert client.post(url, data={f"edit-{k}": v for k, v in form(minutes="1").items()}).status_code == 403
    with app.app_context():
        assert db.session.get(ContactAttempt, contact_id).minutes == 12
    log = client.get(f"/members/{member_id}/contact/log", headers=HX).get_data(as_text=True)
    assert "/edit" not in log                 # the Correct link is shown to the author only


def test_contacts_are_never_deleted(client, member_id):
    assert client.delete(f"/members/{member_id}/contact/1").status_code == 405


def test_tab_view_is_audited(app, client, cm, member_id):
    assert client.get(f"/members/{member_id}/contact").status_code == 200
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "view"))
        assert (event.user_id, event.member_id, event.record_type) == (cm.id, member_id, "contact")


def test_finance_gets_403_and_another_case_manager_404(app, client, auth, member_id):
    auth.logout()
    auth.login("finance")
    assert client.get(f"/members/{member_id}/contact").status_code == 403
    assert client.post(f"/members/{member_id}/contact", data=form()).status_code == 403
    auth.logout()
    auth.login("case_manager", email="other@test.local")
    for url in ("", "/log", "/progress", "/message?method=email"):
        assert client.get(f"/members/{member_id}/contact{url}").status_code == 404, url
    assert client.post(f"/members/{member_id}/contact", data=form()).status_code == 404
    assert client.post(f"/members/{member_id}/contact/unable").status_code == 404


# Message templates -------------------------------------------------------------------------------

def test_spanish_template_offered_to_spanish_member_while_staff_uses_english(app, client, cm, member_id):
    with app.app_context():
        from hrsn import settings
        settings.put("org_phone", "(503) 555-0199")
        db.session.commit()
    response = client.get(f"/members/{member_id}/contact/message?method=email", headers=HX)
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Suggested email in Spanish" in body        # the staff's words: English
    assert "Hola, Ana:" in body and "Me llamo Maria Lopez" in body and "(503) 555-0199" in body
    assert 'href="mailto:ana%40example.org?subject=' in body
    text = client.get(f"/members/{member_id}/contact/message?method=text", headers=HX).get_data(as_text=True)
    assert "Hola, Ana. Soy Maria Lopez" in text and 'href="sms:5035550101?body=' in text
    assert 'id="contact-message"' in client.get(f"/members/{member_id}/contact/message?method=phone",
                                                 headers=HX).get_data(as_text=True)


def test_english_member_gets_english_template_even_for_spanish_staff(app, client, auth):
    auth.login("case_manager", email="es@test.local", name="Luis", locale="es")
    with app.app_context():
        from hrsn.models import User
        me = db.session.scalar(db.select(User).where(User.email == "es@test.local"))
        mid = make_member("Mary", "Smith", assignee=me, preferred_language="en").id
    body = client.get(f"/members/{mid}/contact/message?method=text", headers=HX).get_data(as_text=True)
    assert "Hi Mary, this is Luis" in body


def test_message_used_is_stored_with_the_attempt(app, client, member_id):
    client.post(f"/members/{member_id}/contact", headers=HX, data=form(
        method="email", message_subject="Su vivienda", message_text="Hola, Ana: llámeme, por favor."))
    client.post(f"/members/{member_id}/contact", headers=HX, data=form(method="phone", message_text="ignored"))
    with app.app_context():
        email, phone = db.session.scalars(db.select(ContactAttempt).order_by(ContactAttempt.id)).all()
        assert (email.message_subject, email.message_text) == ("Su vivienda", "Hola, Ana: llámeme, por favor.")
        assert phone.message_text is None


def test_default_templates_exist_on_a_fresh_install(app, auth):
    auth.login("admin")
    page = auth.client.get("/admin/message-templates")
    assert page.status_code == 200
    with app.app_context():
        pairs = {(t.channel, t.language) for t in db.session.scalars(db.select(MessageTemplate))}
        assert pairs == {(channel, language) for channel in ("email", "text", "docs_email", "docs_text",
                                                             "paid_email", "paid_text")
                         for language in ("en", "es")}
    assert "Message templates" in auth.client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("body, named", [
    ("Hola {member_name}", "{member_name}"),
    ("Hola {member_first_name!r}", "{member_first_name}"),
    ("Llame al {org_phone", "{"),
    ("Hola {}", "{}"),
])
def test_template_with_unknown_placeholder_is_refused(app, auth, body, named):
    auth.login("admin")
    auth.client.get("/admin/message-templates")
    with app.app_context():
        template = db.session.scalar(db.select(MessageTemplate).where(MessageTemplate.channel == "text",
                                                                      MessageTemplate.language == "es"))
        template_id, before = template.id, template.body
    response = auth.client.post(f"/admin/message-templates/{template_id}", data={"body": body})
    assert response.status_code == 422
    assert f"Unknown placeholder: {named}" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MessageTemplate, template_id).body == before


def test_admin_saves_a_template_and_it_is_audited(app, auth):
    admin = auth.login("admin")
    auth.client.get("/admin/message-templates")
    with app.app_context():
        template_id = db.session.scalar(db.select(MessageTemplate.id).where(MessageTemplate.channel == "email"))
    response = auth.client.post(f"/admin/message-templates/{template_id}",
                                data={"subject": "Hello {member_first_name}", "body": "Call {org_phone}.", "version": "1"})
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "MessageTemplate"))
        assert event.user_id == admin.id and event.changes["body"][1] == "Call {org_phone}."


def test_only_admins_edit_templates(auth):
    auth.login("case_manager")
    assert auth.client.get("/admin/message-templates").status_code == 403


def test_template_helpers():
    assert template_problems("Hi {member_first_name}, call {org_phone}") == []
    assert template_problems("{{literal}} braces are fine") == []
    assert template_problems("{nope} and {case_manager_name} and {x}") == ["{nope}", "{x}"]
    assert fill_template("Hi {member_first_name}{callback_hours}", {"member_first_name": "Ana"}) == "Hi Ana"


# Consent -----------------------------------------------------------------------------------------

def consent_form(**overrides):
    data = {"given_on": "2026-11-02", "form": "verbal", "scope": "Trillium and the county housing office",
            "expires_on": "2027-11-02"}
    data.update(overrides)
    return data


def test_consent_recorded_shown_in_header_and_withdrawn(app, client, cm, member_id):
    response = client.post(f"/members/{member_id}/contact/consent", data=consent_form(), headers=HX)
    assert response.status_code == 200 and events(response) == {"memberChanged"}
    assert "<html" not in response.get_data(as_text=True)
    header = client.get(f"/members/{member_id}/header", headers=HX).get_data(as_text=True)
    assert "Consent" in header and "Valid until Nov 2, 2027" in header
    with app.app_context():
        from hrsn.models import Member
        member = db.session.get(Member, member_id)
        assert has_valid_consent(member, on=date(2027, 1, 1))
        assert not has_valid_consent(member, on=date(2027, 11, 3))          # expired
        assert not has_valid_consent(member, on=date(2026, 11, 1))          # not given yet
        consent_id = db.session.scalar(db.select(Consent.id))
        assert db.session.get(Consent, consent_id).recorded_by_id == cm.id
    url = f"/members/{member_id}/contact/consent/{consent_id}/withdraw"
    assert client.post(url, data={"withdrawn_on": "2026-10-01"}, headers=HX).status_code == 422   # before given
    assert client.post(url, data={"withdrawn_on": "2026-11-10", "withdrawn_note": "Changed her mind", "version": "1"},
                       headers=HX).status_code == 200
    assert "Withdrawn on Nov 10, 2026" in client.get(f"/members/{member_id}/header").get_data(as_text=True)
    assert client.post(url, data={"withdrawn_on": "2026-11-11"}, headers=HX).status_code == 422
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert not has_valid_consent(member, on=date(2026, 12, 1))
        assert has_valid_consent(member, on=date(2026, 11, 5))
        actions = [e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.record_type == "Consent"))]
        assert actions == ["create", "update"]


def test_header_without_consent_says_none_recorded(client, member_id):
    assert "None recorded" in client.get(f"/members/{member_id}").get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"given_on": ""}, "Enter the date the consent was given."),
    ({"given_on": "02/11/2026"}, "Enter a date like 2026-03-31."),
    ({"given_on": "2099-01-01", "expires_on": ""}, "The date cannot be in the future."),
    ({"expires_on": "2026-11-01"}, "The expiry date must come after the date given."),
    ({"form": "telepathy"}, "Choose verbal or signed."),
    ({"scope": "  "}, "Say with whom information may be shared and why."),
])
def test_bad_consent_is_refused(app, client, member_id, overrides, message):
    response = client.post(f"/members/{member_id}/contact/consent", data=consent_form(**overrides), headers=HX)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Consent.id))) == 0


# Severity ----------------------------------------------------------------------------------------

def test_severity_only_after_the_member_is_reached(app, client, cm, member_id):
    data = {"housing_urgency": "immediate", "language_needs": "Spanish"}
    assert client.post(f"/members/{member_id}/contact/severity", data=data, headers=HX).status_code == 422
    attempt(app, member_id, cm.id, "phone", "reached", days_ago=1)
    bad = client.post(f"/members/{member_id}/contact/severity", data={"safety_concern": "y"}, headers=HX)
    assert bad.status_code == 422 and "Describe the safety concerns" in bad.get_data(as_text=True)
    ok = client.post(f"/members/{member_id}/contact/severity", data=data, headers=HX)
    assert ok.status_code == 200 and "Immediate" in ok.get_data(as_text=True)
    assert client.post(f"/members/{member_id}/contact/severity", data=data, headers=HX).status_code == 422
    with app.app_context():
        assessment = db.session.scalar(db.select(SeverityAssessment))
        contact = db.session.scalar(db.select(ContactAttempt))
        assert assessment.contact_id == contact.id and assessment.housing_urgency == "immediate"


# Today and the report back to the payer ----------------------------------------------------------

def test_today_lists_attempts_due_and_members_ready_for_unable_to_reach(app, client, cm, member_id):
    page = client.get("/").get_data(as_text=True)
    assert "Outreach attempts due" in page and "Attempt 1 was due" in page
    for i, method in enumerate(["phone", "text", "phone"]):
        attempt(app, member_id, cm.id, method, days_ago=10 - i)
    page = client.get("/").get_data(as_text=True)
    assert "Attempt 4" not in page
    assert "3 attempts by 2 methods: the outreach rule is met" in page
    client.post(f"/members/{member_id}/contact/unable")
    page = client.get("/").get_data(as_text=True)
    assert "the outreach rule is met" not in page and "Unable to reach since" in page


def test_unable_to_reach_list_and_report(app, client, cm, member_id):
    for i, method in enumerate(["phone", "text", "phone"]):
        attempt(app, member_id, cm.id, method, days_ago=10 - i)
    client.post(f"/members/{member_id}/contact/unable")
    page = client.get("/contact/unable-to-reach").get_data(as_text=True)
    assert "Ana García" in page and "3 attempts, 2 methods" in page
    # The outcome as the member's payer's platform words it (the admin's words, else the common ones).
    with app.app_context():
        from hrsn.models import PayerOutcomeWord, Referral
        mark_id = db.session.scalar(db.select(UnableToReach.id))
        payer_id = db.session.scalar(db.select(Referral.payer_id).where(Referral.member_id == member_id))
        word = db.session.scalar(db.select(PayerOutcomeWord).where(PayerOutcomeWord.payer_id == payer_id,
                                                                   PayerOutcomeWord.reason == "unable_to_reach"))
        word.words = "No contact - exhausted outreach"
        db.session.commit()
    page = client.get("/contact/unable-to-reach").get_data(as_text=True)
    assert "<td>No contact - exhausted outreach</td>" in page
    csv_text = client.get("/contact/unable-to-reach.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("Member,Medicaid ID") and "Ana García" in csv_text
    assert csv_text.splitlines()[0].split(",")[4] == "Outcome in the payer's words"
    assert "No contact - exhausted outreach" in csv_text.splitlines()[1]
    assert client.post(f"/contact/unable-to-reach/{mark_id}/reported").status_code == 302
    with app.app_context():
        reported_on = db.session.get(UnableToReach, mark_id).reported_on
        assert reported_on == local_today()
    # Once reported, the member leaves the download of those to report; every mark is there with its date.
    assert "Ana García" not in client.get("/contact/unable-to-reach.csv").get_data(as_text=True)
    everything = client.get("/contact/unable-to-reach.csv?all=1")
    assert "unable-to-reach-all.csv" in everything.headers["Content-Disposition"]
    assert everything.get_data(as_text=True).splitlines()[1].endswith(reported_on.isoformat())


def test_the_unable_to_reach_list_shows_marks_to_report_first_the_latest_first(app, client, cm):
    import re
    with app.app_context():
        marks = (("Old", "Reported", 40, 30), ("Older", "Waiting", 20, None), ("Newer", "Waiting", 5, None))
        for first, last, days_ago, reported_days_ago in marks:
            member = make_member(first, last, assignee=db.session.merge(cm), status="closed")
            db.session.add(UnableToReach(member_id=member.id, referral_id=member.latest_referral.id,
                                         marked_on=local_today() - timedelta(days=days_ago), marked_by_id=cm.id,
                                         attempts=3, methods=2, reported_on=None if reported_days_ago is None
                                         else local_today() - timedelta(days=reported_days_ago)))
        db.session.commit()
    page = client.get("/contact/unable-to-reach").get_data(as_text=True)
    shown = list(dict.fromkeys(re.findall(r"(Old Reported|Older Waiting|Newer Waiting)", page)))   # first seen
    assert shown == ["Newer Waiting", "Older Waiting", "Old Reported"]


def test_today_counts_every_mark_to_report_of_the_members_one_may_see(app, client, cm):
    """Eight lines, the count of all ten; another case manager's member's mark is neither shown nor counted."""
    import re
    with app.app_context():
        other = make_user("case_manager", email="other@test.local")
        owners = [db.session.merge(cm)] * 10 + [other]
        for i, owner in enumerate(owners):
            member = make_member(f"Mark{i}", "Mine" if owner is not other else "Theirs", assignee=owner,
                                 status="closed")
            db.session.add(UnableToReach(member_id=member.id, referral_id=member.latest_referral.id,
                                         marked_on=local_today() - timedelta(days=20 - i), marked_by_id=owner.id,
                                         attempts=3, methods=2))
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    section = page[page.index('id="today-unable-report"'):]
    section = section[:section.index("</section>")]
    assert re.search(r'class="count">10<', section)
    assert section.count("Mine</a>") == 8 and "Theirs" not in section
    assert "Mark0 Mine" in section and "Mark9 Mine" not in section       # the longest waiting first


def test_spanish_interface(app, client, cm, member_id):
    client.post("/language", data={"lang": "es"})
    page = client.get(f"/members/{member_id}/contact").get_data(as_text=True)
    assert 'lang="es"' in page and "Registrar un contacto" in page and "0 de 3 intentos" in page
    bad = client.post(f"/members/{member_id}/contact", data=form(minutes="900"), headers=HX)
    assert "un número entero de 0 a 600" in bad.get_data(as_text=True)


def test_seed_demo_puts_members_at_every_point_of_the_rule(app, runner):
    result = runner.invoke(args=["seed-demo", "--members", "40", "--password", "demo pass phrase"])
    assert result.exit_code == 0, result.output
    with app.app_context(), app.test_request_context():
        from hrsn.models import Member
        rule = OutreachRule.current()
        states = set()
        for member in db.session.scalars(db.select(Member)):
            p = outreach_progress(member, rule)
            states.add("reached" if p.reached else "unable" if p.unable else "met" if p.met
                       else f"{p.attempts}-{p.methods}")
            if member.status == "enrolled" and p.last_attempt_at:
                assert p.reached, member.id        # enrolled members were reached
            if member.status in ("redirected", "declined"):
                assert not p.unable
        assert {"reached", "unable", "met", "0-0", "1-1", "2-2"} <= states, states
        statuses = {c.status() for c in db.session.scalars(db.select(Consent))}
        assert {"valid", "expired", "withdrawn"} <= statuses


def test_minutes_are_kept_for_the_time_report(app, client, cm, member_id):
    client.post(f"/members/{member_id}/contact", data=form(minutes="25", activity="tenancy"), headers=HX)
    client.post(f"/members/{member_id}/contact", data=form(minutes="5"), headers=HX)
    with app.app_context():
        rows = db.session.scalars(db.select(ContactAttempt).where(ContactAttempt.at >= utcnow() - timedelta(days=7))).all()
        assert sorted((r.author_id, r.activity, r.minutes) for r in rows) == [
            (cm.id, "outreach", 5), (cm.id, "tenancy", 25)]


GARBAGE = [{}, {"at": "\x00", "minutes": "1e9", "method": ["phone", "text"], "given_on": "2026-02-30",
                "expires_on": "-1", "withdrawn_on": "9999-99-99", "housing_urgency": "<b>", "body": "{" * 5000,
                "subject": "}{", "note": "ñ" * 3000, "interpreter_used": "maybe", "form": ""}]


@pytest.mark.parametrize("data", GARBAGE)
def test_no_input_gives_a_server_error(app, client, auth, cm, member_id, data):
    attempt(app, member_id, cm.id, "phone", "reached", days_ago=1)
    with app.app_context():
        contact_id = db.session.scalar(db.select(ContactAttempt.id))
        db.session.add(Consent(member_id=member_id, given_on=date(2026, 11, 2), form="verbal", scope="x",
                               recorded_by_id=cm.id))
        db.session.commit()
        consent_id = db.session.scalar(db.select(Consent.id))
    base = f"/members/{member_id}/contact"
    for url in (base, f"{base}/{contact_id}/edit", f"{base}/consent", f"{base}/consent/{consent_id}/withdraw",
                f"{base}/severity", f"{base}/unable", f"{base}/consent/999/withdraw", f"{base}/999/edit"):
        for headers in (HX, {}):
            assert client.post(url, data=data, headers=headers).status_code < 500, url
    assert client.get(f"{base}/message?method=%00").status_code == 200
    auth.logout()
    auth.login("admin")
    client.get("/admin/message-templates")
    assert client.post("/admin/message-templates/1", data=data).status_code < 500
