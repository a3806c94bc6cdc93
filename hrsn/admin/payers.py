"""Payers and service types: data an admin edits; a new one starts active, so intake offers it at once."""
from flask import request, url_for
from flask_babel import gettext as _

from hrsn.admin import bp
from hrsn.admin.forms import PayerForm, ServiceTypeForm
from hrsn.extensions import db
from hrsn.forms import clean_or_none, clean_text
from hrsn.models import Payer, ServiceType
from hrsn.render import edit_page, render


@bp.get("/payers")
def payers():
    rows = db.session.scalars(db.select(Payer).order_by(Payer.active.desc(), Payer.name)).all()
    return render("admin/payers.html", payers=rows)


@bp.route("/payers/new", methods=["GET", "POST"], defaults={"payer_id": None})
@bp.route("/payers/<int:payer_id>", methods=["GET", "POST"])
def payer_form(payer_id):
    payer = db.get_or_404(Payer, payer_id) if payer_id else Payer()
    form = PayerForm(obj=payer if payer_id and request.method == "GET" else None, payer=payer)

    def apply():
        form.populate_obj(payer)
        for name in ("contact_name", "phone", "email", "invoice_notes", "requests_to", "invoices_to", "reimbursed_by",
                     "hub"):
            setattr(payer, name, clean_or_none(getattr(payer, name)))
        payer.medicaid_id_pattern = payer.medicaid_id_pattern or ""
    return edit_page(payer, form, "admin/payer_form.html", apply=apply, back_to=url_for("admin.payers"),
                     message=_("Payer saved."), payer=payer)


@bp.get("/service-types")
def service_types():
    rows = db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order, ServiceType.id)).all()
    return render("admin/service_types.html", services=rows)


@bp.route("/service-types/new", methods=["GET", "POST"], defaults={"service_id": None})
@bp.route("/service-types/<int:service_id>", methods=["GET", "POST"])
def service_type_form(service_id):
    service = db.get_or_404(ServiceType, service_id) if service_id else ServiceType()
    form = ServiceTypeForm(obj=service if service_id and request.method == "GET" else None, service=service)
    if service_id:
        form.code.render_kw = {"readonly": True}

    def apply():
        code = service.code
        form.populate_obj(service)
        service.code = code or service.code           # a code in use by referrals never changes
        service.sort_order = form.sort_order.number or 0
        service.name_en, service.name_es = clean_text(service.name_en), clean_text(service.name_es)

    def fill(form):
        form.sort_order.data = str(service.sort_order)
    return edit_page(service, form, "admin/service_type_form.html", apply=apply, fill=fill, back_to=url_for("admin.service_types"),
                     message=_("Service type saved."), service=service)
