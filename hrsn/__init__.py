"""The HRSN case desk: create_app() builds the Flask application."""
import os
import secrets
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import dates, numbers
from flask import Flask, has_request_context, request, session
from flask_babel import format_date, get_locale, to_user_timezone
from flask_login import current_user

from hrsn.extensions import babel, csrf, db, htmx, login_manager, migrate

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
LOCALES = ("en", "es")


def create_app(test_config: dict | None = None) -> Flask:
    instance = Path(os.environ.get("HRSN_INSTANCE", ROOT / "instance")).resolve()
    if test_config and test_config.get("INSTANCE_PATH"):
        instance = Path(test_config["INSTANCE_PATH"]).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    _configure(app, instance, test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE / "migrations"))
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    htmx.init_app(app)

    from hrsn import database, security, steps
    from hrsn.storage import limit_body
    app.request_class = type("Request", (_SpoolInUploads, app.request_class), {})   # keeps htmx-flask's request.htmx
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(limit_body)    # before the sign-in gate and the CSRF check read the body
    database.init_app(app)
    security.init_app(app)   # the sign-in gate runs before the CSRF check
    csrf.init_app(app)
    _compile_catalogs()
    _register_template_helpers(app)

    steps.wire(app)

    from hrsn import cli
    cli.init_app(app)
    return app


class _SpoolInUploads:
    """Incoming files are spooled inside the uploads folder, never in the system's temporary folder."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        from hrsn.storage import spool_in_uploads
        return spool_in_uploads(total_content_length, content_type, filename, content_length)


def _configure(app: Flask, instance: Path, test_config: dict | None) -> None:
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'hrsn.sqlite'}",
        # Statement parameters are member data: never repeated in an error's text (and so never in a log).
        SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True},
        WTF_CSRF_TIME_LIMIT=None,          # the token lives as long as the sign-in session
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="hrsn_session",
        REMEMBER_COOKIE_DURATION=0,
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE="America/Los_Angeles",
        BABEL_TRANSLATION_DIRECTORIES=str(PACKAGE / "translations"),
        UPLOAD_FOLDER=str(instance / "uploads"),
        BACKUP_FOLDER=str(instance / "backups"),
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        RATELIMIT_ENABLED=True,
        TRUSTED_PROXIES=0,            # reverse proxies in front (their X-Forwarded-* headers are believed)
        TRUSTED_HOSTS=None,           # e.g. "desk.example.org,localhost": other Host headers are refused
        SQLITE_BUSY_TIMEOUT=5.0,
    )
    app.config.from_pyfile("config.py", silent=True)
    for key, value in os.environ.items():
        if key.startswith("HRSN_") and key not in ("HRSN_INSTANCE", "HRSN_DATABASE_URL",
                                                                "HRSN_BACKUP_PASSPHRASE"):
            app.config[key[5:]] = _env_value(value)
    if os.environ.get("HRSN_DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["HRSN_DATABASE_URL"]
    if test_config:
        app.config.update(test_config)
    if isinstance(app.config.get("TRUSTED_HOSTS"), str):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in app.config["TRUSTED_HOSTS"].split(",") if h.strip()]
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") or uri.startswith("postgresql"):
        # Each server thread holds one connection, and a page's audit event briefly takes a second one.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 10, "max_overflow": 20,
                                                   **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if uri.startswith("sqlite:"):
        # SQLite's driver keeps each connection's last 128 prepared statements for as long as the connection lives,
        # the largest of them a few hundred kilobytes: 20 MB more across the pool after a busy minute. 32 hold
        # what a page runs; the statements themselves are compiled once by SQLAlchemy either way.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **options, "connect_args": {"cached_statements": 32, **options.get("connect_args", {})}}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    for folder in ("UPLOAD_FOLDER", "BACKUP_FOLDER"):
        Path(app.config[folder]).mkdir(parents=True, exist_ok=True)


def _env_value(raw: str):
    """Environment values are text; read the usual spellings of yes/no and whole numbers."""
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    return int(raw) if raw.strip().isdigit() else raw


def _secret_key(instance: Path) -> str:
    """Generated on first start and kept in the instance folder, readable by the owner only."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def select_locale() -> str:
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("lang") in LOCALES:
        return session["lang"]
    return request.accept_languages.best_match(LOCALES) or _organization("default_locale") or "en"


def select_timezone() -> str | None:
    """The organization's time zone (a setting chosen on the first run); the configured default before that."""
    return _organization("org_timezone")


def _organization(key: str):
    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError
    from hrsn import settings
    if "hrsn" not in current_app.extensions:
        return None
    try:
        return settings.get(key)
    except SQLAlchemyError:          # no schema yet (before the first migration)
        return None


def _compile_catalogs() -> None:
    """Compile each .po into its .mo when missing or older, so a fresh checkout speaks Spanish."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    for po in (PACKAGE / "translations").glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)


def money(cents) -> str:
    """Cents as the interface writes money ($1,850.00 or 1.850,00 US$), through Decimal: never a float. Each amount
    is worked out by Babel once per language and kept: a queue of payments writes the same rents again and again."""
    return "" if cents is None else _usd(str(get_locale() or "en"), int(cents))


@lru_cache(maxsize=4096)
def _usd(locale: str, cents: int) -> str:
    return numbers.format_currency(Decimal(cents) / 100, "USD", locale=locale)


@lru_cache(maxsize=4096)
def _medium_day(locale: str, value: date) -> str:
    return dates.format_date(value, "medium", locale=locale)


@lru_cache(maxsize=4096)
def _short_clock(locale: str, hour: int, minute: int) -> str:
    return dates.format_time(time(hour, minute), "short", locale=locale)


def _register_template_helpers(app: Flask) -> None:
    from hrsn import audit, links, settings
    app.jinja_env.globals.update(url_for=links.url_for, field_label=audit.field_label, audit_value=audit.shown,
                                 action_label=lambda key: audit.label_for(audit.ACTION_LABELS, key),
                                 record_label=lambda key: audit.label_for(audit.RECORD_LABELS, key))

    app.add_template_filter(money, "money")

    # One way to write a day, and one way to write a moment, in each language (Babel's medium date, short time),
    # in the organization's time zone. A page of contacts writes dozens: each day and each minute of the day is
    # worked out by Babel once per language and kept.
    @app.template_filter("day")
    def day(value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = to_user_timezone(value).date()
        return _medium_day(str(get_locale() or "en"), value)

    @app.template_filter("month")
    def month(value):
        return "" if value is None else format_date(value, "MMMM y")

    @app.template_filter("when")
    def when(value):
        if value is None:
            return ""
        local, locale = to_user_timezone(value), str(get_locale() or "en")
        return f"{_medium_day(locale, local.date())}, {_short_clock(locale, local.hour, local.minute)}"

    @app.context_processor
    def globals_():
        from hrsn.models import URGENCY_LABELS
        from hrsn.steps import wiring
        return {"setting": settings.get, "locale": str(get_locale() or "en"), "nav_items": wiring().nav,
                "urgency_labels": URGENCY_LABELS, "language_in_sentence": language_in_sentence}

    def language_in_sentence(code: str) -> str:
        """A language's name inside a sentence: Spanish writes it in lower case ("en español")."""
        from hrsn.models import LANGUAGES
        name = str(LANGUAGES.get(code, code))
        return name.lower() if str(get_locale() or "en").startswith("es") else name
