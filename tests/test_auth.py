"""Sign-in, first-run setup, sessions that can be ended, passwords and the language choice."""
import re
import time

import pytest

from conftest import PASSWORD, make_app, make_user
from hrsn import passwords
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import AuditEvent, User


def events(app, action):
    with app.app_context():
        return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)).all()


ORG = {"org_name": "Casa Esperanza", "org_phone": "503 555 0100", "org_address": "12 Oak St, Salem, OR",
       "org_timezone": "America/Chicago", "default_locale": "es"}


def test_setup_creates_first_admin_then_disappears(client, app):
    assert client.get("/login").location.endswith("/setup")
    response = client.post("/setup", data={"name": "Rosa Díaz", "email": "Rosa@Example.org",
                                           "password": "a long passphrase 🌲", "confirm": "a long passphrase 🌲",
                                           "locale": "es", **ORG})
    assert response.status_code == 302 and response.location.endswith("/setup/review")
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.email, user.role, user.locale) == ("rosa@example.org", "admin", "es")
        assert user.password_hash.startswith("$argon2id$")
        assert [settings.get(k) for k in ("org_name", "org_phone", "org_timezone", "default_locale")] == [
            "Casa Esperanza", "(503) 555-0100", "America/Chicago", "es"]
    review = client.get("/setup/review").get_data(as_text=True)
    assert "Local CCO (rename me)" in review and "Ayuda con la renta" in review
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data={"name": "X", "email": "x@y.org", "password": "another long one",
                                       "confirm": "another long one", "locale": "en"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


@pytest.mark.parametrize("data, message", [
    ({"name": "", "email": "a@b.org", "password": "long enough 1", "confirm": "long enough 1"}, "Enter your name."),
    ({"name": "A", "email": "not-an-email", "password": "long enough 1", "confirm": "long enough 1"}, "Enter a valid email address."),
    ({"name": "A", "email": "a" * 10_000 + "@b.org", "password": "long enough 1", "confirm": "long enough 1"}, "at most 254"),
    ({"name": "A", "email": "a@b.org", "password": "short", "confirm": "short"}, "at least 8"),
    ({"name": "A", "email": "a@b.org", "password": "Password123", "confirm": "Password123"}, "too common"),
    ({"name": "A", "email": "a@b.org", "password": "long enough 1", "confirm": "long enough 2"}, "not the same"),
])
def test_setup_validation_keeps_input(client, app, data, message):
    response = client.post("/setup", data={**data, "locale": "en", **ORG})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    if data["name"]:
        assert f'value="{data["name"]}"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_every_page_requires_sign_in(client, app):
    with app.app_context():
        make_user("admin")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.login", "auth.setup", "auth.htmx_js") or "GET" not in rule.methods:
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", "1", rule.rule)
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.location, url


def test_signed_out_htmx_request_gets_hx_redirect(client, app):
    with app.app_context():
        make_user("admin")
    response = client.get("/members/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_wrong_credentials_give_one_message(client, app):
    with app.app_context():
        make_user("case_manager", email="cm@test.local")
    wrong_password = client.post("/login", data={"email": "cm@test.local", "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "ghost@test.local", "password": "nope nope nope"})
    for response in (wrong_password, unknown):
        assert response.status_code == 401
        assert "The email or password is not right." in response.get_data(as_text=True)
    assert 'value="ghost@test.local"' in unknown.get_data(as_text=True)
    failed = events(app, "failed sign-in")
    assert [e.email for e in failed] == ["cm@test.local", "ghost@test.local"]


@pytest.mark.parametrize("data", [{"email": "", "password": ""}, {"email": "a" * 10_000, "password": "x"}, {}])
def test_login_bad_input_is_refused_plainly(client, app, data):
    with app.app_context():
        make_user("admin")
    response = client.post("/login", data=data)
    assert response.status_code == 422
    assert 'class="errors"' in response.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(client, app):
    with app.app_context():
        make_user("case_manager", email="off@test.local", active=False)
    response = client.post("/login", data={"email": "off@test.local", "password": PASSWORD})
    assert response.status_code == 401


def test_login_form_fields_and_no_remember_cookie(client, app):
    with app.app_context():
        make_user("admin", email="a@test.local")
    page = client.get("/login").get_data(as_text=True)
    for name in ("email", "password", "csrf_token"):
        assert f'name="{name}"' in page
    response = client.post("/login", data={"email": "A@Test.local", "password": PASSWORD})
    assert response.status_code == 302
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert "remember_token" not in cookies
    assert "HttpOnly" in cookies and "SameSite=Lax" in cookies
    assert events(app, "sign-in")[0].email == "a@test.local"


def test_next_only_goes_to_this_site(client, app):
    with app.app_context():
        make_user("admin", email="a@test.local")
    evil = client.post("/login?next=//evil.example/x", data={"email": "a@test.local", "password": PASSWORD})
    assert evil.location == "/"
    client.post("/logout")
    good = client.post("/login?next=/admin/users", data={"email": "a@test.local", "password": PASSWORD})
    assert good.location == "/admin/users"


def test_sign_out_ends_every_session_of_that_user(app, auth):
    user = auth.login("coordinator", email="co@test.local")
    other = app.test_client()
    other.post("/login", data={"email": "co@test.local", "password": PASSWORD})
    assert other.get("/").status_code == 200
    auth.logout()
    assert auth.client.get("/").status_code == 302
    assert other.get("/").status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).session_version == user.session_version + 1


def test_password_change_keeps_this_session_and_ends_others(app, auth):
    auth.login("case_manager", email="cm@test.local")
    other = app.test_client()
    other.post("/login", data={"email": "cm@test.local", "password": PASSWORD})
    wrong = auth.client.post("/account", data={"current": "wrong one!", "password": "brand new phrase",
                                               "confirm": "brand new phrase"})
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    ok = auth.client.post("/account", data={"current": PASSWORD, "password": "brand new phrase",
                                            "confirm": "brand new phrase"})
    assert ok.status_code == 302
    assert auth.client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "cm@test.local", "password": "brand new phrase"}).status_code == 302


def test_old_hash_parameters_are_rehashed_on_sign_in(app, client):
    from argon2 import PasswordHasher
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context():
        user = make_user("admin", email="old@test.local")
        user.password_hash = weak
        db.session.commit()
    assert client.post("/login", data={"email": "old@test.local", "password": PASSWORD}).status_code == 302
    with app.app_context():
        stored = db.session.scalar(db.select(User).where(User.email == "old@test.local")).password_hash
        assert stored != weak and not passwords.needs_rehash(stored)


def test_password_policy():
    assert passwords.problem("seven77") is not None
    assert passwords.problem("qwerty123") is not None
    assert passwords.problem("aaaaaaaaaaa") is not None
    assert passwords.problem("tres palabras 🌮🌵") is None
    assert passwords.problem("x" * 5000) is not None


def test_idle_sign_out_ignores_background_requests(app, auth):
    auth.login("case_manager")
    with auth.client.session_transaction() as session:
        session["seen"] = int(time.time()) - 19 * 60
    # A background status check does not count as activity...
    status = auth.client.get("/session/status", headers={"X-HRSN-Background": "1"})
    assert 0 < status.get_json()["remaining"] <= 60
    with auth.client.session_transaction() as session:
        assert session["seen"] < time.time() - 18 * 60
        session["seen"] = int(time.time()) - 21 * 60
    # ...and past the limit the next request signs out with a message.
    response = auth.client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert "without activity" in auth.client.get("/login").get_data(as_text=True)
    assert auth.client.get("/").status_code == 302


def test_sign_in_is_throttled_per_account(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        make_user("admin", email="a@test.local")
    client = app.test_client()
    codes = [client.post("/login", data={"email": "a@test.local", "password": "wrong guess"}).status_code
             for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    blocked = client.post("/login", data={"email": "a@test.local", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many tries" in blocked.get_data(as_text=True)
    # Another account from another address is not affected.
    with app.app_context():
        make_user("admin", email="b@test.local")
    other = client.post("/login", data={"email": "b@test.local", "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302


def test_language_follows_browser_then_switch_then_saved_preference(app, client):
    with app.app_context():
        make_user("admin", email="a@test.local")
    page = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es">' in page and "Iniciar sesión" in page
    client.post("/language", data={"lang": "en", "next": "/login"}, headers={"Accept-Language": "es"})
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "es"}).get_data(as_text=True)
    client.post("/login", data={"email": "a@test.local", "password": PASSWORD})
    client.post("/language", data={"lang": "es", "next": "/"})
    with app.app_context():
        assert db.session.scalar(db.select(User.locale)) == "es"
    fresh = app.test_client()
    fresh.post("/login", data={"email": "a@test.local", "password": PASSWORD})
    home = fresh.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hoy" in home and "Cerrar sesión" in home


def test_spanish_interface_has_no_english_navigation(app, auth):
    auth.login("admin")
    auth.client.post("/language", data={"lang": "es", "next": "/"})
    page = auth.client.get("/").get_data(as_text=True)
    for spanish in ("Hoy", "Miembros", "Referidos", "Administración"):
        assert spanish in page
    for english in (">Today<", ">Members<", ">Reports<", "Sign out"):
        assert english not in page
