"""The committed migrations build the whole schema, on SQLite and on PostgreSQL, and match the models."""
import os
import uuid

import pytest

from conftest import PASSWORD, make_member, make_user
from hrsn import create_app
from hrsn.extensions import db
from hrsn.models import AuditEvent, Member

PG_URL = os.environ.get("HRSN_TEST_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def migrate_and_check(app):
    runner = app.test_cli_runner()
    upgrade = runner.invoke(args=["db", "upgrade"])
    assert upgrade.exit_code == 0, upgrade.output
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, f"models and migrations differ: add a migration ({check.output})"


def exercise(app):
    """A few real requests against the migrated database."""
    from hrsn.seed.defaults import ensure_defaults
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
        assert db.session.scalar(db.select(Member.medicaid_id)) == "AB123456"


def test_migrations_on_empty_sqlite(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite'}"})
    migrate_and_check(app)
    exercise(app)


@pytest.fixture
def pg_schema():
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        conn = psycopg2.connect(PG_URL.replace("+psycopg2", ""), connect_timeout=3)
    except psycopg2.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is expected in CI: {error}")
        pytest.skip(f"no PostgreSQL server reachable: {error}")
    conn.autocommit = True
    schema = f"hrsn_test_{uuid.uuid4().hex[:10]}"
    conn.cursor().execute(f"CREATE SCHEMA {schema}")
    yield schema
    conn.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
    conn.close()


def test_migrations_on_postgresql(tmp_path, pg_schema):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"{PG_URL}?options=-csearch_path%3D{pg_schema}"})
    migrate_and_check(app)
    exercise(app)
    with app.app_context():
        db.engine.dispose()
