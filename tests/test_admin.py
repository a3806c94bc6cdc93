"""Administration: staff accounts, the audit trail page, settings."""
import pytest

from conftest import PASSWORD, make_member
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import AuditEvent, User


def test_only_admin_reaches_admin_pages(auth):
    auth.login("coordinator")
    for url in ("/admin/", "/admin/users", "/admin/audit", "/admin/settings", "/admin/users/new"):
        assert auth.client.get(url).status_code == 403, url


def test_admin_creates_user_and_it_is_audited(app, auth):
    admin = auth.login("admin")
    response = auth.client.post("/admin/users/new", data={
        "name": "Lucía Peña", "email": "Lucia@Test.local", "role": "case_manager",
        "languages": ["en", "es"], "active": "y", "password": "una frase larga"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "lucia@test.local"))
        assert (user.role, user.language_list, user.active) == ("case_manager", ["en", "es"], True)
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "create"))
        assert event.user_id == admin.id and event.record_id == user.id
        assert "password_hash" not in event.changes and event.changes["role"] == [None, "case_manager"]


@pytest.mark.parametrize("data, message", [
    ({"name": "", "email": "x@test.local", "role": "finance", "password": "long enough 9"}, "Enter a name."),
    ({"name": "X", "email": "bad", "role": "finance", "password": "long enough 9"}, "valid email"),
    ({"name": "X", "email": "x@test.local", "role": "wizard", "password": "long enough 9"}, "Choose a role from the list."),
    ({"name": "X", "email": "x@test.local", "role": "finance", "password": ""}, "at least 8"),
    ({"name": "X", "email": "x@test.local", "role": "finance", "languages": ["klingon"], "password": "long enough 9"}, "Choose languages from the list."),
])
def test_user_form_validation(app, auth, data, message):
    auth.login("admin")
    response = auth.client.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_duplicate_email_refused(app, auth):
    admin = auth.login("admin")
    response = auth.client.post("/admin/users/new", data={"name": "X", "email": admin.email.upper(),
                                                          "role": "finance", "password": "long enough 9"})
    assert response.status_code == 422 and "already uses" in response.get_data(as_text=True)


def test_disabling_a_user_ends_their_sessions(app, auth):
    auth.login("admin")
    victim_client = app.test_client()
    with app.app_context():
        from conftest import make_user
        victim_id = make_user("case_manager", email="v@test.local", name="Vic").id
    victim_client.post("/login", data={"email": "v@test.local", "password": PASSWORD})
    assert victim_client.get("/").status_code == 200
    response = auth.client.post(f"/admin/users/{victim_id}", data={
        "name": "Vic", "email": "v@test.local", "role": "case_manager", "languages": ["en"], "password": "", "version": "1"})
    assert response.status_code == 302
    assert victim_client.get("/").status_code == 302
    assert victim_client.post("/login", data={"email": "v@test.local", "password": PASSWORD}).status_code == 401
    with app.app_context():
        change = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "update"))
        assert change.changes["active"] == [True, False]


def test_admin_cannot_lock_themself_out(app, auth):
    admin = auth.login("admin")
    response = auth.client.post(f"/admin/users/{admin.id}", data={
        "name": admin.name, "email": admin.email, "role": "finance", "active": "y", "password": "", "version": "1"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(User, admin.id).role == "admin"


def test_audit_page_lists_and_filters(app, auth):
    auth.login("admin")
    with app.app_context():
        member_id = make_member("Zoe", "Quintana").id
    auth.client.get(f"/members/{member_id}")
    all_rows = auth.client.get("/admin/audit").get_data(as_text=True)
    assert "Zoe Quintana" in all_rows and "sign-in" in all_rows
    views = auth.client.get(f"/admin/audit?action=view&member={member_id}", headers={"HX-Request": "true"})
    body = views.get_data(as_text=True)
    assert "<html" not in body and body.count("<tr>") == 2  # header + one view
    nothing = auth.client.get("/admin/audit?start=2000-01-01&end=2000-01-02").get_data(as_text=True)
    assert "No events match." in nothing
    odd = auth.client.get("/admin/audit?start=garbage&member=abc&user=%00&page=-4")
    assert odd.status_code == 200


def test_settings_validate_and_apply(app, auth):
    auth.login("admin")
    bad = auth.client.post("/admin/settings", data={"org_name": "Casa", "idle_minutes": "zero"})
    assert bad.status_code == 422 and "whole number" in bad.get_data(as_text=True)
    assert 'value="zero"' in bad.get_data(as_text=True)
    out_of_range = auth.client.post("/admin/settings", data={"org_name": "Casa", "idle_minutes": "1"})
    assert out_of_range.status_code == 422 and "from 2 to 480" in out_of_range.get_data(as_text=True)
    ok = auth.client.post("/admin/settings", data={"org_name": "Casa Esperanza", "idle_minutes": "45"})
    assert ok.status_code == 302
    with app.app_context():
        assert settings.get("idle_minutes") == 45 and settings.get("org_name") == "Casa Esperanza"
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "Setting"))
        assert event.changes["idle_minutes"] == [20, 45]
