"""Who sees what of the case step: finance works the payment queue and never reaches notes, contacts, documents
or the screening; Today's case sections per role; telling the member in their language; notes; the check
request on paper; the admin's funding sources and limits."""
from datetime import timedelta

import pytest

from cases_helpers import HX, Desk, month_start, ready_member
from conftest import PASSWORD, events, make_user, org_today
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import CaseNote, ContactAttempt, FundingSource, Payment, ServiceLimit, User


@pytest.fixture
def desk(app, client, auth):
    user = auth.login("case_manager", email="maria@test.local", name="Maria Lopez")
    with app.app_context():
        ids = ready_member(assignee=user)
    return Desk(app, client, ids)


def paid_case(desk, auth):
    """A case with one check requested and paid by finance; leaves finance signed in."""
    case_id = desk.authorized()
    desk.check(case_id)
    payment_id = desk.last_payment().id
    desk.client.post(f"/members/{desk.member}/case/{case_id}/notes", data={"note-text": "Landlord prefers checks."})
    auth.logout()
    auth.login("finance", email="frank@test.local", name="Frank Finance")
    desk.step(payment_id, "paid", number="1042", view="queue")
    return case_id, payment_id


def test_finance_works_the_queue_and_never_reaches_notes_or_documents(app, client, desk, auth):
    case_id, payment_id = paid_case(desk, auth)
    queue = client.get("/payments?queue=to_invoice").get_data(as_text=True)
    assert f'id="queue-row-{payment_id}"' in queue and "Rosa Núñez" in queue and "Check 1042" in queue
    assert "Invoices to send <span class=\"count\">1</span>" in queue
    tab = client.get(f"/members/{desk.member}/case?case={case_id}")
    text = tab.get_data(as_text=True)
    assert tab.status_code == 200 and "$1,150.00" in text and "Record the invoice" in text
    assert "Landlord prefers checks." not in text and "Case notes" not in text and "Request a check" not in text
    member = desk.member
    for url in (f"/members/{member}", f"/members/{member}/contact", f"/members/{member}/documents",
                f"/members/{member}/screenings/new", f"/members/{member}/case/{case_id}/notes",
                f"/members/{member}/case/{case_id}/contacts", f"/members/{member}/case/new",
                f"/members/{member}/case/{case_id}/edit"):
        assert client.get(url).status_code == 403, url
    for url, data in ((f"/members/{member}/case/{case_id}/notes", {"note-text": "x"}),
                      (f"/members/{member}/case/{case_id}/payments", {"pay-amount": "1"}),
                      (f"/members/{member}/payments/{payment_id}/tell", {"channel": "text"}),
                      (f"/members/{member}/case/{case_id}/move", {"move-to": "closed"})):
        assert client.post(url, data=data).status_code == 403, url
    assert desk.read(lambda: db.session.scalar(db.select(db.func.count(CaseNote.id)))) == 1


def test_a_case_manager_cannot_record_finance_steps_or_open_the_queue(app, client, desk):
    case_id = desk.authorized()
    desk.check(case_id)
    assert client.get("/payments").status_code == 403
    desk.step(desk.last_payment().id, "paid", number="1", expect=403)
    other = app.test_client()
    with app.app_context():
        make_user("case_manager", email="sam@test.local")
    other.post("/login", data={"email": "sam@test.local", "password": PASSWORD})
    assert other.get(f"/members/{desk.member}/case").status_code == 404        # not their member


