"""What a new agency meets in its first week: day-one data made by the app, records that start active, the
fields a service asks for, the member's real state in the header, parts of a page that follow a change, amounts
and names typed in either language, and an audit trail a Spanish-speaking admin can read."""
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from conftest import announced, events, make_app, make_member, org_today
from hrsn import settings
from hrsn.extensions import db
from hrsn.forms import parse_money
from hrsn.models import (ChecklistItem, ChecklistTemplateItem, ContactAttempt, MessageTemplate, Payer, Referral,
                         ScreeningInstrument, ServiceType, User)

HX = {"HX-Request": "true"}


def test_a_fresh_install_has_what_the_first_referral_needs(tmp_path):
    app = make_app(tmp_path, migrated=True)          # the schema only, as `hrsn serve` leaves it
    client = app.test_client()
    client.post("/setup", data={"org_name": "Casa Esperanza", "org_timezone": "America/Denver", "default_locale": "en",
                                "name": "Rosa", "email": "rosa@example.org", "password": "tres rios tranquilos",
                                "confirm": "tres rios tranquilos", "locale": "en"})
    with app.app_context():
        counts = [db.session.scalar(db.select(db.func.count(model.id))) for model in
                  (Payer, ServiceType, ChecklistTemplateItem, MessageTemplate, ScreeningInstrument)]
        assert all(counts)
        pairs = db.session.execute(db.select(MessageTemplate.channel, MessageTemplate.language)).all()
        assert {lang for _c, lang in pairs} == {"en", "es"} and len(pairs) == 2 * len({c for c, _l in pairs})
        assert db.session.scalar(db.select(ServiceType).where(ServiceType.code == "rent")).asks_rent
    page = client.get("/intake/new").get_data(as_text=True)
    assert "Local CCO (rename me)" in page and "Rent assistance" in page
    with app.app_context():
        db.engine.dispose()


def test_the_organizations_time_zone_decides_what_today_is(app):
    with app.test_request_context():
        settings.put("org_timezone", "Pacific/Honolulu")
        db.session.commit()
        from flask_babel import get_timezone
        assert str(get_timezone()) == "Pacific/Honolulu"


def test_new_payers_and_services_start_active_and_new_staff_least_powerful(client, auth):
    auth.login("admin")
    for url in ("/admin/payers/new", "/admin/service-types/new"):
        box = re.search(r'<input[^>]*name="active"[^>]*>', client.get(url).get_data(as_text=True)).group(0)
        assert "checked" in box, url
    staff_form = client.get("/admin/users/new").get_data(as_text=True)
    assert re.search(r'<option selected value="case_manager">|<option value="case_manager" selected', staff_form)
    assert 'name="locale"' in staff_form


def test_a_service_asks_for_the_fields_its_admin_chose(app, client, auth):
    auth.login("admin")
    client.post("/admin/service-types/new", data={"code": "county_rent", "name_en": "Rent assistance (county)",
                                                  "name_es": "Ayuda con la renta (condado)", "sort_order": "3",
                                                  "asks_rent": "y", "asks_notice": "y", "active": "y"})
    fields = client.post("/intake/needs", data={"services": ["county_rent"]}, headers=HX).get_data(as_text=True)
    assert 'id="needs-rent" >' in fields or 'id="needs-rent">' in fields      # shown
    assert re.search(r'id="needs-utility"\s+hidden', fields)                    # not asked by this service


