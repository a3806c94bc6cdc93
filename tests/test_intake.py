"""Intake: a referral is taken on one screen, checked field by field, checked for duplicates, and kept."""
import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from conftest import make_member, make_user, org_today
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import AuditEvent, Member, Payer, Referral



def good(**overrides):
    data = {"first_name": "José", "last_name": "Núñez", "dob": "1980-02-03", "medicaid_id": "or 1234567",
            "phone": "503.555.1234", "email": "Jose@Example.org", "address": "12 Oak St", "city": "Salem",
            "state": "or", "postal_code": "97301", "preferred_language": "es", "interpreter_needed": "y",
            "best_way_to_reach": "text", "best_time_to_reach": "Mañanas", "household_size": "4",
            "monthly_income": "1,850.50", "received_on": (org_today() - timedelta(days=2)).isoformat(),
            "source": "platform", "payer_id": "1", "external_id": "UU-1001", "services": ["rent", "utility"],
            "rent_months_owed": "3", "rent_per_month": "$1,200", "utility_owed": "310.25",
            "notice_date": (org_today() + timedelta(days=5)).isoformat(), "current_needs": "Behind on rent."}
    data.update(overrides)
    return data


def errors(response) -> str:
    return response.get_data(as_text=True)


def test_new_referral_creates_member_and_referral_with_checked_values(app, client, auth):
    user = auth.login("case_manager")
    response = client.post("/intake/new", data=good(assign_to_me="y"))
    assert response.status_code == 302
    with app.app_context():
        member = db.session.scalar(db.select(Member))
        assert response.headers["Location"].endswith(f"/members/{member.id}")
        assert (member.first_name, member.last_name, member.name_key) == ("José", "Núñez", "jose nunez")
        assert member.medicaid_id == "OR1234567"
        assert member.phone == "(503) 555-1234" and member.email == "Jose@example.org"
        assert member.state == "OR" and member.household_size == 4 and member.monthly_income_cents == 185050
        assert member.interpreter_needed and member.best_way_to_reach == "text"
        assert member.assignee_id == user.id
        referral = member.latest_referral
        assert referral.status == "new" and referral.taken_by_id == user.id
        assert referral.service_codes == {"rent", "utility"}
        assert (referral.rent_months_owed, referral.rent_per_month_cents, referral.utility_owed_cents) == (3, 120000, 31025)
        assert referral.urgency() == "urgent"
        created = {e.record_type for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "create"))}
        assert created == {"Member", "Referral"}
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "Referral"))
        assert event.changes["services"] == [None, ["rent", "utility"]] and event.member_id == member.id


def test_fields_for_services_not_requested_are_not_kept(app, client, auth):
    auth.login("coordinator")
    response = client.post("/intake/new", data=good(services=["utility"], notice_date=""))
    assert response.status_code == 302
    with app.app_context():
        referral = db.session.scalar(db.select(Referral))
        assert referral.rent_months_owed is None and referral.rent_per_month_cents is None
        assert referral.utility_owed_cents == 31025 and referral.urgency() == "normal"
        assert db.session.scalar(db.select(Member)).assignee_id is None


def bad() -> dict:
    """Each field's wrong value and what the form says about it (dates worked out when the test runs, not when it
    is collected: a run may cross midnight)."""
    return {
        "dob": ((org_today() + timedelta(days=1)).isoformat(), "The date of birth cannot be in the future."),
        "received_on": ("2026-02-30", "Enter a date like 2026-03-31."),
        "rent_per_month": ("-5", "The amount cannot be negative."),
        "utility_owed": ("99999999", "That amount is too large"),
        "household_size": ("250", "Enter the number of people in the household, from 1 to 20."),
        "medicaid_id": ("AB1", "This Medicaid ID does not look right for this payer"),
        "email": ("jose@@example", "Enter an email address like name@example.org."),
        "phone": ("555-12", "Enter a 10-digit phone number"),
        "postal_code": ("9730", "Enter a 5-digit ZIP code"),
        "first_name": ("12345", "A name needs at least one letter."),
        "monthly_income": ("lots", "Enter an amount in dollars"),
        "current_needs": ("x" * 5000, "Use at most 2000 characters; this has 5000."),
    }


