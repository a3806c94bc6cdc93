"""Administration: staff accounts, the audit trail and the organization's settings."""
from datetime import datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, ValidationError

from hrsn import audit, passwords, settings
from hrsn.access import require
from hrsn.auth import EMAIL_FIELD
from hrsn.extensions import db
from hrsn.models import AUDIT_ACTIONS, LANGUAGES, ROLES, AuditEvent, User
from hrsn.render import render

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Pages other modules add to the admin index: (endpoint, label).
LINKS = [("admin.users", _l("Staff accounts")), ("admin.audit_trail", _l("Audit trail")),
         ("admin.settings_page", _l("Settings"))]


@bp.before_request
@require("admin")
def _admins_only():
    return None


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    email = StringField(_l("Email"), **EMAIL_FIELD)
    role = SelectField(_l("Role"), choices=list(ROLES.items()))
    languages = MultiCheckboxField(_l("Languages spoken"), choices=list(LANGUAGES.items()))
    active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(_l("Password"))

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    def validate_email(self, field):
        email = field.data.strip().casefold()
        other = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email))
        if other is not None and other is not self.editing:
            raise ValidationError(_("Another account already uses this email address."))

    def validate_password(self, field):
        if field.data or self.editing is None:
            message = passwords.problem(field.data)
            if message:
                raise ValidationError(message)


@bp.get("/")
def index():
    return render("admin/index.html", links=LINKS)


@bp.get("/users")
def users():
    rows = db.session.scalars(db.select(User).order_by(User.active.desc(), User.name)).all()
    return render("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_form(user_id):
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user, editing=user)
    if request.method == "GET" and user:
        form.languages.data = user.language_list
        form.password.data = ""
    if form.validate_on_submit():
        creating = user is None
        user = user or User(session_version=1)
        if user is current_user_obj() and (form.role.data != "admin" or not form.active.data):
            form.role.errors.append(_("You cannot remove your own administrator access."))
            return render("admin/user_form.html", form=form, user=user, status=422)
        was_active = user.active
        user.name, user.email = form.name.data.strip(), form.email.data.strip().casefold()
        user.role, user.active = form.role.data, form.active.data
        user.languages = ",".join(form.languages.data or [])
        if form.password.data:
            user.password_hash = passwords.hash_password(form.password.data)
        if not creating and (form.password.data or (was_active and not user.active)):
            user.end_sessions()
        diff = audit.changes(user)
        diff.pop("password_hash", None)
        db.session.add(user)
        db.session.flush()
        audit.record("create" if creating else "update", obj=user, changes=diff)
        db.session.commit()
        flash(_("Account saved."), "success")
        return redirect(url_for("admin.users"))
    return render("admin/user_form.html", form=form, user=user, status=422 if form.errors else 200)


def current_user_obj():
    from flask_login import current_user
    return current_user._get_current_object()


def _parse_day(value):
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.get("/audit")
def audit_trail():
    args = request.args
    query = db.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if args.get("action") in AUDIT_ACTIONS:
        query = query.where(AuditEvent.action == args["action"])
    if args.get("user", "").isdigit():
        query = query.where(AuditEvent.user_id == int(args["user"]))
    if args.get("member", "").isdigit():
        query = query.where(AuditEvent.member_id == int(args["member"]))
    if start := _parse_day(args.get("start")):
        query = query.where(AuditEvent.at >= datetime.combine(start, time.min))
    if end := _parse_day(args.get("end")):
        query = query.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time.min))
    page = db.paginate(query, per_page=50, error_out=False)
    staff = db.session.scalars(db.select(User).order_by(User.name)).all()
    filters = {k: args.get(k, "") for k in ("action", "user", "member", "start", "end")}
    return render("admin/audit.html", "admin/_audit_rows.html", page=page, staff=staff,
                  actions=AUDIT_ACTIONS, filters=filters)


@bp.route("/settings", methods=["GET", "POST"])
def settings_page():
    specs = list(settings.SPECS.values())
    values = {s.key: settings.get(s.key) for s in specs}
    errors = {}
    if request.method == "POST":
        # A field left out of the form keeps its current value.
        typed = {s.key: (request.form.get(s.key, str(values[s.key])) or "").strip() for s in specs}
        parsed = {}
        for spec in specs:
            parsed[spec.key], error = _parse_setting(spec, typed[spec.key])
            if error:
                errors[spec.key] = error
        if not errors:
            changed = {k: [values[k], v] for k, v in parsed.items() if v != values[k]}
            for key, (_before, after) in changed.items():
                settings.put(key, after)
            audit.record("update", record_type="Setting", changes=changed)
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings_page"))
        values = typed
    return render("admin/settings.html", specs=specs, values=values, errors=errors,
                  status=422 if errors else 200)


def _parse_setting(spec, raw):
    if spec.kind == "text":
        if len(raw) > 500:
            return raw, _("Use at most %(n)d characters.", n=500)
        return raw, None
    try:
        value = int(raw)
    except ValueError:
        return raw, _("Enter a whole number.")
    if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
        return raw, _("Enter a number from %(lo)d to %(hi)d.", lo=spec.minimum, hi=spec.maximum)
    return value, None