def test_telling_the_member_the_check_was_mailed_in_their_language(app, client, desk, auth):
    case_id, payment_id = paid_case(desk, auth)
    auth.logout()
    client.post("/login", data={"email": "maria@test.local", "password": PASSWORD})
    assert "Tell the member the check was mailed" in client.get(f"/members/{desk.member}/case").get_data(as_text=True)
    told = client.post(f"/members/{desk.member}/payments/{payment_id}/tell", data={"channel": "text"}, headers=HX)
    assert told.status_code == 200 and events(told) == {"contactLogged"}
    assert "sms:5035550142?body=" in told.get_data(as_text=True)

    def read():
        contact = db.session.scalar(db.select(ContactAttempt))
        return contact.method, contact.outcome, contact.message_text, db.session.get(Payment, payment_id).told_contact_id
    method, outcome, text, told_id = desk.read(read)
    assert (method, outcome) == ("text", "message_sent") and told_id
    assert "Enviamos el pago de 1.150,00" in text and "el cheque 1042 se envió por correo" in text and "Oak Street Apartments" in text
    again = client.post(f"/members/{desk.member}/payments/{payment_id}/tell", data={"channel": "text"}, headers=HX)
    assert again.status_code == 409 and "or they were told" in again.get_data(as_text=True)


def test_today_sections_per_role(app, client, desk, auth):
    case_id = desk.open_case()
    desk.submit(case_id, **{"request-submitted_on": (org_today() - timedelta(days=10)).isoformat()})
    today = client.get("/").get_data(as_text=True)
    assert "Service requests waiting on the payer" in today and "Sent to the payer 10 days ago" in today
    desk.decide(case_id, end_on=(org_today() + timedelta(days=20)).isoformat(),
                start_on=month_start(-4).isoformat())
    today = client.get("/").get_data(as_text=True)
    assert "Sent to the payer 10 days ago" not in today                        # answered: off the list
    assert "Authorizations ending soon" in today and "Authorization AUTH-1 ends" in today and "6 months left" in today
    desk.check(case_id, month=-1, amount="100")
    settings_on(desk)
    auth.logout()
    auth.login("coordinator", email="carmen@test.local")
    coordinator = client.get("/").get_data(as_text=True)
    assert "Check requests to approve" in coordinator and "$100.00 to Pat O&#39;Hara" in coordinator
    auth.logout()
    auth.login("finance", email="frank@test.local")
    finance = client.get("/").get_data(as_text=True)
    assert "Check requests waiting on finance or approval" in finance and "Service requests waiting" not in finance
    assert "Check requests to approve" not in finance
    section = client.get("/today/case-checks", headers=HX)
    assert section.status_code == 200 and "<html" not in section.get_data(as_text=True)


def settings_on(desk):
    def put():
        settings.put("case_approval", "on")
        db.session.commit()
    desk.read(put)


def test_next_months_payment_due_and_invoices_not_accepted(app, client, desk, auth):
    case_id = desk.authorized()
    desk.check(case_id, month=0)
    today = client.get("/").get_data(as_text=True)
    assert "Next month&#39;s payment due" in today and "not requested yet (authorization AUTH-1)" in today
    payment_id = desk.last_payment().id
    auth.logout()
    auth.login("finance", email="frank@test.local")
    desk.step(payment_id, "paid", number="77")
    desk.step(payment_id, "invoiced", number="INV-9", day=(org_today() - timedelta(days=40)).isoformat())
    finance = client.get("/").get_data(as_text=True)
    assert "Invoices not accepted yet" in finance and "Invoice INV-9 sent" in finance


