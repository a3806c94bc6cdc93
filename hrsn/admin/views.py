"""Admin pages: the index, staff accounts, the audit trail and the organization's settings."""
from datetime import datetime, time, timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from hrsn import audit, params, passwords, settings
from hrsn.admin import bp
from hrsn.admin.forms import UserForm
from hrsn.extensions import db
from hrsn.models import AUDIT_ACTIONS, AuditEvent, User, store_all_outreach
from hrsn.paging import paginate
from hrsn.render import edit_page, render
from hrsn.steps import settings_specs, wiring

AUDIT_PAGE = 50


@bp.get("/")
def index():
    return render("admin/index.html", links=wiring().admin)


@bp.get("/users")
def users():
    rows = db.session.scalars(db.select(User).order_by(User.active.desc(), User.name)).all()
    return render("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_form(user_id):
    user = db.get_or_404(User, user_id) if user_id else User(session_version=1, active=True)
    form = UserForm(obj=user if user_id and request.method == "GET" else None, editing=user if user_id else None)

    def fill(form):
        form.languages.data = user.language_list
        form.locale.data = user.locale or "en"
        form.password.data = ""

    def apply():
        was_active = user.active
        user.name, user.email = form.name.data.strip(), form.email.data.strip().casefold()
        user.role, user.active, user.locale = form.role.data, form.active.data, form.locale.data
        user.languages = ",".join(form.languages.data or [])
        if form.password.data:
            user.password_hash = passwords.hash_password(form.password.data)
            if user.id:
                user.end_sessions()         # a new password signs the account out everywhere
        if user.id and was_active and not user.active:
            user.end_sessions()
        return {"password": ["…", "…"]} if form.password.data else None
    return edit_page(user, form, "admin/user_form.html", apply=apply, fill=fill if user_id else None,
                     back_to=url_for("admin.users"), message=_("Account saved."), user=user if user_id else None)


def _day(name):
    try:
        return datetime.strptime(params.text(name, 10), "%Y-%m-%d").date()
    except ValueError:
        return None


@bp.get("/audit")
def audit_trail():
    query = (db.select(AuditEvent).options(joinedload(AuditEvent.user), joinedload(AuditEvent.member))
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    filters = {"action": params.one_of("action", AUDIT_ACTIONS), "user": params.number("user"),
               "member": params.number("member"), "start": _day("start"), "end": _day("end")}
    if filters["action"]:
        query = query.where(AuditEvent.action == filters["action"])
    if filters["user"]:
        query = query.where(AuditEvent.user_id == filters["user"])
    if filters["member"]:
        query = query.where(AuditEvent.member_id == filters["member"])
    if filters["start"]:
        query = query.where(AuditEvent.at >= datetime.combine(filters["start"], time.min))
    if filters["end"]:
        query = query.where(AuditEvent.at < datetime.combine(filters["end"] + timedelta(days=1), time.min))
    page = paginate(query, page=params.page(), per_page=AUDIT_PAGE)
    staff = db.session.scalars(db.select(User).order_by(User.name)).all()
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    return render("admin/audit.html", "admin/_audit_rows.html", page=page, staff=staff, actions=AUDIT_ACTIONS,
                  filters=shown, action_labels=audit.ACTION_LABELS, record_labels=audit.RECORD_LABELS,
                  field_labels=audit.FIELD_LABELS)


@bp.route("/settings", methods=["GET", "POST"])
def settings_page():
    specs = settings_specs()
    values = {s.key: settings.get(s.key) for s in specs}
    errors = {}
    if request.method == "POST":
        # A field left out of the form keeps its current value.
        typed = {s.key: (request.form.get(s.key, str(values[s.key])) or "").strip() for s in specs}
        parsed = {}
        for spec in specs:
            parsed[spec.key], error = parse_setting(spec, typed[spec.key])
            if error:
                errors[spec.key] = error
        if not errors:
            changed = {k: [values[k], v] for k, v in parsed.items() if v != values[k]}
            for key, (_before, after) in changed.items():
                settings.put(key, after)
            if any(key.startswith("outreach_") for key in changed):
                store_all_outreach()          # every open referral's next attempt follows the new rule
            audit.record("update", record_type="Setting", changes=changed)
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.settings_page"))
        values = typed
    return render("admin/settings.html", specs=specs, values=values, errors=errors, status=422 if errors else 200)


def parse_setting(spec, raw):
    """A typed setting's value, or the reason it cannot be one."""
    if spec.kind == "text":
        return (raw, _("Use at most %(n)d characters.", n=500)) if len(raw) > 500 else (raw, None)
    if spec.kind == "choice":
        allowed = [value for value, _label in spec.choices]
        return (raw, None) if raw in allowed else (raw, _("Choose a value from the list."))
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return raw, _("Enter a whole number.")
    value = int(raw)
    if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
        return raw, _("Enter a number from %(lo)d to %(hi)d.", lo=spec.minimum, hi=spec.maximum)
    return value, None
