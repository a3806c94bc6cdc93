"""The case step: opening a case, the service request refused until the member is ready, the payer's answer and
its authorization, and every payment through the payer's own order, with each step dated, attributed and audited."""
import pytest

from cases_helpers import HX, Desk, month_start, ready_member
from conftest import events, make_user, org_today
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (AuditEvent, Authorization, Case, ChecklistItem, EligibilityCheck, Payment, PaymentStep,
                         ServiceRequest)


@pytest.fixture
def cm(app, auth):
    return auth.login("case_manager", email="maria@test.local", name="Maria Lopez")


@pytest.fixture
def desk(app, client, cm):
    with app.app_context():
        ids = ready_member(assignee=cm)
    return Desk(app, client, ids)


def statuses(desk, payment_id):
    def read():
        steps = db.session.scalars(db.select(PaymentStep).where(PaymentStep.payment_id == payment_id)
                                   .order_by(PaymentStep.id)).all()
        return [(s.from_status, s.to_status) for s in steps]
    return desk.read(read)


def test_opening_a_case_fills_it_from_the_referral_and_keeps_its_history(app, client, desk):
    assert client.get(f"/members/{desk.member}/case/new").status_code == 200
    assert client.post(f"/members/{desk.member}/case/new", data={"service_type_id": "999"}).status_code == 422
    case_id = desk.open_case()
    page = client.get(f"/members/{desk.member}/case").get_data(as_text=True)
    assert "Rent assistance" in page and "$1,150.00" in page and 'data-status="open"' in page

    def read():
        case = db.session.get(Case, case_id)
        return case.status, case.monthly_cents, [(s.from_status, s.to_status) for s in case.steps], case.opened_by.name
    assert desk.read(read) == ("open", 115000, [(None, "open")], "Maria Lopez")


def test_a_request_is_refused_while_eligibility_or_documents_are_missing(app, client, desk, cm):
    case_id = desk.open_case()

    def undo():
        db.session.add(EligibilityCheck(member_id=desk.member, status="pending"))
        item = db.session.scalar(db.select(ChecklistItem).where(ChecklistItem.member_id == desk.member,
                                                                ChecklistItem.name_en == "Photo ID"))
        item.move("requested", None)
        db.session.commit()
    desk.read(undo)
    page = client.get(f"/members/{desk.member}/case").get_data(as_text=True)
    assert "Before the request can be sent:" in page and "Photo ID" in page
    refused = desk.submit(case_id, expect=422).get_data(as_text=True)
    assert "Medicaid eligibility verified (Documents tab)" in refused and "Photo ID" in refused
    assert desk.read(lambda: db.session.scalar(db.select(db.func.count(ServiceRequest.id)))) == 0


def test_request_sends_documents_then_the_payer_authorizes(app, client, desk):
    case_id = desk.open_case()
    document_id = desk.read(_a_document(desk.member))
    sent = desk.submit(case_id, **{"request-documents": str(document_id)})
    assert events(sent) == {"requestChanged"} and "waiting 2 days" in sent.get_data(as_text=True)
    assert "<html" not in sent.get_data(as_text=True)
    desk.submit(case_id, expect=409)                                # one request with the payer at a time
    bad = desk.decide(case_id, expect=422, number="", amount="ten", end_on=month_start(-2).isoformat())
    text = bad.get_data(as_text=True)
    assert "Enter the authorization number." in text and "Enter an amount in dollars" in text
    assert "The last day must come after the first." in text
    desk.decide(case_id)

    def read():
        request = db.session.scalar(db.select(ServiceRequest))
        auth = db.session.scalar(db.select(Authorization))
        item = db.session.scalar(db.select(ChecklistItem).where(ChecklistItem.name_en == "Photo ID"))
        return (request.status, [d.id for d in request.documents], [(s.from_status, s.to_status) for s in request.steps],
                auth.number, auth.amount_cents, auth.quantity, auth.unit, item.status)
    assert desk.read(read) == ("authorized", [document_id], [(None, "submitted"), ("submitted", "authorized")],
                               "AUTH-1", 690000, 6, "months", "sent")
    glance = client.get(f"/members/{desk.member}/case/{case_id}/glance", headers=HX).get_data(as_text=True)
    assert "$6,900.00" in glance and "6 months" in glance


def _a_document(member_id):
    def make():
        from hrsn.models import Document
        item = db.session.scalar(db.select(ChecklistItem).where(ChecklistItem.member_id == member_id,
                                                                ChecklistItem.name_en == "Photo ID"))
        document = Document(member_id=member_id, item_id=item.id, title="Photo ID")
        db.session.add(document)
        db.session.commit()
        return document.id
    return make


