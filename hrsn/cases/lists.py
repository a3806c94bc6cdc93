"""The admin's lists for the case step: funding sources, and the limits per payer, service and funding source."""
from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from hrsn.access import require
from hrsn.cases import bp
from hrsn.cases.limits import limit_text
from hrsn.cases.forms import FundingSourceForm, LimitForm
from hrsn.extensions import db
from hrsn.forms import clean_text, money_text
from hrsn.models import FundingSource, Payer, ServiceLimit, ServiceType
from hrsn.render import edit_page, render


@bp.get("/admin/funding-sources")
@require("admin")
def funding_sources():
    rows = db.session.scalars(db.select(FundingSource).order_by(FundingSource.sort_order, FundingSource.id)).all()
    return render("cases/funding_sources.html", sources=rows)


@bp.route("/admin/funding-sources/new", methods=["GET", "POST"], defaults={"source_id": None})
@bp.route("/admin/funding-sources/<int:source_id>", methods=["GET", "POST"])
@require("admin")
def funding_source(source_id):
    source = db.get_or_404(FundingSource, source_id) if source_id else FundingSource()
    form = FundingSourceForm(obj=source if source_id and request.method == "GET" else None)

    def fill(form):
        form.sort_order.data = str(source.sort_order)

    def apply():
        source.name_en, source.name_es = clean_text(form.name_en.data), clean_text(form.name_es.data)
        source.needs_authorization, source.active = form.needs_authorization.data, form.active.data
        source.sort_order = form.sort_order.number or 0
    return edit_page(source, form, "cases/funding_source_form.html", apply=apply, fill=fill if source_id else None,
                     back_to=url_for("cases.funding_sources"), message=_("Funding source saved."), source=source)


@bp.get("/admin/limits")
@require("admin")
def limits():
    rows = db.session.scalars(db.select(ServiceLimit).options(
        joinedload(ServiceLimit.payer), joinedload(ServiceLimit.service_type), joinedload(ServiceLimit.funding_source))
        .order_by(ServiceLimit.payer_id, ServiceLimit.service_type_id, ServiceLimit.id)).all()
    return render("cases/limits.html", limits=[(row, limit_text(row)) for row in rows])


@bp.route("/admin/limits/new", methods=["GET", "POST"], defaults={"limit_id": None})
@bp.route("/admin/limits/<int:limit_id>", methods=["GET", "POST"])
@require("admin")
def limit(limit_id):
    row = db.get_or_404(ServiceLimit, limit_id) if limit_id else ServiceLimit()
    form = LimitForm(obj=row if limit_id and request.method == "GET" else None)
    form.payer_id.offer(db.session.scalars(db.select(Payer).order_by(Payer.name)), lambda p: p.name)
    form.service_type_id.offer(db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order)),
                               lambda s: s.name)
    form.funding_source_id.offer(db.session.scalars(db.select(FundingSource).order_by(FundingSource.sort_order)),
                                 lambda s: s.name)

    def fill(form):
        form.amount.data = money_text(row.amount) if row.unit == "dollars" else str(row.amount)
        form.lookback_months.data = str(row.lookback_months or "")

    def apply():
        row.payer_id, row.service_type_id = form.payer_id.record.id, form.service_type_id.record.id
        row.funding_source_id, row.unit = form.funding_source_id.record.id, form.unit.data
        row.amount, row.lookback_months = form.amount_value, form.lookback_months.number
        row.active = form.active.data
    return edit_page(row, form, "cases/limit_form.html", apply=apply, fill=fill if limit_id else None,
                     back_to=url_for("cases.limits"), message=_("Limit saved."), row=row)
