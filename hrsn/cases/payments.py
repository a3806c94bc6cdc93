"""Payments on the Case tab: requesting a check (against the authorization and the limits, with an administrator's
override), the list of the case's payments, telling the member the check was mailed, and the check request on
paper. Each payment's next steps are recorded in finance.py."""
from io import BytesIO

from flask import abort, request, send_file, url_for
from flask_babel import force_locale, format_date, gettext as _
from flask_login import current_user

from hrsn import audit, messages, params, settings
from hrsn.access import member_for_change, member_for_fragment, member_for_view
from hrsn.cases import bp, figures, limits
from hrsn.cases.finance import ROW, row_context
from hrsn.cases.forms import PaymentForm
from hrsn.cases.rules import payment_blocked
from hrsn.cases.views import (WORK, case_of, for_work, offer_payment_choices, payment_form_context, payments_context,
                              tab_context)
from hrsn.extensions import db
from hrsn.forms import clean_or_none, clean_text
from hrsn.models import ContactAttempt, LimitOverride, Payment, Role, local_today, utcnow
from hrsn.pdf import check_request_pdf
from hrsn.render import changed, refused, render

FORM = "cases/_payment_form.html"
CREATED = ("amount_cents", "period", "bill", "memo", "payee_id", "funding_source_id", "authorization_id")


@bp.post("/members/<int:member_id>/case/<int:case_id>/payments")
def request_check(member_id, case_id):
    member = for_work(member_id)
    case = case_of(member, case_id)
    form = PaymentForm()
    offer_payment_choices(member, case, form)
    blocked = payment_blocked(case)
    valid = form.validate_on_submit() and not blocked
    check = limits.check_payment(case, source=form.funding_source_id.record, auth=form.authorization_id.record,
                                  cents=form.amount.cents, period=form.period.month) if valid else None
    if not valid or (check and not overridden(check, form)):
        error = blocked or (" ".join(check.messages) if check else None)
        return refused("cases/tab.html", FORM, status=409 if blocked else 422, message=error,
                       page_context=lambda: tab_context(member, case), **payment_form_context(member, case, form, check))
    payment = new_payment(member, case, form)
    if check:
        keep_overrides(member, payment, check, clean_text(form.override_reason.data))
    db.session.commit()
    return changed(FORM, message=_("Check request recorded."),
                   events=("paymentRequested", "paymentRecorded"),
                   back_to=url_for("cases.tab", member_id=member.id, case=case.id),
                   **payment_form_context(member, case, requested=payment))


def new_payment(member, case, form) -> Payment:
    """The check request, its first history row and its creation in the trail."""
    payment = Payment(case_id=case.id, member_id=member.id, payee_id=form.payee_id.record.id,
                      amount_cents=form.amount.cents, period=form.period.month, bill=clean_or_none(form.bill.data),
                      memo=clean_or_none(form.memo.data), funding_source_id=form.funding_source_id.record.id,
                      authorization_id=getattr(form.authorization_id.record, "id", None),
                      requested_on=local_today(), requested_by_id=current_user.id)
    payment.begin("requested", current_user)
    audit.add(payment, member=member, fields=CREATED)
    return payment


def overridden(check, form) -> bool:
    """Only limits stand in the way, and an administrator wrote why this payment may go past them."""
    if check.problems or current_user.role != Role.ADMIN:
        return False
    if not clean_text(form.override_reason.data):
        form.override_reason.errors = [_("Write why this payment may go past the limit.")]
        return False
    return True


def keep_overrides(member, payment, check, reason: str) -> None:
    """An administrator let the payment go past a limit: what it needed beyond the limit is kept, with why."""
    for use, adds in check.limits:
        override = LimitOverride(limit_id=use.limit.id, member_id=member.id, extra=use.used + adds - use.cap,
                                 reason=reason, granted_by_id=current_user.id)
        audit.add(override, member=member, fields=("limit_id", "extra", "reason"),
                  changes={"payment": [None, payment.id]})


@bp.get("/members/<int:member_id>/case/<int:case_id>/payments")
def payments(member_id, case_id):
    member = member_for_fragment(member_id, "case")
    case = case_of(member, case_id)
    return render("cases/tab.html", "cases/_payments.html", page_context=lambda: tab_context(member, case),
                  **payments_context(member, case, params.page()))


@bp.get("/members/<int:member_id>/case/<int:case_id>/payment-form")
def payment_form(member_id, case_id):
    """The check request form again, after the case or its requests changed (what it offers may have too)."""
    member = member_for_fragment(member_id, "case")
    return render(FORM, FORM, **payment_form_context(member, case_of(member, case_id)))


@bp.post("/members/<int:member_id>/payments/<int:payment_id>/tell")
def tell(member_id, payment_id):
    """Tell the member the check was mailed: the admin's message in the member's language, logged as a contact."""
    member = member_for_change(member_id, WORK)
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.member_id != member.id:
        abort(404)
    channel = params.one_of("channel", ("email", "text"), source=request.form)
    message = paid_message(member, payment, channel) if channel and payment.paid_on else None
    error = (_("There is nothing to tell the member about this payment yet, or they were told.")
             if message is None or payment.told_contact_id else
             _("There is no email address or phone number on file for this member; add it on the Intake tab.")
             if message.no_address else None)
    if error:
        return refused("cases/tab.html", ROW["case"], status=409, message=error, step_error=error,
                       page_context=lambda: tab_context(member, payment.case), **row_context(payment, "case"))
    contact = ContactAttempt(member_id=member.id, author_id=current_user.id, at=utcnow(), method=channel,
                             direction="outbound", outcome="message_sent", minutes=0, activity="navigation",
                             message_subject=message.subject, message_text=message.body,
                             note=_("Told the member the check was mailed."))
    audit.add(contact, member=member, fields=("method", "outcome"))
    payment.told_contact_id = contact.id
    db.session.commit()
    return changed(ROW["case"], message=_("Logged on the Contact tab."), events=("contactLogged",),
                   back_to=url_for("cases.tab", member_id=member.id, case=payment.case_id),
                   **row_context(payment, "case", sent=message))


def paid_message(member, payment, channel: str) -> messages.Message | None:
    """The 'check mailed' message in the member's language, whatever the staff's own (None without a template)."""
    language = messages.member_language(member)
    with force_locale(language):
        details = _("of %(amount)s to %(payee)s for %(what)s; check %(number)s was mailed on %(day)s",
                    amount=figures.money(payment.amount_cents), payee=payment.payee.display,
                    what=payment.period_or_bill, number=payment.check_number, day=format_date(payment.paid_on))
    return messages.compose(member, f"paid_{channel}", current_user, payment_details=details)


@bp.get("/payments/<int:payment_id>/check-request.pdf")
def check_request(payment_id):
    """The check request on paper, for a finance office that works on paper."""
    payment = db.session.get(Payment, payment_id) or abort(404)
    member = member_for_view(payment.member_id, "case")
    data = {"organization": settings.get("org_name"), "member": member.full_name, "payee": payment.payee.display,
            "address": payment.payee.mailing_address or "", "amount": figures.money(payment.amount_cents),
            "for": payment.period_or_bill, "memo": payment.memo or "", "source": payment.funding_source.name,
            "authorization": payment.authorization.number if payment.authorization else "",
            "payer": payment.case.payer.name, "requested_on": format_date(payment.requested_on),
            "requested_by": payment.requested_by.name if payment.requested_by else "", "number": str(payment.id)}
    pdf = check_request_pdf(data)
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=False,
                     download_name=f"check-request-{payment.id}.pdf", max_age=0)
