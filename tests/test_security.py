"""Nothing lost and nothing leaked: edit conflicts between two browsers, no member data in the cookie or the log,
the duplicate check, odd input, throttling kept in the database, file integrity, a full disk, the trail that
cannot be changed, the headers, and dependency versions that a fresh install cannot drift from."""
import base64
import errno
import json
import logging
import re
import tomllib
import zlib
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from conftest import PASSWORD, make_app, make_member, make_user, sqlite_only
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import AuditEvent, Document, DocumentVersion, Member, Referral, Throttle

ROOT = Path(__file__).resolve().parents[1]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
HX = {"HX-Request": "true"}


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def two(app):
    """Two coordinators in two browsers, and a member with one referral."""
    with app.app_context():
        make_user("coordinator", email="one@test.local", name="Uno")
        make_user("coordinator", email="two@test.local", name="Dos")
        member = make_member("Ana", "García", phone="(503) 555-0000", rent_months_owed=1)
        ids = (member.id, member.latest_referral.id)
    return signed_in(app, "one@test.local"), signed_in(app, "two@test.local"), ids


MEMBER = {"first_name": "Ana", "last_name": "García", "dob": "1980-05-17", "preferred_language": "es", "state": "OR"}


def test_two_browsers_editing_one_member_never_overwrite_each_other(app, two):
    first, second, (member_id, _ref) = two
    first.get(f"/members/{member_id}/edit")
    second.get(f"/members/{member_id}/edit")                   # both opened version 1
    assert first.post(f"/members/{member_id}/edit", data={**MEMBER, "phone": "5035550111", "version": "1"}).status_code == 302
    late = second.post(f"/members/{member_id}/edit", data={**MEMBER, "phone": "5035550222", "city": "Salem",
                                                           "version": "1"})
    page = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Someone else saved this record" in page and "Uno" in page and "(503) 555-0111" in page   # what changed
    assert 'value="(503) 555-0222"' in page and 'value="Salem"' in page                            # what was typed
    assert re.search(r'name="version" type="hidden" value="2"|type="hidden" value="2"[^>]*name="version"', page) or \
        'value="2"' in page
    with app.app_context():
        assert db.session.get(Member, member_id).phone == "(503) 555-0111"
    again = second.post(f"/members/{member_id}/edit", data={**MEMBER, "phone": "5035550222", "version": "2"})
    assert again.status_code == 302                              # re-applied knowingly
    with app.app_context():
        assert db.session.get(Member, member_id).phone == "(503) 555-0222"


def test_two_browsers_correcting_one_referral(app, two):
    first, second, (_member, referral_id) = two
    data = {"received_on": "2026-11-01", "source": "platform", "services": ["rent"], "version": "1"}
    assert first.post(f"/intake/referrals/{referral_id}/edit", data={**data, "rent_months_owed": "3"}).status_code == 302
    late = second.post(f"/intake/referrals/{referral_id}/edit", data={**data, "rent_months_owed": "4"})
    assert late.status_code == 409 and "Months of rent owed" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Referral, referral_id).rent_months_owed == 3


def test_a_stale_checklist_step_and_triage_are_refused(app, two):
    first, second, (member_id, referral_id) = two
    with app.app_context():
        from hrsn.models import ChecklistItem
        item_id = db.session.scalar(db.select(ChecklistItem.id).where(ChecklistItem.member_id == member_id))
    url = f"/members/{member_id}/documents/items/{item_id}/move"
    assert first.post(url, data={"to": "requested", "version": "1"}, headers=HX).status_code == 200
    stale = second.post(url, data={"to": "received", "version": "1"}, headers=HX)
    assert stale.status_code == 409 and "Someone else changed this document" in stale.get_data(as_text=True)
    assert first.post(f"/referrals/{referral_id}/triage", data={"decision": "accept", "version": "1"}).status_code == 302
    late = second.post(f"/referrals/{referral_id}/triage", data={"decision": "waitlist", "reason": "x", "version": "1"},
                       headers=HX)
    assert late.status_code == 409


def session_cookie(client) -> str:
    """The session cookie's readable content (it is signed, not encrypted)."""
    cookie = client.get_cookie("hrsn_session")
    payload = cookie.value.split(".")[0] if cookie else ""
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return (zlib.decompress(raw) if compressed or raw[:1] == b"x" else raw).decode("utf-8", "replace")


