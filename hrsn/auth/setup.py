"""The first run: the organization's name, contact and time zone, its first administrator, and what the app
already created for the first referral (payers to rename, services, checklists, messages, the screening)."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from hrsn import LOCALES, audit, passwords, settings
from hrsn.access import require
from hrsn.auth import bp
from hrsn.auth.forms import SetupForm
from hrsn.auth.views import sign_in
from hrsn.extensions import db
from hrsn.models import ChecklistTemplateItem, MessageTemplate, Payer, Role, ScreeningInstrument, ServiceType, User
from hrsn.render import render
from hrsn.steps import ensure_defaults

ORGANIZATION_FIELDS = ("org_name", "org_address", "org_phone", "org_email", "org_timezone", "default_locale")


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if db.session.scalar(db.select(User.id).limit(1)) is not None:
        abort(404)
    language = request.accept_languages.best_match(LOCALES) or "en"
    form = SetupForm(locale=language, default_locale=language)
    if not form.validate_on_submit():
        return render("auth/setup.html", form=form, status=422 if form.errors else 200)
    ensure_defaults()
    for key in ORGANIZATION_FIELDS:
        settings.put(key, (getattr(form, key).data or "").strip())
    user = User(email=form.email.data.strip().casefold(), name=form.name.data.strip(), role=Role.ADMIN,
                languages=form.locale.data, locale=form.locale.data,
                password_hash=passwords.hash_password(form.password.data))
    db.session.add(user)
    db.session.flush()
    audit.add(user, user=user, fields=("email", "name", "role"))
    audit.record("update", user=user, record_type="Setting",
                 changes={key: [None, getattr(form, key).data] for key in ORGANIZATION_FIELDS})
    db.session.commit()
    sign_in(user)
    flash(_("Welcome. Your organization is set up; check what the desk prepared for your first referral."), "success")
    return redirect(url_for("auth.review"))


@bp.get("/setup/review")
@require("admin")
def review():
    """What a new agency reviews before its first referral; each line leads to where it is edited."""
    return render("auth/review.html",
                  payers=db.session.scalars(db.select(Payer).order_by(Payer.name)).all(),
                  services=db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order)).all(),
                  checklist_count=db.session.scalar(db.select(db.func.count(ChecklistTemplateItem.id))),
                  template_count=db.session.scalar(db.select(db.func.count(MessageTemplate.id))),
                  instrument=db.session.scalar(db.select(ScreeningInstrument).where(ScreeningInstrument.active)))