def test_bad_input_is_refused_field_by_field_and_kept(app, client, auth):
    auth.login("coordinator")
    wrong = bad()
    data = good(**{name: value for name, (value, _message) in wrong.items()})
    response = client.post("/intake/new", data=data)
    assert response.status_code == 422
    page = errors(response)
    for name, (_value, message) in wrong.items():
        assert message in page, name
    assert "x" * 5000 in page                        # the long note is kept to be shortened, not lost
    assert 'value="jose@@example"' in page and 'value="-5"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Member.id))) == 0
        assert db.session.scalar(db.select(db.func.count(Referral.id))) == 0


def test_messages_in_spanish(client, auth):
    auth.login("coordinator", locale="es")
    response = client.post("/intake/new", data=good(dob="2999-01-01", services=[]))
    page = errors(response)
    assert response.status_code == 422
    assert "La fecha de nacimiento no puede estar en el futuro." in page
    assert "Elija al menos un servicio." in page
    assert "Nuevo referido" in page


@pytest.mark.parametrize("first,last", [("Zoë", "O'Brien"), ("Jean-Luc", "St. Pierre"), ("李", "小龍"),
                                        ("Nguyễn", "Thị Minh"), ("Ngozi", "Adébáyọ̀")])
def test_names_from_everywhere_are_valid(app, client, auth, first, last):
    auth.login("coordinator")
    response = client.post("/intake/new", data=good(first_name=first, last_name=last, medicaid_id=""))
    assert response.status_code == 302, errors(response)
    with app.app_context():
        assert db.session.scalar(db.select(Member)).full_name == f"{first} {last}"


def test_medicaid_id_follows_the_payers_pattern_then_the_setting(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        payer = db.session.get(Payer, 1)
        payer.medicaid_id_pattern = r"OR\d{7}"
        db.session.commit()
    assert client.post("/intake/new", data=good(medicaid_id="XY1234567")).status_code == 422
    assert client.post("/intake/new", data=good(medicaid_id="XY1234567", payer_id="2")).status_code == 302
    with app.app_context():
        db.session.get(Payer, 2).medicaid_id_pattern = ""
        settings.put("medicaid_id_pattern", r"\d{9}")
        db.session.commit()
    response = client.post("/intake/new", data=good(first_name="Ana", medicaid_id="AB12345", payer_id="2"))
    assert response.status_code == 422


def test_same_medicaid_id_is_refused_and_offers_the_member_on_file(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        other = make_member("Rosa", "Pérez", medicaid_id="OR1234567").id
    response = client.post("/intake/new", data=good(medicaid_id="or1234567"))
    assert response.status_code == 422
    page = errors(response)
    assert "A member with this Medicaid ID is already on file." in page
    assert f"/intake/members/{other}/referral" in page and "Add this referral to Rosa Pérez" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Member.id))) == 1