def test_pay_first_order_from_check_request_to_reimbursement(app, client, desk, auth):
    case_id = desk.authorized()
    made = desk.check(case_id)
    assert events(made) == {"paymentRequested", "paymentRecorded"}
    payment = desk.last_payment()
    assert (payment.status, payment.amount_cents, payment.period) == ("requested", 115000, month_start(0))
    desk.step(payment.id, "invoiced", expect=409)                # the check comes first for this payer
    auth.logout()
    auth.login("finance", email="frank@test.local", name="Frank Finance")
    desk.step(payment.id, "paid", expect=422, number="")          # a check needs its number
    desk.step(payment.id, "paid", number="1042")
    desk.step(payment.id, "invoiced", number="INV-77")
    desk.step(payment.id, "rejected", expect=422)                 # a rejection says why
    desk.step(payment.id, "rejected", note="Wrong member ID on the invoice")
    desk.step(payment.id, "invoiced", number="INV-77B")
    desk.step(payment.id, "accepted")
    done = desk.step(payment.id, "reimbursed", amount="1.150,00")
    assert events(done) == {"paymentRecorded"} and 'data-status="reimbursed"' in done.get_data(as_text=True)
    payment = desk.payment(payment.id)
    assert (payment.check_number, payment.invoice_number, payment.reimbursed_cents) == ("1042", "INV-77B", 115000)
    assert payment.rejected_reason is None and payment.paid_on == org_today()
    assert statuses(desk, payment.id) == [(None, "requested"), ("requested", "paid"), ("paid", "invoiced"),
                                          ("invoiced", "rejected"), ("rejected", "invoiced"),
                                          ("invoiced", "accepted"), ("accepted", "reimbursed")]

    def trail():
        steps = db.session.scalars(db.select(PaymentStep).where(PaymentStep.payment_id == payment.id)).all()
        audits = db.session.scalars(db.select(AuditEvent).where(AuditEvent.record_type == "Payment",
                                                                AuditEvent.action == "update")).all()
        return ([(s.number, s.note, s.by.name) for s in steps if s.to_status in ("invoiced", "rejected")],
                [a.changes["status"] for a in audits], {a.user.name for a in audits})
    numbers, audited, who = desk.read(trail)
    assert numbers == [("INV-77", None, "Frank Finance"), (None, "Wrong member ID on the invoice", "Frank Finance"),
                       ("INV-77B", None, "Frank Finance")]
    assert audited[0] == ["requested", "paid"] and audited[-1] == ["accepted", "reimbursed"]
    assert who == {"Frank Finance"}


def test_invoice_first_order_is_enforced(app, client, desk, auth):
    desk.payer_order(invoice_first=True)
    case_id = desk.authorized()
    desk.check(case_id)
    payment_id = desk.last_payment().id
    auth.logout()
    auth.login("finance", email="frank@test.local")
    refused = desk.step(payment_id, "paid", expect=409, number="1042")
    assert "is not the next step" in refused.get_data(as_text=True)
    assert "Invoice accepted before the check is mailed" in refused.get_data(as_text=True)
    desk.step(payment_id, "invoiced", number="INV-1")
    desk.step(payment_id, "paid", expect=409, number="1042")     # still waiting for the payer to accept
    desk.step(payment_id, "accepted")
    desk.step(payment_id, "paid", number="1042")
    desk.step(payment_id, "reimbursed", amount="1150")
    assert [to for _f, to in statuses(desk, payment_id)] == ["requested", "invoiced", "accepted", "paid", "reimbursed"]


def test_internal_approval_when_the_setting_is_on(app, client, desk, auth):
    desk.read(lambda: (settings.put("case_approval", "on"), db.session.commit()))
    case_id = desk.authorized()
    desk.check(case_id)
    payment_id = desk.last_payment().id
    assert desk.step(payment_id, "approved", expect=403)                    # a case manager does not approve
    auth.logout()
    auth.login("finance", email="frank@test.local")
    desk.step(payment_id, "paid", expect=409, number="1")                  # not before approval
    assert 'id="queue-row-' not in client.get("/payments?queue=to_pay").get_data(as_text=True)
    auth.logout()
    auth.login("coordinator", email="carmen@test.local")
    desk.step(payment_id, "approved")
    auth.logout()
    auth.login("finance", email="frank2@test.local")
    desk.step(payment_id, "paid", number="1042")
    assert [to for _f, to in statuses(desk, payment_id)] == ["requested", "approved", "paid"]
    assert f'id="queue-row-{payment_id}"' in client.get("/payments?queue=to_invoice").get_data(as_text=True)


