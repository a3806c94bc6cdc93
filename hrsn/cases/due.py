"""Today's sections of the case step: requests the payer has sat on, checks waiting for approval or finance,
invoices not accepted, next month's payment not requested yet, and authorizations ending. Each is one query
returning the lines shown (and one for the total)."""
from datetime import timedelta

from flask_babel import format_date, gettext as _, ngettext
from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload

from hrsn import settings
from hrsn.cases.figures import COUNTED, add_months, in_units, money, waiting
from hrsn.access import rule_of, viewer
from hrsn.cases.rules import APPROVERS, approval_on, payments_seen_by, waiting_for
from hrsn.extensions import db
from hrsn.links import url_for
from hrsn.models import Authorization, Case, Member, Payment, ServiceRequest, local_today
from hrsn.statements import built_once, value
from hrsn.today import query_section as _section

# Payers often take 30 to 60 days: a request still unanswered after a month is shown as late.
LATE_REQUEST_DAYS = 30
PAYMENT_LINE = (joinedload(Payment.member), joinedload(Payment.payee))
AUTH_LINE = (joinedload(Authorization.case).joinedload(Case.member),)


def _tab(member_id, case_id):
    return url_for("cases.tab", member_id=member_id, case=case_id)


def _mine(query, member_column):
    """The user's own members (those assigned to them) among those they may see."""
    return query.join(Member, member_column == Member.id).where(Member.assignee_id == viewer())


def today_requests(user):
    """The user's service requests the payer has not answered after the setting's days, or that await more
    information from us."""
    if not user.can("contact"):
        return None
    from hrsn.today import Item
    today = local_today()

    def line(request):
        if request.status == "more_info":
            text = (_("The payer asked for more information, due %(day)s", day=format_date(request.info_due))
                    if request.info_due else _("The payer asked for more information"))
            late = bool(request.info_due and request.info_due < today)
        else:
            text, late = ngettext("Sent to the payer %(num)d day ago", "Sent to the payer %(num)d days ago",
                                  request.days_waiting), request.days_waiting >= LATE_REQUEST_DAYS
        return Item(request.case.member, text, _tab(request.member_id, request.case_id), late=late)
    return _section("case-requests", _("Service requests waiting on the payer"), _requests_waiting(),
                    (ServiceRequest.submitted_on, ServiceRequest.id), line,
                    load=(joinedload(ServiceRequest.case).joinedload(Case.member),))


@built_once
def _requests_waiting():
    cutoff = value(lambda: local_today() - timedelta(days=int(settings.get("case_request_days"))))
    return _mine(db.select(ServiceRequest), ServiceRequest.member_id).where(or_(
        (ServiceRequest.status == "submitted") & (ServiceRequest.submitted_on <= cutoff),
        ServiceRequest.status == "more_info"))


def _payment_line(text_for, late_days=None):
    from hrsn.today import Item

    def line(payment):
        late = late_days is not None and payment.waiting_days >= late_days
        return Item(payment.member, text_for(payment), _tab(payment.member_id, payment.case_id), late=late)
    return line


@built_once
def _payments(condition: str, sees: str, own: bool, approval: bool):
    """The payments of a Today section (`condition`: which; `approval`: whether checks wait for one, as
    `waiting_for` asks the setting when it builds its condition)."""
    if condition == "to approve":
        where = Payment.status == "requested"
    elif condition == "invoices":
        cutoff = value(lambda: local_today() - timedelta(days=int(settings.get("case_invoice_days"))))
        where = (Payment.status == "invoiced") & (Payment.invoiced_on <= cutoff)
    else:
        where = waiting_for("paid")
        if condition == "checks and approvals":
            where = or_(where, Payment.status == "requested")
    return payments_seen_by(sees, own).where(where)


def today_approvals(user):
    """Coordinators, while approval is on: check requests waiting for their approval."""
    if user.role not in APPROVERS or not approval_on():
        return None
    def text(payment):
        return _("%(amount)s to %(payee)s, %(waiting)s", amount=money(payment.amount_cents),
                 payee=payment.payee.display, waiting=waiting(payment.waiting_days))
    return _section("case-approvals", _("Check requests to approve"),
                    _payments("to approve", rule_of(user), False, True),
                    (Payment.status_at, Payment.id), _payment_line(text, int(settings.get("case_check_days"))),
                    load=PAYMENT_LINE)


