"""The billing export for a payer and a week or a month (billable time in the payer's units, and the direct-service
payments whose invoices it accepted), and each payer's billing rule."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit
from hrsn.access import require
from hrsn.extensions import db
from hrsn.forms import money_text
from hrsn.models import Payer, PayerBilling, billing_of
from hrsn.render import edit_page, render
from hrsn.reports import bp
from hrsn.reports.forms import BillingForm, PayerBillingForm
from hrsn.reports.rules import billing_rows, billing_scope, dollars, period_bounds
from hrsn.sheets import csv_response


def _scope() -> str:
    scope = billing_scope(current_user)
    if scope is None:
        audit.refusal(403, "billing")
        abort(403)
    return scope


def _form() -> BillingForm:
    form = BillingForm(request.args)
    form.payer_id.offer(db.session.scalars(db.select(Payer).order_by(Payer.name)), lambda p: p.name)
    return form


@bp.get("/billing")
def billing():
    scope = _scope()
    form = _form() if request.args else _form_blank()
    return render("reports/billing.html", form=form, scope=scope, checked=False)


def _form_blank() -> BillingForm:
    form = BillingForm(formdata=None)
    form.payer_id.offer(db.session.scalars(db.select(Payer).order_by(Payer.name)), lambda p: p.name)
    return form


HEADER = ("Kind", "Medicaid ID", "Member", "Referral or authorization ID", "Day", "Activity or service", "Minutes",
          "Units", "Minutes per unit", "Rate", "Amount", "Invoice number")


@bp.get("/billing/export.csv")
def billing_export():
    scope = _scope()
    form = _form()
    if not form.validate():
        return render("reports/billing.html", form=form, scope=scope, status=422)
    payer = form.payer_id.record
    start, end = period_bounds(form.period.data, form.start.data)
    rows = billing_rows(payer, billing_of(payer.id), start, end, current_user.id if scope == "own" else None)
    audit.record_now("export", record_type="billing", changes={
        "payer_id": [None, payer.id], "from": [None, start.isoformat()], "to": [None, end.isoformat()],
        "rows": [None, len(rows)], "own_time_only": [None, scope == "own"]})
    return csv_response(HEADER, rows, f"billing-{payer.id}-{start.isoformat()}-{end.isoformat()}.csv")


@bp.get("/admin/billing")
@require("admin")
def payer_rules():
    payers = db.session.scalars(db.select(Payer).order_by(Payer.name)).all()
    rules = {rule.payer_id: rule for rule in db.session.scalars(db.select(PayerBilling))}
    return render("reports/payer_rules.html", payers=payers, rules=rules, dollars=dollars)


@bp.route("/admin/billing/<int:payer_id>", methods=["GET", "POST"])
@require("admin")
def payer_rule(payer_id):
    payer = db.get_or_404(Payer, payer_id)
    rule = db.session.scalar(db.select(PayerBilling).where(PayerBilling.payer_id == payer.id)) or \
        PayerBilling(payer_id=payer.id, minutes_per_unit=15, rounding="nearest", rate_cents=0)
    form = PayerBillingForm(formdata=None if request.method == "GET" else request.form)

    def fill(form):
        form.minutes_per_unit.data = str(rule.minutes_per_unit)
        form.rounding.data = rule.rounding
        form.rate.data = money_text(rule.rate_cents)

    def apply():
        rule.minutes_per_unit, rule.rounding = form.minutes_per_unit.number, form.rounding.data
        rule.rate_cents = form.rate.cents or 0
    return edit_page(rule, form, "reports/payer_rule.html", apply=apply, fill=fill,
                     back_to=url_for("reports.payer_rules"), message=_("Billing rule saved."), payer=payer, rule=rule)