def test_the_header_shows_every_open_referral_most_urgent_first(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member = make_member("Ana", "García", status="enrolled", received_on=org_today() - timedelta(days=40))
        db.session.add(Referral(member_id=member.id, received_on=org_today(), source="self", status="new",
                                notice_date=org_today() + timedelta(days=3)))
        db.session.commit()
        member_id = member.id
    header = client.get(f"/members/{member_id}/header", headers=HX).get_data(as_text=True)
    assert header.index("New, not triaged") < header.index("Enrolled (active)")
    assert "urgency-urgent" in header and "urgency-normal" in header


def test_after_triage_the_heading_follows(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        referral_id = make_member("Ana", "García").latest_referral.id
    answer = client.post(f"/referrals/{referral_id}/triage", data={"decision": "accept"}, headers=HX)
    assert {"referralChanged", "memberChanged"} <= events(answer)
    summary = client.get(f"/referrals/{referral_id}/summary", headers=HX).get_data(as_text=True)
    assert "Enrolled (active)" in summary and 'data-hx-trigger="referralChanged from:body"' in summary


def test_asking_for_documents_moves_the_checklist_and_invents_no_minutes(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("Ana", "García", status="enrolled", email="ana@example.org").id
    answer = client.post(f"/members/{member_id}/documents/request", data={"channel": "email"}, headers=HX)
    assert "documentsRequested" in events(answer) and announced(answer)
    checklist = client.get(f"/members/{member_id}/documents/checklist", headers=HX).get_data(as_text=True)
    assert 'data-status="requested"' in checklist and 'data-status="needed"' not in checklist
    with app.app_context():
        assert db.session.scalar(db.select(ContactAttempt.minutes)) == 0
        assert {i.status for i in db.session.scalars(db.select(ChecklistItem))} == {"requested"}


@pytest.mark.parametrize("typed, cents", [
    ("1850", 185000), ("1,850.00", 185000), ("1.850,00", 185000), ("1.850", 185000), ("1,850", 185000),
    ("$1,850.5", 185050), ("1850,5", 185050), ("1 850,00 US$", 185000), ("0,75", 75), ("12.345.678,90", 1234567890),
])
def test_money_typed_either_way(typed, cents):
    assert parse_money(typed) == cents


@pytest.mark.parametrize("typed", ["1,85,0", "1.8500", "12.345,678", "1..850", "abc", "١٢٣", "1,850.00.00", "5,"])
def test_money_that_is_not_an_amount(typed):
    with pytest.raises(ValueError):
        parse_money(typed)


def test_spanish_amounts_are_read_and_shown_the_spanish_way(app, client, auth):
    auth.login("coordinator", locale="es")
    with app.app_context():
        member_id = make_member("Ana", "García", rent_months_owed=1).id
        referral_id = db.session.scalar(db.select(Referral.id))
    form = client.get(f"/intake/referrals/{referral_id}/edit").get_data(as_text=True)
    client.post(f"/intake/referrals/{referral_id}/edit", data={
        "received_on": "2026-11-01", "source": "platform", "services": ["rent"], "rent_months_owed": "2",
        "rent_per_month": "1.850,00", "version": "1"})
    with app.app_context():
        assert db.session.get(Referral, referral_id).rent_per_month_cents == 185000
    shown = client.get(f"/intake/referrals/{referral_id}/edit").get_data(as_text=True)
    assert 'value="1.850,00"' in shown or 'value="1850,00"' in shown
    assert "<html" in form and member_id


def test_a_long_note_is_refused_with_its_length_and_kept(app, client, auth):
    auth.login("coordinator")
    note = "palabra " * 300                                            # 2,400 characters
    page = client.post("/intake/new", data={"first_name": "Ana", "current_needs": note}).get_data(as_text=True)
    assert "Use at most 2000 characters; this has 2399." in page and note.strip() in page
    assert 'maxlength' not in re.search(r'<textarea[^>]*name="current_needs"[^>]*>', page).group(0)


def test_search_ignores_accents_and_an_id_opens_its_referral(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        make_member("Lucía", "Pérez Núñez", external_id="UU-77001")
        referral_id = db.session.scalar(db.select(Referral.id))
    assert "Lucía Pérez Núñez" in client.post("/members/", data={"q": "perez NUNEZ"}).get_data(as_text=True)
    assert "Lucía Pérez Núñez" in client.post("/referrals/", data={"q": "Perez Nunez"}).get_data(as_text=True)
    opened = client.post("/referrals/", data={"q": "uu-77001"})
    assert opened.status_code == 302 and opened.location.endswith(f"/referrals/{referral_id}")
    assert client.post("/referrals/", data={"q": "%"}).status_code == 200        # a wildcard is only a character


def test_the_audit_trail_speaks_spanish(app, client, auth):
    admin = auth.login("admin", locale="es")
    with app.app_context():
        member_id = make_member("Ana", "García", phone="(503) 555-0000").id
    client.post(f"/members/{member_id}/edit", data={"first_name": "Ana", "last_name": "García", "dob": "1980-05-17",
                                                    "phone": "", "preferred_language": "es", "state": "OR",
                                                    "version": "1"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Cambió" in page and "Teléfono" in page and "vacío" in page
    assert ">update<" not in page and "phone" not in page.split("<tbody>")[1] and "None" not in page
    assert admin.role == "admin"


def test_screening_pages_are_named_in_spanish_and_dates_written_one_way(app, client, auth):
    auth.login("coordinator", locale="es")
    with app.app_context():
        member_id = make_member("Ana", "García", status="enrolled").id
    page = client.get(f"/members/{member_id}/screenings/new").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Comenzar una evaluación" in title and f"Miembro {member_id}" in title and "García" not in title
    intake = client.get(f"/members/{member_id}").get_data(as_text=True)
    assert re.search(r"\d{1,2} nov 2026", intake) and "2026-11-01" not in intake


def test_the_blank_form_names_the_organization_and_keeps_spanish_labels_whole(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        settings.put("org_name", "Casa Esperanza")
        db.session.commit()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get("/intake/blank.pdf?lang=es").data)).pages)
    assert "Casa Esperanza" in text and "Ingreso mensual del hogar" in text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1
