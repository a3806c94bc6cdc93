"""Finance's queue (checks to pay, invoices to send, invoices awaiting acceptance, reimbursements outstanding) and
each payment's next step, recorded from the queue or the Case tab. Finance sees payments and what they are for,
never a member's notes or documents."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_change, require
from hrsn.cases import bp
from hrsn.cases.forms import StepForm
from hrsn.cases.rules import QUEUES, check_number_taken, may_step, payment_by_id, queue_counts, queue_page
from hrsn.cases.views import tab_context
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.models import PAYMENT_ORDERS, PAYMENT_STATUSES, STEP_NEEDS
from hrsn.render import changed, conflict_events, refused, render

ROW = {"case": "cases/_payment.html", "queue": "cases/_queue_row.html"}


def queue_context(queue: str) -> dict:
    return {"queue": queue, "queues": QUEUES, "counts": queue_counts(current_user), "view": "queue",
            "page": queue_page(current_user, queue, params.page())}


@bp.get("/payments")
@require("payments")
def finance():
    queue = params.one_of("queue", QUEUES, "to_pay")
    audit.view_list("payments")
    return render("cases/finance.html", "cases/_queue.html", **queue_context(queue))


def row_context(payment, where: str, **extra) -> dict:
    return {"payment": payment, "member": payment.member, "case": payment.case, "view": where, **extra}


@bp.post("/payments/<int:payment_id>/step")
def step(payment_id):
    """The payment's next step; only in its payer's order, and only once when two people record the same step at
    the same moment (the version decides)."""
    payment = payment_by_id(payment_id) or abort(404)
    to = params.one_of("to", STEP_NEEDS, source=request.form)
    where = params.one_of("view", ROW, "case", source=request.form)
    if not to or not may_step(current_user, to):
        audit.refusal(403, "payments")
        abort(403)
    member = member_for_change(payment.member_id, "payments" if current_user.can("payments") else "case")
    form = StepForm()
    refusal = step_refusal(payment, to, form)
    if refusal is not None:
        status, message, conflict = refusal
        page, whole = _page(payment, where)
        return refused(page, ROW[where], status=status, message=message, page_context=whole,
                       **row_context(payment, where, step_form=form, step_error=message, conflict=conflict))
    record_step(member, payment, to, form)
    db.session.commit()
    payment = payment_by_id(payment_id)        # expired by the commit: read again in one go
    return changed(ROW[where], message=_("Recorded: %(status)s.", status=payment.status_label),
                   back_to=_back(payment, where), events=("paymentRecorded",), **row_context(payment, where))


def step_refusal(payment, to: str, form):
    """Why the step cannot be recorded as sent: (status, message, what others changed meanwhile), or None."""
    if form.is_stale(payment):
        return 409, _("Someone else recorded a step on this payment meanwhile: it is now “%(status)s”.",
                      status=payment.status_label), conflict_events(payment, form)
    if to not in payment.allowed():
        return 409, _("“%(step)s” is not the next step: this payment is “%(status)s”, and its payer works in this "
                      "order: %(order)s.", step=PAYMENT_STATUSES[to], status=payment.status_label,
                      order=PAYMENT_ORDERS[payment.order]), None
    checked = form.validate_on_submit()
    if not (form.check(STEP_NEEDS[to]) and checked):       # both run, so every missing field is said at once
        return 422, None, None
    taken = check_number_taken(payment, form.number_text) if to == "paid" else None
    if taken is not None:
        form.number.errors = [_("Check %(number)s was already used for a payment to %(payee)s.",
                                number=form.number_text, payee=taken.payee.display)]
        return 422, None, None
    return None


def record_step(member, payment, to: str, form) -> None:
    with db.session.no_autoflush:          # the trail reads the changes before anything is flushed
        payment.advance(to, current_user, day=form.day.data, number=form.number_text, cents=form.amount.cents,
                        note=clean_or_none(form.note.data))
        changes = audit.changes(payment)
    audit.record("update", member=member, obj=payment, changes=changes)


def _page(payment, where: str):
    """The whole page a refused step answers with when htmx is not there, and its context."""
    if where == "case":
        return "cases/tab.html", lambda: tab_context(payment.member, payment.case)
    return "cases/finance.html", lambda: queue_context(params.one_of("queue", QUEUES, "to_pay", source=request.form))


def _back(payment, where: str) -> str:
    if where == "queue":
        return url_for("cases.finance", queue=params.one_of("queue", QUEUES, source=request.form) or None)
    return url_for("cases.tab", member_id=payment.member_id, case=payment.case_id)
