"""Payers and service types: data an admin edits (the Oregon defaults are only a start)."""
import re

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from hrsn import admin, audit
from hrsn.access import require
from hrsn.contact.forms import choice
from hrsn.extensions import db
from hrsn.intake.forms import check_email, check_phone, clean_text
from hrsn.models import Payer, ServiceType
from hrsn.models.intake import PAYER_KINDS
from hrsn.render import render

bp = Blueprint("payers", __name__, url_prefix="/admin")
MAX_LEN = _l("Use at most %(max)d characters.")

for link in (("payers.payers", _l("Payers")), ("payers.service_types", _l("Service types"))):
    if link[0] not in [existing[0] for existing in admin.LINKS]:
        admin.LINKS.append(link)


@bp.before_request
@require("admin")
def _admins_only():
    return None


class PayerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the payer's name.")), Length(max=120, message=MAX_LEN)])
    kind = choice(_l("Kind"), PAYER_KINDS, _l("Choose a kind from the list."), "cco")
    contact_name = StringField(_l("Contact person"), validators=[Length(max=120, message=MAX_LEN)])
    phone = StringField(_l("Phone"), validators=[check_phone])
    email = StringField(_l("Email"), validators=[Length(max=254, message=MAX_LEN), check_email])
    medicaid_id_pattern = StringField(_l("Medicaid ID pattern"), validators=[Length(max=200, message=MAX_LEN)])
    invoice_before_payment = BooleanField(_l("Invoice before payment"))
    invoice_notes = TextAreaField(_l("Invoice settings and notes"), validators=[Length(max=2000, message=MAX_LEN)])
    active = BooleanField(_l("Active (offered on the intake screen)"), default=True)

    def __init__(self, *args, payer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.payer = payer

    def validate_name(self, field):
        field.data = clean_text(field.data)
        other = db.session.scalar(db.select(Payer).where(db.func.lower(Payer.name) == field.data.lower()))
        if other is not None and other is not self.payer:
            raise ValidationError(_("Another payer already has this name."))

    def validate_medicaid_id_pattern(self, field):
        field.data = clean_text(field.data)
        if field.data:
            try:
                re.compile(field.data)
            except re.error:
                raise ValidationError(_("This pattern is not a valid regular expression."))


class ServiceTypeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a short code.")), Length(max=40, message=MAX_LEN)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter the name in English.")), Length(max=120, message=MAX_LEN)])
    name_es = StringField(_l("Name in Spanish"), validators=[DataRequired(_l("Enter the name in Spanish.")), Length(max=120, message=MAX_LEN)])
    sort_order = StringField(_l("Order in lists"), default="0")
    active = BooleanField(_l("Active (offered on the intake screen)"), default=True)

    def __init__(self, *args, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service

    def validate_code(self, field):
        field.data = clean_text(field.data).lower()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", field.data):
            raise ValidationError(_("Use lowercase letters, digits and underscores, starting with a letter."))
        other = db.session.scalar(db.select(ServiceType).where(ServiceType.code == field.data))
        if other is not None and other is not self.service:
            raise ValidationError(_("Another service type already has this code."))

    def validate_sort_order(self, field):
        text = clean_text(field.data)
        if not re.fullmatch(r"\d{1,4}", text):
            raise ValidationError(_("Enter a whole number from 0 to 9999."))
        field.data = text


@bp.get("/payers")
def payers():
    rows = db.session.scalars(db.select(Payer).order_by(Payer.active.desc(), Payer.name)).all()
    return render("payers/payers.html", payers=rows)


@bp.route("/payers/new", methods=["GET", "POST"], defaults={"payer_id": None})
@bp.route("/payers/<int:payer_id>", methods=["GET", "POST"])
def payer_form(payer_id):
    payer = db.session.get(Payer, payer_id) if payer_id else Payer()
    if payer is None:
        abort(404)
    form = PayerForm(obj=payer, payer=payer)
    if form.validate_on_submit():
        form.populate_obj(payer)
        for name in ("contact_name", "phone", "email", "invoice_notes"):
            setattr(payer, name, clean_text(getattr(payer, name)) or None)
        payer.medicaid_id_pattern = payer.medicaid_id_pattern or ""
        save(payer, created=payer_id is None)
        flash(_("Payer saved."), "success")
        return redirect(url_for("payers.payers"))
    return render("payers/payer_form.html", form=form, payer=payer, status=422 if form.errors else 200)


@bp.get("/service-types")
def service_types():
    rows = db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order, ServiceType.id)).all()
    return render("payers/service_types.html", services=rows)


@bp.route("/service-types/new", methods=["GET", "POST"], defaults={"service_id": None})
@bp.route("/service-types/<int:service_id>", methods=["GET", "POST"])
def service_type_form(service_id):
    service = db.session.get(ServiceType, service_id) if service_id else ServiceType()
    if service is None:
        abort(404)
    form = ServiceTypeForm(obj=service, service=service)
    if service_id:
        form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        code = service.code
        form.populate_obj(service)
        service.code = code or service.code           # a code in use by referrals never changes
        service.sort_order = int(form.sort_order.data)
        service.name_en, service.name_es = clean_text(service.name_en), clean_text(service.name_es)
        save(service, created=service_id is None)
        flash(_("Service type saved."), "success")
        return redirect(url_for("payers.service_types"))
    return render("payers/service_type_form.html", form=form, service=service, status=422 if form.errors else 200)


def save(obj, created: bool) -> None:
    if created:
        db.session.add(obj)
        db.session.flush()
        audit.record("create", obj=obj)
    else:
        audit.record("update", obj=obj, changes=audit.changes(obj))
    db.session.commit()