def test_no_member_data_travels_in_the_session_cookie(app, client, auth):
    auth.login("coordinator")
    client.post("/intake/new", data={"first_name": "Zenobia", "last_name": "Quintanilla", "dob": "1980-01-02",
                                     "received_on": "2026-11-20", "source": "self", "services": ["rent"],
                                     "preferred_language": "en", "state": "OR"})
    with app.app_context():
        member_id = db.session.scalar(db.select(Member.id))
        referral_id = db.session.scalar(db.select(Referral.id))
    client.post(f"/referrals/{referral_id}/triage", data={"decision": "accept"})
    client.post(f"/members/{member_id}/edit", data={**MEMBER, "first_name": "Zenobia", "last_name": "Quintanilla",
                                                    "version": "1"})
    cookie = client.get_cookie("hrsn_session")
    content = base64.urlsafe_b64decode(cookie.value.split(".")[1] + "==") if cookie.value.startswith(".") else b""
    readable = json.dumps(client.application.session_interface.get_signing_serializer(app).loads(cookie.value))
    assert "Zenobia" not in readable and "Quintanilla" not in readable and content is not None


def test_a_failing_request_logs_no_member_data(app, client, auth, caplog, monkeypatch):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("Zenobia", "Quintanilla").id
    from hrsn.intake import views

    def broken(member_id):
        db.session.execute(text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": "Zenobia Quintanilla"})
    monkeypatch.setitem(app.view_functions, "intake.tab", broken)
    with caplog.at_level(logging.DEBUG):
        response = client.get(f"/members/{member_id}")
    assert response.status_code == 500 and "Incident number" in response.get_data(as_text=True)
    assert "incident" in caplog.text and "Zenobia" not in caplog.text and "Quintanilla" not in caplog.text
    assert views is not None


def test_duplicate_checks_are_limited_and_recorded(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        make_user("case_manager", email="cm@test.local")
    client = signed_in(app, "cm@test.local")
    codes = [client.post("/intake/duplicates", data={"first_name": "A", "last_name": "B", "dob": "1990-01-01"},
                         headers=HX).status_code for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "throttled")).record_type == \
            "duplicate check"


@pytest.mark.parametrize("url", [
    "/members/?page=²", "/referrals/?page=٣", "/referrals/?payer=²&assignee=٣", "/admin/audit?member=²&user=٣&page=¹",
    "/admin/audit?start=2026-99-99&end=%00", "/contact/unable-to-reach?page=-1", "/referrals/assign?page=1e9",
    "/members/1/contact/log?page=٣", "/intake/blank.pdf?lang=%00",
])
def test_odd_query_parameters_never_give_a_500(client, auth, url):
    auth.login("admin")
    with client.application.app_context():
        make_member("Ana", "García")
    assert client.get(url).status_code < 500


def test_next_must_be_a_path_of_this_site(app, client):
    with app.app_context():
        make_user("admin", email="a@test.local")
    for target in ("/members/%0d%0aSet-Cookie:x=1", "//evil.example/", "https://evil.example/", "/\\evil"):
        response = client.post(f"/login?next={target}", data={"email": "a@test.local", "password": PASSWORD})
        assert response.status_code == 302 and response.location in ("/", "http://localhost/"), target
        assert "x=1" not in str(response.headers.getlist("Set-Cookie"))
        client.post("/logout")


def test_control_characters_are_dropped_before_they_are_saved(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("Ana", "García").id
    client.post(f"/members/{member_id}/contact/consent", data={"given_on": "2026-11-20", "form": "verbal",
                                                             "scope": "all\x00 partners\x1b"})
    with app.app_context():
        from hrsn.models import Consent
        assert db.session.scalar(db.select(Consent.scope)) == "all partners"


@sqlite_only
def test_throttling_survives_a_restart_and_is_kept_per_address(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        make_user("admin", email="a@test.local")
    client = app.test_client()
    for _ in range(3):
        client.post("/login", data={"email": "a@test.local", "password": "wrong guess"})
    restarted = make_app(tmp_path, RATELIMIT_ENABLED=True)     # the same database, a new process
    again = restarted.test_client()
    codes = [again.post("/login", data={"email": "a@test.local", "password": "wrong guess"}).status_code
             for _ in range(3)]
    assert codes == [401, 401, 429]
    with restarted.app_context():
        assert db.session.get(Throttle, "account:a@test.local").count == 5


def test_behind_a_trusted_proxy_each_client_address_counts_apart(tmp_path):
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    with app.app_context():
        make_user("admin", email="a@test.local")
    client = app.test_client()
    for n in range(3):
        client.post("/login", data={"email": f"nobody{n}@test.local", "password": "x"},
                    headers={"X-Forwarded-For": "198.51.100.7"})
    with app.app_context():
        keys = set(db.session.scalars(db.select(Throttle.key)))
    assert "address:198.51.100.7" in keys and "address:127.0.0.1" not in keys
    untrusted = make_app(tmp_path / "plain", RATELIMIT_ENABLED=True)
    with untrusted.app_context():
        make_user("admin", email="a@test.local")
    untrusted.test_client().post("/login", data={"email": "x@test.local", "password": "x"},
                                 headers={"X-Forwarded-For": "198.51.100.7"})
    with untrusted.app_context():
        assert "address:198.51.100.7" not in set(db.session.scalars(db.select(Throttle.key)))


def uploaded(app, client, member_id, name="lease.exe"):
    import io
    client.post(f"/members/{member_id}/documents/upload", data={"file": (io.BytesIO(PDF), name), "title": "Lease"},
                content_type="multipart/form-data")
    with app.app_context():
        return db.session.scalar(db.select(DocumentVersion))


def test_downloads_are_named_by_their_type_and_refused_when_changed_on_disk(app, client, auth):
    auth.login("admin")
    with app.app_context():
        member_id = make_member("Ana", "García").id
    version = uploaded(app, client, member_id)
    url = f"/members/{member_id}/documents/files/{version.id}"
    good = client.get(url)
    assert good.status_code == 200 and 'filename=lease.pdf' in good.headers["Content-Disposition"]
    path = Path(app.instance_path) / "uploads" / version.stored_name
    path.write_bytes(PDF.replace(b"Catalog", b"Catalig"))      # changed behind the app's back
    refused = client.get(url)
    assert refused.status_code == 409 and "changed" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.action == "altered")) == "altered"
    assert "Files changed on disk" in client.get("/").get_data(as_text=True)


def test_a_full_disk_during_an_upload_saves_nothing(app, client, auth, monkeypatch):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("Ana", "García").id
    import hrsn.storage as storage

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(storage.os, "fsync", full)
    import io
    answer = client.post(f"/members/{member_id}/documents/upload", data={"file": (io.BytesIO(PDF), "a.pdf")},
                         content_type="multipart/form-data", headers=HX)
    assert answer.status_code == 507 and "disk is full" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 0
    leftovers = [p for p in (Path(app.instance_path) / "uploads").iterdir() if p.is_file()]
    assert leftovers == []


def test_a_search_typed_with_wildcards_finds_only_what_it_says(client, auth):
    auth.login("coordinator")
    with client.application.app_context():
        make_member("Ana", "García")
    assert "Ana García" not in client.post("/members/", data={"q": "%"}).get_data(as_text=True)
    assert "Ana García" not in client.post("/members/", data={"q": "_"}).get_data(as_text=True)
    assert "Ana García" in client.post("/members/", data={"q": "garc"}).get_data(as_text=True)


def refuses_changes_to_the_trail(app):
    with app.app_context():
        db.session.add(AuditEvent(action="view", record_type="x"))
        db.session.commit()
        for statement in ("UPDATE audit_event SET action = 'export'", "DELETE FROM audit_event"):
            with pytest.raises(DatabaseError):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) >= 1


