"""The frame every page shares: headers, CSRF, htmx conventions, error pages, the database settings."""
import re
import sqlite3

import pytest
from sqlalchemy import text

from conftest import PASSWORD, PG_URL, make_app, make_user, sqlite_only
from hrsn.extensions import db
from hrsn.render import render


def test_security_headers_and_no_store(app, auth):
    auth.login("admin")
    response = auth.client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_load_nothing_from_other_hosts_and_no_inline_code(app, auth):
    auth.login("admin")
    for url in ("/", "/admin/", "/admin/users", "/admin/audit", "/login"):
        page = auth.client.get(url).get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', page), url
        assert "<script>" not in page and " style=" not in page and "<style" not in page, url


def test_htmx_is_served_from_the_installed_package(client):
    response = client.get("/vendor/htmx.min.js")
    assert response.status_code == 200
    assert b"htmx" in response.data[:2000] and response.mimetype == "text/javascript"


def test_base_layout_configures_htmx(app, auth):
    auth.login("admin")
    page = auth.client.get("/").get_data(as_text=True)
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page).group(1)
    import json
    settings = json.loads(config)
    assert settings["historyCacheSize"] == 0 and settings["includeIndicatorStyles"] is False
    assert any(rule["swap"] and re.fullmatch(rule["code"], "422") for rule in settings["responseHandling"])
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_post_without_csrf_token_is_refused(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("admin", email="a@test.local")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post("/login", data={"email": "a@test.local", "password": PASSWORD})
    assert refused.status_code == 400
    assert "security token" in refused.get_data(as_text=True)
    ok = client.post("/login", data={"email": "a@test.local", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302
    # htmx sends the token in a header, as the body's hx-headers asks.
    home = client.get("/").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
    assert client.post("/session/keepalive", headers={"HX-Request": "true"}).status_code == 400
    assert client.post("/session/keepalive", headers={"HX-Request": "true", "X-CSRFToken": header_token}).status_code == 204


def test_csrf_message_in_spanish(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("admin")
    response = app.test_client().post("/login", data={}, headers={"Accept-Language": "es"})
    assert response.status_code == 400 and "código de seguridad" in response.get_data(as_text=True)


def test_render_gives_fragment_only_to_plain_htmx_requests(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        fragment = render("errors/error.html", "errors/_error.html", code=404, title="t", message="m")
        assert "<html" not in fragment.get_data(as_text=True)
        assert "HX-Request" in fragment.headers["Vary"]
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"},
                    {"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        with app.test_request_context("/", headers=headers):
            page = render("errors/error.html", "errors/_error.html", code=404, title="t", message="m")
            assert "<html" in page.get_data(as_text=True)


def test_error_pages_are_plain_and_translated(app, auth):
    auth.login("case_manager")
    missing = auth.client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and "Not found" in missing.get_data(as_text=True)
    auth.client.post("/language", data={"lang": "es"})
    assert "No encontrado" in auth.client.get("/no/such/page").get_data(as_text=True)
    forbidden = auth.client.get("/admin/")
    assert forbidden.status_code == 403 and "No permitido" in forbidden.get_data(as_text=True)


def test_unexpected_error_shows_incident_number_not_traceback(app, auth, caplog):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")
    auth.login("admin")
    response = auth.client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    incident = re.search(r"Incident number: (\w+)", body).group(1)
    assert "secret detail" not in body and "Traceback" not in body
    assert incident in caplog.text


@sqlite_only
def test_sqlite_connection_settings(app):
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


@pytest.mark.parametrize("driver", ["psycopg2", "psycopg"])
def test_postgresql_sessions_do_not_compile_statements_to_machine_code(tmp_path, pg_schema, driver):
    url = PG_URL.replace("postgresql+psycopg2:", f"postgresql+{driver}:")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"{url}?options=-csearch_path%3D{pg_schema}")
    with app.app_context():
        assert db.session.scalar(text("SHOW jit")) == "off"
        db.session.rollback()                       # set for the connection's life, not one transaction
        assert db.session.scalar(text("SHOW jit")) == "off"
        db.session.remove()
        db.engine.dispose()


@sqlite_only
def test_write_transactions_take_the_lock_up_front(app):
    """A second writer waits for the first instead of failing half-way."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            # The transaction began IMMEDIATE: another connection cannot start writing now.
            other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()


@sqlite_only
def test_busy_database_answers_503_and_keeps_the_form(tmp_path):
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT=0.2)
    with app.app_context():
        make_user("admin", email="a@test.local")
    client = app.test_client()
    client.post("/login", data={"email": "a@test.local", "password": PASSWORD})
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/admin/users/new", data={"name": "Typed Name", "email": "t@test.local",
                                                         "role": "finance", "password": "typed password 1"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "nothing was saved" in body and 'value="Typed Name"' in body


def test_secret_key_file_is_private(tmp_path):
    from hrsn import create_app
    instance = tmp_path / "inst"
    create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key = instance / "secret_key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    again = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert again.config["SECRET_KEY"] == key.read_text().strip()


def test_fields_are_marked_invalid_only_when_they_are(app, client):
    with app.app_context():
        make_user("admin")
    clean = client.get("/login").get_data(as_text=True)
    assert "aria-invalid" not in clean and '="None"' not in clean
    wrong = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert wrong.count('aria-invalid="true"') == 2 and 'aria-describedby="err-email"' in wrong


def test_a_members_episode_is_asked_once_per_request_and_again_after_a_write(app):
    from datetime import date
    from sqlalchemy import event
    from conftest import make_member
    from hrsn.models.followup import Episode, current_episode
    with app.app_context():
        member_id = make_member().id
    asked = []
    with app.test_request_context("/"):
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: asked.append(a[2]) if "FROM member_episode" in a[2] else None)
        first = current_episode(member_id)
        assert current_episode(member_id) is first and len(asked) == 1         # the header and the tab: one query
        db.session.add(Episode(member_id=member_id, number=(first.number + 1) if first else 1,
                               opened_on=date(2026, 1, 5)))
        db.session.flush()
        assert current_episode(member_id).opened_on == date(2026, 1, 5)        # a write: asked again
        db.session.rollback()
        assert current_episode(member_id) == first and len(asked) == 3             # the write undone: asked again


def test_translations_are_found_on_the_request_and_forced_languages_still_apply(app):
    import flask_babel
    from flask import g
    from flask_babel import force_locale, get_locale, gettext
    from hrsn.extensions import _babel_state
    assert flask_babel._get_current_context is _babel_state     # the lookup Flask-Babel's functions make
    assert get_locale() is None                                    # outside a request, as before
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert str(get_locale()) == "es" and gettext("Today") == "Hoy"
        assert g._flask_babel is _babel_state()                    # Flask-Babel's own place for it
        assert _babel_state().babel_translations[0] is get_locale()     # the catalog kept with its locale
        with force_locale("en"):
            assert gettext("Today") == "Today"
        assert gettext("Today") == "Hoy"
        flask_babel.refresh()
        assert not hasattr(_babel_state(), "babel_translations") and gettext("Today") == "Hoy"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Today") == "Today"                         # a new request asks afresh


def test_links_for_rows_are_the_links_flask_builds(app):
    """hrsn.links.url_for builds a link's shape once and puts each row's ids in it: the same URL as Flask's
    url_for for ids and query values in any order, and Flask's own answer for whatever is not a whole number."""
    from flask import url_for as flask_url_for
    from werkzeug.routing import BuildError

    from hrsn import links
    asked = [("intake.tab", {"member_id": 7}), ("intake.tab", {"member_id": 1234567}),
             ("today.section", {"key": "followup-check-ins"}), ("cases.step", {"payment_id": 3}),
             ("intake.tab", {"member_id": 7, "page": 2}), ("intake.tab", {"page": 2, "member_id": 7}),
             ("intake.tab", {"member_id": 7, "tab": "plan"}), ("intake.tab", {"member_id": 7, "_anchor": "x"}),
             ("intake.tab", {"member_id": 7, "note": None}), ("static", {"filename": "app.css"}),
             ("intake.tab", {"member_id": True}), ("intake.tab", {"member_id": -1})]
    with app.test_request_context("/"):
        for endpoint, values in asked * 2:          # the second time from the shape kept
            assert links.url_for(endpoint, **values) == flask_url_for(endpoint, **values), (endpoint, values)
        with pytest.raises(BuildError):
            links.url_for("intake.tab", member=7)
    with app.test_request_context("/", base_url="http://localhost/desk/"):
        assert links.url_for("intake.tab", member_id=7) == "/desk/members/7"       # served under a prefix
    assert app.jinja_env.globals["url_for"] is links.url_for


def test_form_attributes_are_written_exactly_as_wtforms_writes_them():
    import importlib.util
    from markupsafe import Markup
    from wtforms.widgets import core
    from hrsn.forms import html_params
    spec = importlib.util.find_spec("wtforms.widgets.core")
    wtforms_own = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wtforms_own)                    # WTForms' own function, as shipped
    assert core.html_params is html_params and core.Input.html_params is html_params
    assert core.Button.html_params is html_params and core.TextInput.html_params is html_params
    for attributes in ({"name": "text1", "id": "f", "class_": "text"},
                       {"checked": True, "readonly": False, "name": "text1", "abc": "hello"},
                       {"data_hx_get": "/a?b=1&c=2", "aria_describedby": "err-x", "for_": "x"},
                       {"value": '<script>"x" & \'y\'</script>', "title": Markup('say "hi" <b>')},
                       {"value": 0, "min": 1.5, "placeholder": ""}, {}):
        assert html_params(**attributes) == wtforms_own.html_params(**attributes)
        assert isinstance(html_params(**attributes), Markup)


def test_days_and_moments_are_written_as_babel_writes_them_in_the_organizations_time_zone(app):
    from datetime import date, datetime
    from flask import render_template_string
    from flask_babel import force_locale, format_date, format_time
    moments = [datetime(2026, 3, 8, 9, 59), datetime(2026, 3, 8, 10, 1),       # either side of the change to DST
               datetime(2026, 11, 1, 8, 30), datetime(2026, 12, 7, 7, 30),      # 07:30 UTC: the evening before
               datetime(2026, 6, 30, 23, 59, 59)]
    with app.test_request_context("/"):
        for locale in ("en", "es"):
            with force_locale(locale):
                for moment in moments:
                    written = render_template_string("{{ m|when }}|{{ m|day }}|{{ d|day }}", m=moment, d=moment.date())
                    assert written == (f"{format_date(moment, 'medium')}, {format_time(moment, 'short')}|"
                                       f"{format_date(moment, 'medium')}|{format_date(moment.date(), 'medium')}")
                assert render_template_string("{{ d|day }}", d=date(2026, 1, 5)) == (
                    "Jan 5, 2026" if locale == "en" else "5 ene 2026")


def test_money_is_written_as_babel_writes_it_in_each_language(app):
    from decimal import Decimal
    from flask import render_template_string
    from flask_babel import force_locale, format_currency
    from hrsn.cases.figures import money
    with app.test_request_context("/"):
        for locale, written in (("en", "$1,850.00"), ("es", "1.850,00\xa0US$")):
            with force_locale(locale):
                for cents in (0, 1, 99, 185000, 123456789, -2500):
                    assert money(cents) == format_currency(Decimal(cents) / 100, "USD")
                    assert render_template_string("{{ c|money }}", c=cents) == money(cents)
                assert money(185000) == written and money(None) == ""
