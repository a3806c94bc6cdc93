"""The case step's settings and queries: the member's cases and what each holds, what stands in the way of a
service request or a payment, and finance's queues. Nothing here commits."""
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import and_, bindparam, case as when, func, or_
from sqlalchemy.orm import joinedload, selectinload

from hrsn import settings
from hrsn.access import rule_of, viewer, visible_to
from hrsn.extensions import db
from hrsn.models import (MISSING_STATUSES, PAYMENT_MOVES, PENDING_REQUESTS, Authorization, Case, CaseNote, CaseStep,
                         ChecklistItem, Document, FundingSource, Member, PartyContact, Payer, Payment, PaymentStep,
                         Role, ServiceRequest, eligibility_status, sources_of)
from hrsn.models.core import once_per_request
from hrsn.paging import paginate
from hrsn.settings import Spec
from hrsn.statements import built_once

SETTINGS = (
    Spec("case_request_days", 7, _l("Service requests: on Today when the payer has not answered after this many days"),
         minimum=1, maximum=365),
    Spec("case_approval", "off", _l("Check requests need a coordinator's approval before finance sees them"),
         "choice", choices=(("off", _l("No")), ("on", _l("Yes")))),
    Spec("case_check_days", 3, _l("Check requests: late on Today after waiting this many days"),
         minimum=1, maximum=60),
    Spec("case_invoice_days", 30, _l("Invoices: on Today when not accepted after this many days"),
         minimum=1, maximum=365),
    Spec("case_ending_days", 30, _l("Authorizations: on Today when they end within this many days"),
         minimum=1, maximum=365),
)
APPROVERS = (Role.COORDINATOR, Role.ADMIN)
CASES_PAGE = 10
PAYMENTS_PAGE = 20
NOTES_PAGE = 10
QUEUE_PAGE = 25
# Finance's queues, each named by the step that takes a payment out of it.
QUEUES = {"to_pay": ("paid", _l("Checks to pay")), "to_invoice": ("invoiced", _l("Invoices to send")),
          "awaiting": ("accepted", _l("Invoices awaiting acceptance")),
          "to_reimburse": ("reimbursed", _l("Reimbursements outstanding"))}


# What a payment's step form says: its button, and the label of each thing the step records (STEP_NEEDS).
STEP_WORDS = {
    "approved": {"button": _l("Approve")},
    "paid": {"button": _l("Record the check"), "day": _l("Date paid"), "number": _l("Check or transfer number")},
    "invoiced": {"button": _l("Record the invoice"), "day": _l("Date invoiced"), "number": _l("Invoice number")},
    "accepted": {"button": _l("Invoice accepted"), "day": _l("Date accepted")},
    "rejected": {"button": _l("Invoice rejected"), "day": _l("Date rejected"), "note": _l("Why the payer rejected it")},
    "reimbursed": {"button": _l("Record the reimbursement"), "day": _l("Date reimbursed"),
                   "cents": _l("Amount reimbursed")},
    "cancelled": {"button": _l("Cancel the request"), "note": _l("Why it is cancelled")},
}


def approval_on() -> bool:
    return settings.get("case_approval") == "on"


def may_step(user, to: str) -> bool:
    """Who records which step: coordinators approve; the fiscal side pays and records reimbursements; the invoice
    steps and cancelling belong to the case and the fiscal side alike (a solo case manager sends invoices)."""
    if to == "approved":
        return user.role in APPROVERS
    if to in ("paid", "reimbursed"):
        return user.can("payments")
    return user.can("case") or user.can("payments")


# The member's cases ---------------------------------------------------------------------------------

# The Case tab's statements are built once (hrsn.statements), the member's or the case's id bound when they run.

@built_once
def _cases_of():
    return (db.select(Case).where(Case.member_id == bindparam("member_id"))
            .options(joinedload(Case.service_type), joinedload(Case.payer))
            .order_by(Case.opened_on.desc(), Case.id.desc()))


def cases_page(member, page: int):
    return paginate(_cases_of(), page=page, per_page=CASES_PAGE, values={"member_id": member.id})


