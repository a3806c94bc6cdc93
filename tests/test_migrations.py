"""The committed migrations build the whole schema, on SQLite and on PostgreSQL, match the models, and carry
every screen and the main changes of each step after seed-demo."""
import io


from conftest import PASSWORD, PG_URL, make_member, make_user
from hrsn import create_app
from hrsn.extensions import db
from hrsn.models import AuditEvent, Member



def migrate_and_check(app):
    runner = app.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, f"models and migrations differ: add a migration ({check.output})"


def exercise(app):
    """A few real requests against the migrated database."""
    from hrsn.steps import ensure_defaults
    with app.app_context():
        ensure_defaults()
        make_user("coordinator", email="co@test.local")
        member_id = make_member("José", "Núñez", medicaid_id="AB123456").id
    client = app.test_client()
    assert client.post("/login", data={"email": "co@test.local", "password": PASSWORD}).status_code == 302
    assert client.get(f"/members/{member_id}").status_code == 200
    found = client.post("/members/", data={"q": "nunez"}).get_data(as_text=True)
    assert "José Núñez" in found
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.member_id == member_id)) == 1
        assert db.session.scalar(db.select(Member.medicaid_id).where(Member.id == member_id)) == "AB123456"


def exercise_every_screen(app):
    """Demo data, then every screen two roles reach and the main changes of each step, on this database."""

    from test_demo_walk import walk
    from hrsn.models import Referral
    from hrsn.seed import run
    with app.app_context():
        run(members=16, password=PASSWORD, rng_seed=4)
        referral_id = db.session.scalar(db.select(Referral.id).where(Referral.status == "new").order_by(Referral.id))
        new_member = db.session.scalar(db.select(Referral.member_id).where(Referral.id == referral_id))
    client = app.test_client()
    for email in ("coordinator@demo.local", "casemanager1@demo.local"):
        client.post("/logout")
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        seen = walk(client, ["/", "/members/", "/referrals/", "/referrals/assign"], limit=150)
        assert not {url: code for url, code in seen.items() if code >= 500}
    client.post("/logout")
    client.post("/login", data={"email": "coordinator@demo.local", "password": PASSWORD})
    for data in ({"q": "garcía"}, {"q": "OR1", "to_queue": "enrolled"}, {"payer": "1", "service": "rent",
                                                                         "language": "es", "assignee": "none"}):
        assert client.post("/referrals/", data=data).status_code == 200
    assert client.post(f"/referrals/{referral_id}/triage", data={"decision": "waitlist", "reason": "full"}).status_code == 302
    assert client.post("/intake/new", data={"first_name": "Zoë", "last_name": "O'Neil", "dob": "1990-01-02",
                                            "received_on": "2026-11-01", "source": "walk_in", "services": ["utility"],
                                            "utility_owed": "120", "preferred_language": "en"}).status_code == 302
    client.get(f"/members/{new_member}/documents")
    pdf = b"%PDF-1.4\n%%EOF\n"
    assert client.post(f"/members/{new_member}/documents/upload",
                       data={"file": (io.BytesIO(pdf), "stub.pdf")}).status_code == 302
    assert client.post(f"/members/{new_member}/screenings/new", data={"language": "es"}).status_code == 302
    exercise_directory(client)


def exercise_directory(client):
    """The directory's search with every filter, its printed list and an export imported again, on this database."""
    found = client.post("/directory/", data={"q": "food", "need": "food", "language": "es", "area": "97401",
                                             "open_now": "1", "accepting": "1", "hrsn_service": "rent", "payer": "1"})
    assert found.status_code == 200
    assert "Eugene Meals on Wheels" in client.post("/directory/", data={"q": "comida", "area": "Lane"}).get_data(as_text=True)
    assert client.post("/directory/list", data={"service_id": "1"}).status_code == 302
    assert client.get("/directory/resource-list.pdf?language=es").data.startswith(b"%PDF")
    exported = client.get("/directory/export.zip").data
    preview = client.post("/directory/import", data={"files": [(io.BytesIO(exported), "d.zip")]},
                          content_type="multipart/form-data")
    assert "Nothing to import" in preview.get_data(as_text=True)


def test_migrations_on_empty_sqlite(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}"})
    migrate_and_check(app)
    exercise_every_screen(app)
    exercise(app)


def test_migrations_on_postgresql(tmp_path, pg_schema):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"{PG_URL}?options=-csearch_path%3D{pg_schema}"})
    migrate_and_check(app)
    exercise_every_screen(app)
    exercise(app)
    with app.app_context():
        db.engine.dispose()