@pytest.mark.parametrize("amount,month,message", [
    ("ten dollars", 0, "Enter an amount in dollars, like 1,250.50."),
    ("-5", 0, "The amount cannot be negative."),
    ("1150.505", 0, "Enter an amount in dollars, like 1,250.50."),
    ("0", 0, "Enter the amount, more than zero."),
    ("7,000.00", 0, "This payment would go past authorization AUTH-1: $6,900.00 authorized, $0.00 already requested "
                    "or paid, $6,900.00 left; this payment is $7,000.00."),
    ("1,150.00", 8, "is outside authorization AUTH-1"),
    ("1,150.00", None, "Say which month or which bill it pays."),
])
def test_bad_check_requests_are_refused_and_nothing_is_saved(app, client, desk, amount, month, message):
    case_id = desk.authorized()
    response = desk.check(case_id, month=month, amount=amount, expect=422, **{"memo": "typed memo"})
    text = response.get_data(as_text=True)
    assert message in text and "<html" not in text
    assert 'value="typed memo"' in text                                 # what was typed stays
    assert desk.read(lambda: db.session.scalar(db.select(db.func.count(Payment.id)))) == 0


def test_a_forged_payee_or_a_source_without_its_authorization_is_refused(app, client, desk):
    case_id = desk.authorized()
    assert "Choose who is paid" in desk.check(case_id, expect=422, payee_id="99999").get_data(as_text=True)
    refused = desk.check(case_id, auth=False, expect=422).get_data(as_text=True)
    assert "HRSN needs an authorization: choose one." in refused


def test_no_payment_on_a_closed_or_denied_case(app, client, desk):
    denied = desk.open_case()
    desk.submit(denied)
    desk.decide(denied, "denied", expect=422)                           # a denial says why
    desk.decide(denied, "denied", reason="Rent is not behind yet")
    refused = desk.check(denied, source="County emergency rental assistance", auth=False, expect=409)
    assert "The payer denied this case" in refused.get_data(as_text=True)
    closed = desk.authorized()
    version = desk.read(lambda: db.session.get(Case, closed).version)
    moved = client.post(f"/members/{desk.member}/case/{closed}/move", headers=HX,
                        data={"move-to": "closed", "move-reason": "Moved out of state", "move-version": version})
    assert moved.status_code == 200 and events(moved) == {"caseChanged"}
    assert "This case is closed" in desk.check(closed, expect=409).get_data(as_text=True)
    assert desk.read(lambda: (db.session.get(Case, closed).closed_on, db.session.scalar(
        db.select(db.func.count(Payment.id))))) == (org_today(), 0)


def test_a_check_number_is_not_reused_for_another_payee(app, client, desk, auth):
    case_id = desk.authorized()
    desk.check(case_id)
    rent = desk.last_payment().id
    desk.check(case_id, month=None, payee="utility", amount="212.40", source="Agency funds", auth=False,
               bill="PGE bill of November")
    bill = desk.last_payment().id
    desk.check(case_id, month=1)
    next_rent = desk.last_payment().id
    auth.logout()
    auth.login("finance", email="frank@test.local")
    desk.step(rent, "paid", number="1042")
    refused = desk.step(bill, "paid", number="1042", expect=422).get_data(as_text=True)
    assert "Check 1042 was already used for a payment to Pat O&#39;Hara (Oak Street Apartments)." in refused
    desk.step(next_rent, "paid", number="1042")              # one check may pay two months to the same landlord
    assert desk.payment(bill).status == "requested" and desk.payment(next_rent).check_number == "1042"


def test_two_people_recording_the_same_check_one_wins_the_other_is_told(app, client, desk, auth):
    from conftest import PASSWORD
    case_id = desk.authorized()
    desk.check(case_id)
    payment = desk.last_payment()
    auth.logout()
    auth.login("finance", email="frank@test.local", name="Frank Finance")
    other = app.test_client()
    with app.app_context():
        make_user("admin", email="alex@test.local", name="Alex Admin")
    assert other.post("/login", data={"email": "alex@test.local", "password": PASSWORD}).status_code == 302
    seen = payment.version                                   # both opened the queue at this version
    first = desk.step(payment.id, "paid", number="1042", version=seen, view="queue")
    second = desk.step(payment.id, "paid", number="1043", version=seen, view="queue", client=other, expect=409)
    assert 'data-status="paid"' in first.get_data(as_text=True)
    text = second.get_data(as_text=True)
    assert "Someone else recorded a step on this payment meanwhile" in text and "Frank Finance" in text
    assert "1042" in text and 'id="queue-row-' in text and "<html" not in text
    assert desk.payment(payment.id).check_number == "1042"
    assert statuses(desk, payment.id) == [(None, "requested"), ("requested", "paid")]


def test_case_move_refuses_a_stale_version(app, client, desk):
    case_id = desk.open_case()
    data = {"move-to": "on_hold", "move-reason": "Waiting for the lease", "move-version": "1"}
    assert client.post(f"/members/{desk.member}/case/{case_id}/move", data=data, headers=HX).status_code == 200
    again = client.post(f"/members/{desk.member}/case/{case_id}/move", headers=HX,
                        data={"move-to": "closed", "move-reason": "x", "move-version": "1"})
    assert again.status_code == 409 and "Waiting for the lease" in again.get_data(as_text=True)
    assert desk.read(lambda: db.session.get(Case, case_id).status) == "on_hold"