def test_duplicate_check_ignores_accents_and_case_and_is_audited(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        rosa = make_member("José", "Núñez", dob=date(1980, 2, 3)).id
        make_member("José", "Núñez", dob=date(1981, 2, 3))     # another person with the same name
    response = client.post("/intake/duplicates", data={"first_name": " jose ", "last_name": "NUNEZ",
                                                       "dob": "1980-02-03"}, headers={"HX-Request": "true"})
    page = errors(response)
    assert page.count("<li>") == 1 and f"/intake/members/{rosa}/referral" in page
    quiet = client.post("/intake/duplicates", data={"first_name": "Jose", "last_name": "Nunez", "dob": "1990-01-01"})
    assert "Possibly already on file" not in errors(quiet)
    with app.app_context():
        views = db.session.scalars(db.select(AuditEvent).where(AuditEvent.record_type == "duplicate check")).all()
        assert [v.member_id for v in views] == [rosa]


def test_attach_carries_what_was_typed_then_adds_a_second_referral(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("José", "Núñez", status="closed", received_on=date(2024, 3, 1)).id
    review = client.post(f"/intake/members/{member_id}/referral", data=good(from_intake="1", external_id="UU-77"))
    assert review.status_code == 200 and 'value="UU-77"' in errors(review)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Referral.id))) == 1
    saved = client.post(f"/intake/members/{member_id}/referral", data=good(external_id="UU-77"))
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/members/{member_id}")
    with app.app_context():
        member = db.session.get(Member, member_id)
        assert [r.status for r in member.referrals] == ["new", "closed"]
        assert member.latest_referral.external_id == "UU-77"
        assert db.session.scalar(db.select(db.func.count(Member.id))) == 1


def test_needs_fragment_shows_only_the_fields_that_apply(client, auth):
    auth.login("coordinator")
    page = errors(client.post("/intake/needs", data={"services": ["utility"], "rent_per_month": "900"},
                              headers={"HX-Request": "true"}))
    assert '<div class="needs-group" id="needs-rent" hidden>' in page
    assert '<div class="needs-group" id="needs-utility" >' in page
    assert 'value="900"' in page            # the hidden rent field still holds what was typed


def test_member_details_are_corrected_with_before_and_after_in_the_audit(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("Ana", "García", phone="(503) 555-0000").id
    form = client.get(f"/members/{member_id}/edit")
    assert 'value="(503) 555-0000"' in errors(form)
    response = client.post(f"/members/{member_id}/edit", data={
        "first_name": "Ana", "last_name": "García", "dob": "1980-05-17", "phone": "5035550199",
        "preferred_language": "es", "state": "OR", "version": "1"})
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "update"))
        assert event.changes["phone"] == ["(503) 555-0000", "(503) 555-0199"] and event.member_id == member_id


def test_referral_is_corrected_and_audited(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member = make_member("Ana", "García", rent_months_owed=1)
        referral_id, member_id = member.latest_referral.id, member.id
    form = client.get(f"/intake/referrals/{referral_id}/edit")
    assert form.status_code == 200 and 'value="1"' in errors(form)
    response = client.post(f"/intake/referrals/{referral_id}/edit", data=good(rent_months_owed="2", notice_date="", version="1"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Referral, referral_id).urgency() == "high"
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "update"))
        assert event.changes["rent_months_owed"] == [1, 2] and event.member_id == member_id


def test_access_rule_on_intake_screens(app, client, auth):
    with app.app_context():
        other = make_user("case_manager", email="other@test.local")
        theirs = make_member("Ana", "García", assignee=other, status="enrolled")
        theirs_id, referral_id = theirs.id, theirs.latest_referral.id
    auth.login("case_manager")
    assert client.get(f"/members/{theirs_id}/edit").status_code == 404
    assert client.get(f"/intake/referrals/{referral_id}/edit").status_code == 404
    assert client.post(f"/members/{theirs_id}/edit", data={"first_name": "X"}).status_code == 404
    auth.logout()
    auth.login("finance")
    assert client.get("/intake/new").status_code == 403
    assert client.get("/intake/blank.pdf").status_code == 403


@pytest.mark.parametrize("lang,labels", [("es", ["Formulario de admisión de referido", "Fecha de nacimiento", "Ayuda con la renta"]),
                                         ("en", ["Referral intake form", "Date of birth", "Rent assistance"])])