def test_the_check_request_prints_as_a_pdf(app, client, desk, auth):
    case_id = desk.authorized()
    desk.check(case_id, memo="<b>Rent & fees</b> %(x)s")
    payment_id = desk.last_payment().id
    response = client.get(f"/payments/{payment_id}/check-request.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) > 1000
    from hrsn.models import AuditEvent
    assert desk.read(lambda: db.session.scalar(db.select(AuditEvent.record_type).where(
        AuditEvent.action == "view").order_by(AuditEvent.id.desc()))) == "case"


def test_the_admin_edits_funding_sources_and_limits(app, client, auth):
    auth.login("admin")
    assert "Funding sources" in client.get("/admin/").get_data(as_text=True)
    assert "County emergency rental assistance" in client.get("/admin/funding-sources").get_data(as_text=True)
    bad = client.post("/admin/funding-sources/new", data={"name_en": "", "name_es": "x", "sort_order": "a"})
    assert bad.status_code == 422 and "Enter the name in English." in bad.get_data(as_text=True)
    assert client.post("/admin/funding-sources/new", data={"name_en": "City fund", "name_es": "Fondo de la ciudad",
                                                           "sort_order": "9", "active": "y"}).status_code == 302
    limits = client.get("/admin/limits").get_data(as_text=True)
    assert "HRSN, Rent assistance: at most 6 months in any 36 months" in limits
    with app.app_context():
        source = db.session.scalar(db.select(FundingSource).where(FundingSource.name_en == "City fund"))
        ids = (db.session.scalar(db.select(ServiceLimit.payer_id)), source.id)
    data = {"payer_id": ids[0], "service_type_id": "5", "funding_source_id": ids[1], "unit": "dollars",
            "amount": "2.500,00", "lookback_months": ""}
    assert client.post("/admin/limits/new", data={**data, "amount": "-3"}).status_code == 422
    assert client.post("/admin/limits/new", data=data).status_code == 302
    assert "City fund, Tenancy support: at most $2,500.00 in a lifetime" in client.get("/admin/limits").get_data(
        as_text=True)
    assert client.post("/admin/settings", data={"case_approval": "maybe"}).status_code == 422


def test_another_members_case_or_payment_is_not_found(app, client, desk):
    case_id = desk.authorized()
    desk.check(case_id)
    payment_id = desk.last_payment().id
    with app.app_context():
        other = ready_member(first="Beto")["member"]          # unassigned and enrolled: not on this caseload
        maria = db.session.scalar(db.select(User).where(User.email == "maria@test.local"))
        mine = ready_member(first="Carla", assignee=maria)["member"]
    assert client.get(f"/members/{mine}/case?case={case_id}").status_code == 404
    assert client.get(f"/members/{mine}/case/{case_id}/glance", headers=HX).status_code == 404
    assert client.get(f"/members/{other}/case").status_code == 404
    sam = app.test_client()
    with app.app_context():
        make_user("case_manager", email="sam@test.local")
    sam.post("/login", data={"email": "sam@test.local", "password": PASSWORD})
    assert desk.step(payment_id, "cancelled", note="x", client=sam, expect=404)
    assert desk.payment(payment_id).status == "requested"


def test_without_htmx_a_change_redirects_and_a_refusal_shows_the_whole_page(app, client, desk):
    case_id = desk.authorized()
    data = {"pay-payee_id": desk.ids["landlord"], "pay-amount": "1,150.00", "pay-period": month_start(0).strftime("%Y-%m"),
            "pay-funding_source_id": desk.ids["sources"]["HRSN"], "pay-authorization_id": desk.authorization(case_id)}
    done = client.post(f"/members/{desk.member}/case/{case_id}/payments", data=data)
    assert done.status_code == 302 and f"/members/{desk.member}/case?case={case_id}" in done.location
    page = client.get(done.location).get_data(as_text=True)
    assert "Check request recorded." in page and "Rosa" in page
    refused = client.post(f"/members/{desk.member}/case/{case_id}/payments", data={**data, "pay-amount": "abc"})
    assert refused.status_code == 422 and "<html" in refused.get_data(as_text=True)


def test_after_a_step_focus_goes_to_the_next_one(app, client, desk, auth):
    case_id = desk.authorized()
    desk.check(case_id)
    payment_id = desk.last_payment().id
    auth.logout()
    auth.login("finance", email="frank@test.local")
    row = desk.step(payment_id, "paid", number="1042", view="queue").get_data(as_text=True)
    assert 'id="invoiced-%d-day"' % payment_id in row and "data-focus" in row
    assert row.index("data-focus") > row.index('id="invoiced-%d-day"' % payment_id)
    assert "Recorded: Paid." in row and "<html" not in row