def test_the_trail_cannot_be_changed_with_sql(app):
    refuses_changes_to_the_trail(app)


def test_the_trail_cannot_be_changed_with_sql_on_postgresql(pg_app):
    refuses_changes_to_the_trail(pg_app)


def test_refusals_and_command_line_accounts_are_recorded(app, client, auth, runner):
    auth.login("finance")
    assert client.get("/members/").status_code == 403
    result = runner.invoke(args=["create-user", "--email", "new@test.local", "--name", "New", "--role", "finance",
                                 "--password", "long enough phrase"])
    assert result.exit_code == 0
    with app.app_context():
        actions = {(e.action, e.email) for e in db.session.scalars(db.select(AuditEvent))}
    assert ("refused", "finance1@test.local") in actions or any(a == "refused" for a, _e in actions)
    assert ("create", "command line") in actions


def test_security_headers_and_trusted_hosts(tmp_path):
    app = make_app(tmp_path, TRUSTED_HOSTS="desk.example.org,localhost")
    client = app.test_client()
    plain = client.get("/login")
    assert "camera=()" in plain.headers["Permissions-Policy"] and "Strict-Transport-Security" not in plain.headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400


def test_every_dependency_is_pinned_in_the_constraints_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    pinned = {line.split("==")[0].strip().lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
    names = {re.split(r"[<>=!\[ ]", dep, maxsplit=1)[0].lower().replace("_", "-") for dep in wanted}
    assert names <= pinned, names - pinned
    assert "-c constraints.txt" in (ROOT / ".ci" / "run").read_text()
    assert settings is not None