def test_blank_intake_pdf_in_each_language(client, auth, lang, labels):
    auth.login("case_manager")
    response = client.get(f"/intake/blank.pdf?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for label in labels:
        assert label in text


def test_member_search_is_posted_and_paged(app, client, auth):
    with app.app_context():
        for i in range(55):
            make_member("Ana", f"Zamora{i:02d}", status="enrolled")
        make_member("José", "Núñez", medicaid_id="OR5555555")
    auth.login("coordinator")
    first = client.get("/members/").get_data(as_text=True)
    assert first.count('<tr><td><a href="/members/') == 50 and "Page 1 of 2" in first
    second = client.post("/members/", data={"page": "2"}).get_data(as_text=True)
    assert second.count('<tr><td><a href="/members/') == 6
    found = client.post("/members/", data={"q": "NUNEZ"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert found.count('<tr><td><a href="/members/') == 1 and "José Núñez" in found
    assert "José Núñez" in client.post("/members/", data={"q": "or5555"}).get_data(as_text=True)
    assert client.post("/members/", data={"q": "%' OR 1=1 --", "page": "-3"}).status_code == 200


def test_each_line_of_the_members_list_shows_the_latest_referrals_status_and_who_has_the_member(app, client, auth):
    from hrsn.models import Referral
    with app.app_context():
        cm = make_user("case_manager", email="maria@test.local", name="Maria Lopez")
        rosa = make_member("Rosa", "Alvarez", assignee=cm, status="closed", received_on=date(2025, 3, 1),
                           medicaid_id="OR7777777")
        db.session.add(Referral(member_id=rosa.id, received_on=date(2026, 10, 2), source="platform", status="waitlist"))
        db.session.commit()
        make_member("Ana", "Benitez", status="new")
    auth.login("coordinator")
    page = client.get("/members/").get_data(as_text=True)
    lines = re.findall(r'<tr><td><a href="/members/\d+">([^<]+)</a></td><td>([^<]*)</td><td>([^<]*)</td>\s*'
                       r'<td>([^<]*)</td><td>([^<]*)</td></tr>', page)
    assert lines == [("Rosa Alvarez", "May 17, 1980", "OR7777777", "Maria Lopez", "Waitlist"),
                     ("Ana Benitez", "May 17, 1980", "—", "Unassigned", "New, not triaged")]


def test_a_colleagues_member_is_only_said_to_exist(app, client, auth):
    with app.app_context():
        colleague = make_user("case_manager", email="colleague@test.local")
        theirs = make_member("José", "Núñez", dob=date(1980, 2, 3), assignee=colleague, status="enrolled",
                             medicaid_id="OR7777777").id
    auth.login("case_manager")
    found = client.post("/intake/duplicates", data={"first_name": "José", "last_name": "Núñez", "dob": "1980-02-03"})
    page = errors(found)
    assert "A member on a colleague" in page and "Ask a coordinator to look" in page
    assert "José Núñez" not in page and "OR7777777" not in page and "1980" not in page     # nothing of theirs
    assert f"/intake/members/{theirs}/referral" not in page and f'href="/members/{theirs}"' not in page
    refused = client.post("/intake/new", data=good(medicaid_id="OR7777777"))
    refused_page = errors(refused)
    assert refused.status_code == 422 and "Ask a coordinator to look" in refused_page
    assert f"/members/{theirs}" not in refused_page and "born" not in refused_page
    assert client.get(f"/intake/members/{theirs}/referral").status_code == 404
    assert client.post(f"/intake/members/{theirs}/referral", data=good()).status_code == 404


def test_switching_language_mid_form_keeps_what_was_typed(app, client, auth):
    user = auth.login("coordinator")
    response = client.post("/intake/new", data=good(first_name="Zoë", rent_per_month="1,150", switch_lang="es"))
    page = errors(response)
    assert response.status_code == 200
    assert "Nuevo referido" in page and 'value="Zoë"' in page and 'value="1,150"' in page
    assert "Escriba" not in page                                  # shown again, not judged
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Member.id))) == 0
        assert db.session.get(type(user), user.id).locale == "es"
    assert 'name="switch_lang" value="en"' in page and 'form="intake-form"' in page
