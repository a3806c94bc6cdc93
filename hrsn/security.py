"""Sign-in gate, idle sign-out, security headers and the error pages."""
import logging
import time
from pathlib import Path
import traceback
import uuid

from flask import Flask, Response, flash, g, has_request_context, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from hrsn import settings
from hrsn.extensions import db, login_manager
from hrsn.models import User
from hrsn.render import render, wants_fragment
from hrsn.storage import DISK_ERRORS

log = logging.getLogger("hrsn")

PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.setup", "auth.language", "auth.htmx_js"}
BACKGROUND_HEADER = "X-HRSN-Background"

# The desk needs no camera, microphone, location, payment or sensor: no page may ask for them.
PERMISSIONS = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
               "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


# Every request's first statement, built once (the session's `get` builds its statement again each time).
_USER = select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(token: str):
    try:
        user_id, version = (int(part) for part in token.split(":"))
    except (ValueError, AttributeError):
        return None
    user = db.session.execute(_USER, {"user_id": user_id}).scalar_one_or_none()
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def _to_login(message: str | None = None):
    if message:
        flash(message, "warning")
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if request.headers.get("HX-Request"):
        response = redirect(target)
        response.status_code = 401
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _gate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.routing_exception is not None:
        return None         # public, or not routed at all (unknown address, untrusted Host): answered as an error
    if not current_user.is_authenticated:
        return _to_login(_("Your session has ended. Sign in again; nothing was saved.")
                         if request.method == "POST" else None)
    now = int(time.time())
    idle_limit = int(settings.get("idle_minutes")) * 60
    if now - session.get("seen", now) > idle_limit:
        logout_user()
        session.clear()
        return _to_login(_("You were signed out after %(n)d minutes without activity.",
                           n=idle_limit // 60))
    if request.headers.get(BACKGROUND_HEADER) != "1":
        session["seen"] = now
    return None


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint not in ("static", "auth.htmx_js"):
        headers["Cache-Control"] = "no-store"
    return response


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request came over HTTPS (or the config says so)."""

    def get_cookie_secure(self, app):
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (has_request_context() and request.is_secure)


def _error_page(code: int, title: str, message: str, incident: str | None = None):
    if request.url_rule is None and request.blueprint is None and code == 400:
        # A request refused before routing (an untrusted Host header): no page can be built for it.
        return Response(f"{title}. {message}", status=code, mimetype="text/plain")
    return render("errors/error.html", "errors/_error.html", status=code, code=code,
                  title=title, message=message, incident=incident)


def init_app(app: Flask) -> None:
    app.before_request(_gate)
    app.after_request(_headers)
    app.session_interface = _SessionInterface()

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error_page(400, _("This form could not be accepted"),
                           _("The form's security token is missing or no longer valid, so nothing "
                             "was saved. Go back, reload the page and submit it again."))

    @app.errorhandler(OperationalError)
    def database_busy(error):
        db.session.rollback()
        g._hrsn_committed = True       # drawing the answer only reads: it must not wait for the write lock again
        text = str(error.orig).lower() if error.orig is not None else ""
        if "disk" in text and "full" in text or "readonly" in text or "read-only" in text:
            return disk_full(error)
        if "locked" not in text and "busy" not in text:
            return server_error(error)
        if g.get("_login_user") is None:
            # The user could not be loaded either; the page must not try again.
            g._login_user = login_manager.anonymous_user()
        fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
        return render("errors/busy.html", "errors/_busy.html", status=503, fields=fields,
                      action=request.path if request.method == "POST" else None)

    @app.errorhandler(HTTPException)
    def http_error(error):
        messages = {
            400: (_("Something in the request was not right"), _("Nothing was saved. Go back and try again.")),
            403: (_("Not allowed"), _("Your role does not give access to this page.")),
            404: (_("Not found"), _("There is nothing here, or you do not have access to it.")),
            405: (_("Not allowed"), _("This address does not accept that kind of request.")),
            413: (_("Too large"), _("What was sent is larger than allowed. Nothing was saved.")),
            423: (_("Closed record"), _("This member's record is closed and can only be read. Reopen it on the "
                                          "Follow-up tab to change anything. Nothing was saved.")),
            429: (_("Too many attempts"), _("Too many tries in a short time. Wait a minute, then try again.")),
        }
        if error.code == 413 and g.get("upload_limit_mb"):
            messages[413] = (_("File too large"), _("The file is larger than the %(n)d MB limit. Nothing was saved.",
                                                    n=g.upload_limit_mb))
        title, message = messages.get(error.code, (error.name, _("Nothing was saved.")))
        return _error_page(error.code or 500, title, message)

    def disk_full(error):
        log.error("incident on %s %s: the disk is full or cannot be written (%s)", request.method, request.endpoint,
                  type(error).__name__)
        return _error_page(507, _("The disk is full"),
                           _("The desk's disk is full or cannot be written, so nothing was saved. What you typed is "
                             "still on the page. Tell your administrator."))

    @app.errorhandler(Exception)
    def server_error(error):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        g._hrsn_committed = True
        if isinstance(error, OSError) and error.errno in DISK_ERRORS:
            return disk_full(error)
        incident = uuid.uuid4().hex[:10]
        # The error's own text may quote member data (a database error repeats the values it refused):
        # the log gets the kind of error and where it happened, never its message.
        where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                           for f in reversed(traceback.extract_tb(error.__traceback__)))
        log.error("incident %s on %s %s: %s at %s", incident, request.method, request.endpoint,
                  type(error).__name__, where)
        return _error_page(500, _("Something went wrong"),
                           _("The problem has been recorded. Nothing from this request was saved."),
                           incident)

    app.jinja_env.globals["wants_fragment"] = wants_fragment