def today_checks(user):
    """Finance: checks to pay. A case manager: their own check requests still waiting on approval or finance."""
    if not (user.can("payments") or user.can("contact")):
        return None
    finance, approval = user.can("payments"), approval_on()
    condition = "checks and approvals" if not finance and approval else "checks"
    def text(payment):
        return _("%(amount)s to %(payee)s, %(status)s, %(waiting)s", amount=money(payment.amount_cents),
                 payee=payment.payee.display, status=payment.status_label.lower(),
                 waiting=waiting(payment.waiting_days))
    return _section("case-checks", _("Check requests waiting on finance or approval"),
                    _payments(condition, rule_of(user), not finance, approval), (Payment.status_at, Payment.id),
                    _payment_line(text, int(settings.get("case_check_days"))),
                    url_for("cases.finance", queue="to_pay") if finance else None, PAYMENT_LINE)


def today_invoices(user):
    """Invoices the payer has not accepted after the setting's days: finance all of them, others their own."""
    if not (user.can("payments") or user.can("contact")):
        return None
    finance = user.can("payments")
    def text(payment):
        return _("Invoice %(number)s sent %(day)s, not accepted yet", number=payment.invoice_number,
                 day=format_date(payment.invoiced_on))
    return _section("case-invoices", _("Invoices not accepted yet"),
                    _payments("invoices", rule_of(user), not finance, False),
                    (Payment.invoiced_on, Payment.id), _payment_line(text, 0),
                    url_for("cases.finance", queue="awaiting") if finance else None, PAYMENT_LINE)


def today_due(user):
    """Next month's payment on a monthly authorization that covers it, not requested yet."""
    if not user.can("contact"):
        return None
    from hrsn.today import Item
    next_month = _next_month()
    def line(auth):
        return Item(auth.case.member, _("%(month)s not requested yet (authorization %(number)s)",
                                        month=format_date(next_month, "MMMM y"), number=auth.number),
                    _tab(auth.member_id, auth.case_id))
    return _section("case-due", _("Next month's payment due"), _payments_due(), (Authorization.end_on, Authorization.id),
                    line, load=AUTH_LINE)


def _next_month():
    return add_months(local_today().replace(day=1), 1)


@built_once
def _payments_due():
    next_month = value(_next_month)
    requested = db.select(Payment.id).where(Payment.authorization_id == Authorization.id, Payment.period == next_month,
                                            COUNTED).exists()
    return (_mine(db.select(Authorization), Authorization.member_id)
            .join(Case, Authorization.case_id == Case.id)
            .where(Case.status == "open", Authorization.unit == "months",
                   Authorization.start_on < value(lambda: add_months(_next_month(), 1)),
                   Authorization.end_on >= next_month, ~requested))


def today_ending(user):
    """Authorizations of the user's open cases that end within the setting's days, with what is left."""
    if not user.can("contact"):
        return None
    from hrsn.today import Item
    today = local_today()
    section = _section("case-ending", _("Authorizations ending soon"), _ending(), (Authorization.end_on, Authorization.id),
                       lambda a: a, load=AUTH_LINE)
    months = dict(db.session.execute(
        db.select(Payment.authorization_id, func.count(func.distinct(Payment.period)))
        .where(Payment.authorization_id.in_([a.id for a in section.items]), COUNTED)
        .group_by(Payment.authorization_id)).all()) if section.items else {}
    section.items = [Item(a.case.member, _ending_text(a, months.get(a.id, 0)), _tab(a.member_id, a.case_id),
                          late=(a.end_on - today).days <= 7) for a in section.items]
    return section


@built_once
def _ending():
    horizon = value(lambda: local_today() + timedelta(days=int(settings.get("case_ending_days"))))
    return (_mine(db.select(Authorization), Authorization.member_id)
            .join(Case, Authorization.case_id == Case.id)
            .where(Case.status == "open", Authorization.end_on >= value(local_today), Authorization.end_on <= horizon))


def _ending_text(auth, used: int) -> str:
    day = format_date(auth.end_on)
    if auth.unit == "months" and auth.quantity:
        return _("Authorization %(number)s ends %(day)s, %(left)s left", number=auth.number, day=day,
                 left=in_units("months", max(auth.quantity - used, 0)))
    return _("Authorization %(number)s ends %(day)s", number=auth.number, day=day)