@built_once
def _case_of(history: bool, chosen: bool):
    query = (db.select(Case).where(Case.member_id == bindparam("member_id"))
             .options(joinedload(Case.service_type), joinedload(Case.payer), joinedload(Case.funding_source),
                      joinedload(Case.opened_by)))
    if history:
        query = query.options(selectinload(Case.steps).joinedload(CaseStep.by))
    if chosen:
        return query.where(Case.id == bindparam("case_id"))
    return query.order_by((Case.status == "closed"), Case.opened_on.desc(), Case.id.desc()).limit(1)


def load_case(member, case_id: int | None, history: bool = True) -> Case | None:
    """The case asked for, else the member's newest open case, else their newest case; with its history when the
    part of the tab drawn from it shows that."""
    return db.session.scalar(_case_of(history, bool(case_id)), {"member_id": member.id, "case_id": case_id})


@built_once
def _requests_of():
    return (db.select(ServiceRequest).where(ServiceRequest.case_id == bindparam("case_id"))
            .options(selectinload(ServiceRequest.documents), selectinload(ServiceRequest.steps))
            .order_by(ServiceRequest.submitted_on.desc(), ServiceRequest.id.desc()))


def requests_of(case) -> list[ServiceRequest]:
    return list(db.session.scalars(_requests_of(), {"case_id": case.id}))


def pending_request(requests) -> ServiceRequest | None:
    return next((r for r in requests if r.status in PENDING_REQUESTS), None)


def denied(case) -> bool:
    """The payer denied the case's request and nothing was authorized on it."""
    statuses = set(db.session.scalars(_REQUEST_STATUSES, {"case_id": case.id}))
    return "denied" in statuses and "authorized" not in statuses


_REQUEST_STATUSES = db.select(ServiceRequest.status).where(ServiceRequest.case_id == bindparam("case_id"))


def payment_blocked(case) -> str | None:
    """Why no check can be requested on this case at all; None when one can."""
    if case.status == "on_hold":
        return _("This case is on hold: no payment can be requested on it.")
    if case.status == "closed":
        return _("This case is closed: no payment can be requested on it.")
    if denied(case):
        return _("The payer denied this case's service request: no payment can be requested on it.")
    if case.rules_explained_on is None:
        return _("Before the first payment, record the day the program's rules were explained to the member "
                 "(Edit the case).")
    return None


def request_missing(member, case) -> list[str]:
    """What must be in place before a service request can be sent: eligibility and the required documents."""
    missing = []
    if eligibility_status(member) != "eligible":
        missing.append(_("Medicaid eligibility verified (Documents tab)"))
    names = db.session.scalars(db.select(ChecklistItem).where(
        ChecklistItem.member_id == member.id, ChecklistItem.service_code == case.service_type.code,
        ChecklistItem.status.in_(MISSING_STATUSES)).order_by(ChecklistItem.sort_order, ChecklistItem.id))
    return missing + [item.name for item in names]


_SENDABLE = (db.select(Document).where(Document.member_id == bindparam("member_id"))
             .order_by(Document.created_at.desc(), Document.id.desc()).limit(50))
_ACTIVE_SOURCES = db.select(FundingSource).where(FundingSource.active).order_by(FundingSource.sort_order,
                                                                                FundingSource.id)


def sendable_documents(member) -> list[Document]:
    """The member's files that can go with a service request."""
    return list(db.session.scalars(_SENDABLE, {"member_id": member.id}))


def active_sources() -> list[FundingSource]:
    """The funding sources in use (the tab's forms each offer them: read once per request)."""
    return once_per_request("active funding sources", lambda: list(db.session.scalars(_ACTIVE_SOURCES)))


@built_once
def _authorizations_of():
    return (db.select(Authorization).where(Authorization.case_id == bindparam("case_id"))
            .options(joinedload(Authorization.funding_source))
            .order_by(Authorization.start_on.desc(), Authorization.id.desc()))


def case_authorizations(case) -> list[Authorization]:
    return list(db.session.scalars(_authorizations_of(), {"case_id": case.id}))


