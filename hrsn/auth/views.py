"""Signing in and out, one's own account, the language switch and session upkeep."""
import time
from importlib import resources

from flask import abort, flash, jsonify, redirect, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hrsn import LOCALES, audit, database, passwords, throttle
from hrsn.auth import bp
from hrsn.auth.forms import LoginForm, PasswordForm
from hrsn.extensions import db
from hrsn.models import User
from hrsn.params import safe_next
from hrsn.render import render


def sign_in(user: User) -> None:
    login_user(user)
    session["seen"] = int(time.time())


@bp.route("/login", methods=["GET", "POST"])
def login():
    # The password check takes tens of milliseconds of CPU: it must not hold the write lock meanwhile.
    database.read_before_writing()
    if db.session.scalar(db.select(User.id).limit(1)) is None:
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("today.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().casefold()
        checks = (("account:" + email[:254], throttle.SIGN_IN_ACCOUNT), (throttle.client_key(), throttle.SIGN_IN_ADDRESS))
        if throttle.blocked(*checks):
            database.take_write_lock()
            audit.record("throttled", user=None, email=email, record_type="User")
            db.session.commit()
            abort(429)
        user = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email))
        ok = passwords.verify(user.password_hash if user else passwords.DUMMY_HASH, form.password.data)
        database.take_write_lock()
        if user and ok and user.active:
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(form.password.data)
            sign_in(user)
            audit.record("sign-in", user=user, record_type="User", record_id=user.id)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("today.index")))
        audit.record("failed sign-in", user=None, email=email)
        throttle.hit(*checks)
        db.session.commit()
        form.password.errors.append(_("The email or password is not right."))
        return render("auth/login.html", form=form, status=401)
    return render("auth/login.html", form=form, status=422 if form.errors else 200)


@bp.post("/logout")
def logout():
    user = current_user._get_current_object()
    user.end_sessions()   # signing out here signs out everywhere
    audit.record("sign-out", user=user, record_type="User", record_id=user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not passwords.verify(user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is not right."))
        else:
            user.password_hash = passwords.hash_password(form.password.data)
            user.end_sessions()
            audit.record("update", obj=user, changes={"password": ["…", "…"]})
            db.session.commit()
            sign_in(user)   # this session goes on under the new version; the others end
            flash(_("Your password is changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    return render("auth/account.html", form=form, status=422 if form.errors else 200)


@bp.post("/language")
def language():
    lang = request.form.get("lang")
    if lang in LOCALES:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("today.index")))


def language_switched_in_form() -> bool:
    """On a page whose form must survive a change of language, the header's switch submits that form with
    `switch_lang`: change the language now, and let the view show the form again, unsaved, in it."""
    from flask_babel import refresh
    lang = request.form.get("switch_lang") if request.method == "POST" else None
    if lang not in LOCALES:
        return False
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    refresh()
    return True


@bp.get("/session/status")
def session_status():
    from hrsn import settings
    limit = int(settings.get("idle_minutes")) * 60
    remaining = max(0, limit - (int(time.time()) - session.get("seen", int(time.time()))))
    return jsonify(remaining=remaining)


@bp.post("/session/keepalive")
def keepalive():
    return ("", 204)


@bp.get("/vendor/htmx.min.js")
def htmx_js():
    path = resources.files("js_lib_htmx").joinpath("static/htmx/htmx.min.js")
    return send_file(path, mimetype="text/javascript", max_age=86400)
