"""Factories and shortcuts for the case step's tests: a member ready for a service request, and `Desk`, which sends
what a case manager and finance send along the way (each request asserted to answer as expected)."""
from datetime import date, timedelta

from conftest import make_member, org_today
from hrsn.cases.figures import add_months
from hrsn.extensions import db
from hrsn.models import (Authorization, Case, CaseNote, ChecklistItem, EligibilityCheck, FundingSource, Member,
                         MemberThirdParty, PartyContact, Payer, Payment, ServiceRequest, ServiceType, ThirdParty,
                         local_today)

HX = {"HX-Request": "true"}


def month_start(offset: int) -> date:
    return add_months(org_today().replace(day=1), offset)


def ready_member(assignee=None, services=("rent",), language="es", first="Rosa", **kw) -> dict:
    """An enrolled member, eligible, every document received, a landlord and a utility linked: the ids tests need.
    Call inside an app context."""
    member = make_member(first, "Núñez", assignee=assignee, status="enrolled", services=list(services),
                         preferred_language=language, phone="(503) 555-0142", email="rosa@example.org",
                         received_on=org_today() - timedelta(days=40), **kw)
    db.session.add(EligibilityCheck(member_id=member.id, status="eligible", medicaid_verified_on=org_today(),
                                    medicaid_verified_how="portal"))
    for item in db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.member_id == member.id)):
        item.move("received", None)
    landlord = ThirdParty(kind="landlord", name="Pat O'Hara", organization="Oak Street Apartments",
                          mailing_address="PO Box 1200, Salem, OR 97301")
    utility = ThirdParty(kind="utility", name="Customer service", organization="Portland General Electric")
    db.session.add_all([landlord, utility])
    db.session.flush()
    db.session.add_all([MemberThirdParty(member_id=member.id, third_party_id=landlord.id),
                        MemberThirdParty(member_id=member.id, third_party_id=utility.id)])
    db.session.commit()
    return {"member": member.id, "landlord": landlord.id, "utility": utility.id, "payer": member.latest_referral.payer_id,
            "sources": {s.name_en: s.id for s in db.session.scalars(db.select(FundingSource))},
            "services": {s.code: s.id for s in db.session.scalars(db.select(ServiceType))}}