def with_row(query):
    """Payments with what a line of finance's queue shows: a fixed count of queries, whatever their number."""
    return query.options(joinedload(Payment.case).joinedload(Case.payer), joinedload(Payment.payee),
                         joinedload(Payment.funding_source), joinedload(Payment.authorization),
                         joinedload(Payment.member))


def with_trail(query):
    """Payments with what their rows on the Case tab show, their steps too."""
    return with_row(query).options(selectinload(Payment.steps).joinedload(PaymentStep.by))


def payment_by_id(payment_id: int) -> Payment | None:
    """One payment with all its row shows (loaded again after a change is committed)."""
    return db.session.scalar(with_trail(db.select(Payment).where(Payment.id == payment_id)))


@built_once
def _payments_of():
    return with_trail(db.select(Payment).where(Payment.case_id == bindparam("case_id"))).order_by(
        Payment.period.desc().nulls_last(), Payment.requested_on.desc(), Payment.id.desc())


def payments_page(case, page: int):
    return paginate(_payments_of(), page=page, per_page=PAYMENTS_PAGE, values={"case_id": case.id})


@built_once
def _notes_of():
    return (db.select(CaseNote).where(CaseNote.case_id == bindparam("case_id")).options(joinedload(CaseNote.by))
            .order_by(CaseNote.at.desc(), CaseNote.id.desc()))


def notes_page(case, page: int):
    return paginate(_notes_of(), page=page, per_page=NOTES_PAGE, values={"case_id": case.id})


@built_once
def _party_contacts_of():
    return (db.select(PartyContact).where(PartyContact.case_id == bindparam("case_id"))
            .options(joinedload(PartyContact.third_party), joinedload(PartyContact.by))
            .order_by(PartyContact.contact_on.desc(), PartyContact.id.desc()))


def party_contacts_page(case, page: int):
    return paginate(_party_contacts_of(), page=page, per_page=NOTES_PAGE, values={"case_id": case.id})


def check_number_taken(payment, number: str) -> Payment | None:
    """Another payee's payment that already carries this check or transfer number."""
    return db.session.scalar(db.select(Payment).where(Payment.check_number == number, Payment.id != payment.id,
                                                      Payment.payee_id != payment.payee_id).limit(1))


# Finance's queues ------------------------------------------------------------------------------------

def waiting_for(to: str):
    """The SQL condition of payments whose next step is `to`, in their payer's order (from the one table)."""
    approval, parts = approval_on(), []
    for order in PAYMENT_MOVES:
        statuses = sources_of(order, to, approval)
        if statuses:
            parts.append(and_(Payer.invoice_before_payment.is_(order == "invoice_first"), Payment.status.in_(statuses)))
    return or_(*parts) if parts else False


def payments_seen_by(sees: str, own: bool):
    """Payments of the members the user may see, by their kind of rule (`access.rule_of`; `own`: of the members
    assigned to them, whom they always see), joined to their case and payer; for a statement built once, the
    user bound when it runs (`access.viewer`)."""
    query = db.select(Payment).join(Case, Payment.case_id == Case.id).join(Payer, Case.payer_id == Payer.id)
    if own:
        return query.join(Member, Payment.member_id == Member.id).where(Member.assignee_id == viewer())
    return query.where(visible_to(Payment.member_id, sees))


@built_once
def _queue(queue: str, sees: str, approval: bool):
    """Finance's queue, built once per queue, kind of rule and approval setting (`waiting_for` reads it)."""
    return with_row(payments_seen_by(sees, False).where(waiting_for(QUEUES[queue][0]))).order_by(
        Payment.status_at, Payment.id)


@built_once
def _queue_counts(sees: str, approval: bool):
    columns = [func.coalesce(func.sum(when((waiting_for(to), 1), else_=0)), 0) for to, _label in QUEUES.values()]
    return payments_seen_by(sees, False).with_only_columns(*columns)


def queue_page(user, queue: str, page: int):
    return paginate(_queue(queue, rule_of(user), approval_on()), page=page, per_page=QUEUE_PAGE, values={})


def queue_counts(user) -> dict[str, int]:
    """Every queue's count in one query."""
    row = db.session.execute(_queue_counts(rule_of(user), approval_on())).one()
    return dict(zip(QUEUES, (int(n) for n in row)))