class Desk:
    """One signed-in client working on one member's cases."""

    def __init__(self, app, client, ids):
        self.app, self.client, self.ids = app, client, ids
        self.member = ids["member"]

    def read(self, fn):
        with self.app.app_context():
            return fn()

    def payer_order(self, invoice_first: bool) -> None:
        def change():
            db.session.get(Payer, self.ids["payer"]).invoice_before_payment = invoice_first
            db.session.commit()
        self.read(change)

    def open_case(self, service="rent", source="HRSN", monthly="1,150.00", explained=True, **extra) -> int:
        data = {"service_type_id": self.ids["services"][service], "payer_id": self.ids["payer"],
                "funding_source_id": self.ids["sources"][source], "monthly": monthly,
                "rules_explained_on": org_today().isoformat() if explained else "", **extra}
        response = self.client.post(f"/members/{self.member}/case/new", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return self.read(lambda: db.session.scalar(db.select(Case.id).order_by(Case.id.desc())))

    def submit(self, case_id, expect=200, **extra):
        data = {"request-submitted_on": (org_today() - timedelta(days=2)).isoformat(),
                "request-sent_to": "Trillium HRSN team", **extra}
        return self._post(f"/members/{self.member}/case/{case_id}/requests", data, expect)

    def request_id(self, case_id) -> int:
        return self.read(lambda: db.session.scalar(db.select(ServiceRequest.id).where(ServiceRequest.case_id == case_id)
                                                   .order_by(ServiceRequest.id.desc())))

    def decide(self, case_id, decision="authorized", expect=200, **fields):
        request_id = self.request_id(case_id)
        version = self.read(lambda: db.session.get(ServiceRequest, request_id).version)
        data = {"decision": decision, "decided_on": org_today().isoformat(), "version": str(version)}
        if decision == "authorized":
            data.update({"number": "AUTH-1", "funding_source_id": self.ids["sources"]["HRSN"], "amount": "6,900.00",
                         "unit": "months", "quantity": "6", "start_on": month_start(0).isoformat(),
                         "end_on": (month_start(6) - timedelta(days=1)).isoformat()})
        data.update(fields)
        return self._post(f"/members/{self.member}/case/{case_id}/requests/{request_id}/decide",
                          {f"decision-{k}": v for k, v in data.items()}, expect)

    def authorized(self, **fields) -> int:
        """A rent case, sent and authorized: six months, $6,900, from this month."""
        case_id = self.open_case()
        self.submit(case_id)
        self.decide(case_id, **fields)
        return case_id

    def authorization(self, case_id) -> int | None:
        return self.read(lambda: db.session.scalar(db.select(Authorization.id).where(Authorization.case_id == case_id)
                                                   .order_by(Authorization.id.desc())))

    def check(self, case_id, month=0, amount="1,150.00", source="HRSN", auth=True, payee="landlord", expect=200,
              **extra):
        data = {"payee_id": self.ids[payee], "amount": amount,
                "period": month_start(month).strftime("%Y-%m") if month is not None else "",
                "funding_source_id": self.ids["sources"][source],
                "authorization_id": self.authorization(case_id) if auth else "", **extra}
        return self._post(f"/members/{self.member}/case/{case_id}/payments",
                          {f"pay-{k}": v for k, v in data.items()}, expect)

    def last_payment(self) -> Payment:
        return self.read(lambda: db.session.scalar(db.select(Payment).order_by(Payment.id.desc())))

    def payment(self, payment_id) -> Payment:
        return self.read(lambda: db.session.get(Payment, payment_id))

    def step(self, payment_id, to, expect=200, view="case", version=None, client=None, **fields):
        version = version or self.payment(payment_id).version
        data = {"to": to, "version": str(version), "view": view, "day": org_today().isoformat(), **fields}
        return self._post(f"/payments/{payment_id}/step", data, expect, client)

    def _post(self, url, data, expect, client=None):
        response = (client or self.client).post(url, data=data, headers=HX)
        assert response.status_code == expect, (response.status_code, response.get_data(as_text=True)[:3000])
        return response


def busy_case(member_id: int, user, n: int) -> dict:
    """A rent case with an authorization in months and one in hours, n payments at every status, n notes and n
    contacts with the landlord: for counting queries. Call inside an app context."""
    sources = {s.name_en: s for s in db.session.scalars(db.select(FundingSource))}
    rent = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "rent"))
    landlord = ThirdParty(kind="landlord", name="Pat O'Hara")
    member = db.session.get(Member, member_id)
    case = Case(member_id=member_id, service_type_id=rent.id, payer_id=member.latest_referral.payer_id,
                funding_source_id=sources["HRSN"].id, opened_on=local_today(), status="open",
                rules_explained_on=local_today(), monthly_cents=115000)
    db.session.add_all([landlord, case])
    db.session.flush()
    db.session.add(MemberThirdParty(member_id=member_id, third_party_id=landlord.id))
    request = ServiceRequest(case_id=case.id, member_id=member_id, submitted_on=local_today(), status="authorized")
    db.session.add(request)
    db.session.flush()
    auths = [Authorization(case_id=case.id, member_id=member_id, request_id=request.id, number=f"A-{unit}",
                           funding_source_id=sources["HRSN"].id, unit=unit, quantity=n, amount_cents=n * 115000,
                           start_on=month_start(-n), end_on=month_start(n)) for unit in ("months", "hours")]
    db.session.add_all(auths)
    db.session.flush()
    statuses = ["requested", "paid", "invoiced", "accepted", "rejected", "reimbursed", "cancelled"]
    for i in range(n):
        source = sources["HRSN"] if i % 3 else sources["County emergency rental assistance"]
        payment = Payment(case_id=case.id, member_id=member_id, payee_id=landlord.id, amount_cents=57500 + i,
                          period=month_start(-i), funding_source_id=source.id,
                          authorization_id=auths[0].id if i % 3 else None, requested_on=local_today(),
                          requested_by_id=user.id, check_number=f"{1000 + i}" if i % 7 else None)
        payment.begin(statuses[i % len(statuses)], user)
        db.session.add(payment)
        db.session.add(CaseNote(case_id=case.id, member_id=member_id, text=f"note {i}", by_id=user.id))
        db.session.add(PartyContact(case_id=case.id, member_id=member_id, third_party_id=landlord.id,
                                    contact_on=local_today(), method="phone", minutes=10, activity="tenancy",
                                    outcome="reached", by_id=user.id))
    waiting = Payment(case_id=case.id, member_id=member_id, payee_id=landlord.id, amount_cents=115000,
                      bill="Deposit", funding_source_id=sources["Agency funds"].id, requested_on=local_today())
    waiting.begin("requested", user)
    db.session.add(waiting)
    db.session.commit()
    return {"case": case.id, "payment": waiting.id}
