"""Fixtures: a fresh app and database per test, a client, a sign-in helper per role, small factories."""
import os
import shutil
import threading
import uuid
from datetime import date
from functools import lru_cache

import pytest

from hrsn import create_app, passwords
from hrsn.extensions import db
from hrsn.models import Member, Payer, Referral, ServiceType, User, add_checklist_items
from hrsn.steps import ensure_defaults

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("HRSN_TEST_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
# HRSN_TEST_DATABASE=postgres: every app the tests make (unless a test names its own database) gets a fresh
# PostgreSQL schema instead of a SQLite file, so that the suite can be run against an office server's database.
ON_POSTGRES = os.environ.get("HRSN_TEST_DATABASE", "").lower() in ("postgres", "postgresql")
_made_schemas: list[str] = []
# A test of SQLite itself (its pragmas, its file, its locks), or one that reopens the same database in a second
# app: skipped when the suite runs on PostgreSQL.
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="a test of the SQLite database itself")


def pg_connect():
    """A plain driver connection to the test server (whichever driver the URL names)."""
    import re
    import psycopg2
    return psycopg2.connect(re.sub(r"^postgresql\+\w+", "postgresql", PG_URL), connect_timeout=3)


def pg_new_schema() -> str:
    conn = pg_connect()
    conn.autocommit = True
    schema = f"hrsn_test_{uuid.uuid4().hex[:10]}"
    conn.cursor().execute(f"CREATE SCHEMA {schema}")
    conn.close()
    return schema


def pg_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session", autouse=True)
def _drop_made_schemas():
    yield
    if _made_schemas:
        conn = pg_connect()
        conn.autocommit = True
        for schema in _made_schemas:
            conn.cursor().execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.close()


def org_today() -> date:
    """Today where the organization is (the app's default time zone), which is what the app checks dates against."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    return datetime.now(ZoneInfo("America/Los_Angeles")).date()


@lru_cache(maxsize=1)
def password_hash() -> str:
    return passwords.hash_password(PASSWORD)


def make_app(tmp_path, migrated: bool = False, **config):
    """A fresh app and database: the tables and the day-one data straight from the models, or (migrated) only
    what `hrsn serve` leaves on a fresh machine: the schema from the committed migrations and nothing else."""
    settings = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
    }
    settings.update(config)
    if ON_POSTGRES and "SQLALCHEMY_DATABASE_URI" not in config:
        _made_schemas.append(pg_new_schema())
        settings["SQLALCHEMY_DATABASE_URI"] = pg_url(_made_schemas[-1])
    app = create_app(settings)
    with app.app_context():
        if migrated:
            from flask_migrate import upgrade
            upgrade()
        else:
            db.create_all()
            ensure_defaults()
            db.session.commit()
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def pg_schema():
    """A schema of its own in the local PostgreSQL server (skipped when none answers, except in CI)."""
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        conn = pg_connect()
    except psycopg2.OperationalError as error:
        if os.environ.get("CI") or os.environ.get("HRSN_REQUIRE_BROWSER"):
            pytest.fail(f"PostgreSQL is expected here: {error}")
        pytest.skip(f"no PostgreSQL server reachable: {error}")
    conn.autocommit = True
    schema = f"hrsn_test_{uuid.uuid4().hex[:10]}"
    conn.cursor().execute(f"CREATE SCHEMA {schema}")
    yield schema
    conn.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
    conn.close()


@pytest.fixture
def pg_app(tmp_path, pg_schema):
    """The app on a fresh PostgreSQL schema, with the day-one data."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"{PG_URL}?options=-csearch_path%3D{pg_schema}")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(role="case_manager", email=None, name=None, languages="en", **kw) -> User:
    user = User(email=email or f"{role}{db.session.scalar(db.select(db.func.count(User.id)))}@test.local",
                name=name or role.replace("_", " ").title(), role=role, languages=languages,
                password_hash=password_hash(), **kw)
    db.session.add(user)
    db.session.commit()
    return user


def make_member(first="Ana", last="García", assignee=None, status="new", **kw) -> Member:
    """A member with one referral in the given status."""
    referral_kw = {k: kw.pop(k) for k in list(kw) if k in Referral.__table__.columns.keys()}
    services = kw.pop("services", ["rent"])
    member = Member(dob=kw.pop("dob", date(1980, 5, 17)), preferred_language=kw.pop("preferred_language", "es"),
                    assignee=assignee, **kw)
    member.set_name(first, last)
    referral = Referral(member=member, received_on=referral_kw.pop("received_on", date(2026, 11, 1)),
                        source=referral_kw.pop("source", "platform"), status=status,
                        payer=db.session.scalar(db.select(Payer).order_by(Payer.id)), **referral_kw)
    referral.services = list(db.session.scalars(db.select(ServiceType).where(ServiceType.code.in_(services))))
    db.session.add(member)
    db.session.flush()
    add_checklist_items(member, referral)      # as intake does when a referral is saved
    db.session.commit()
    return member


def events(response) -> set[str]:
    """The htmx events an answer triggers (HX-Trigger), without the status region's announcement."""
    import json
    raw = response.headers.get("HX-Trigger")
    return set(json.loads(raw)) - {"hrsnAnnounce"} if raw else set()


def announced(response) -> str | None:
    """The sentence an answer puts in the page's status region."""
    import json
    raw = response.headers.get("HX-Trigger")
    return json.loads(raw).get("hrsnAnnounce") if raw else None


class Auth:
    """Signs the test client in as a user of a given role (creating the user)."""

    def __init__(self, client, app):
        self.client, self.app = client, app

    def login(self, role="case_manager", **kw) -> User:
        with self.app.app_context():
            user = make_user(role, **kw)
            user_id, email = user.id, user.email
        response = self.client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        with self.app.app_context():
            return db.session.get(User, user_id)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client, app):
    return Auth(client, app)


class QueryCounter:
    """Counts the SQL statements the app sends (transaction control left out) while it is active."""

    SKIP = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(self.SKIP):
            self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def queries(app):
    """`with queries as q: ...; q.count`: the statements one request sends."""
    with app.app_context():
        return QueryCounter(db.engine)


# Browser tests ---------------------------------------------------------------

def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    path = _chromium()
    if path is None:
        if os.environ.get("HRSN_REQUIRE_BROWSER") == "1":
            pytest.fail("HRSN_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("no chromium on PATH: install Debian's chromium to run the browser tests")
    return {"executable_path": path, "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]}


def serve(tmp_path, **config):
    """The app under waitress on a free loopback port, with its own fresh database."""
    from waitress.server import create_server
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True, **config)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.effective_port}"
    return server, thread


@pytest.fixture
def live_server(tmp_path):
    server, _thread = serve(tmp_path)
    yield server
    server.close()
    with server.app.app_context():
        db.engine.dispose()


@pytest.fixture
def fresh_server(tmp_path):
    """As the README's first command leaves a new machine: migrations applied, no data of any kind."""
    server, _thread = serve(tmp_path, migrated=True)
    yield server
    server.close()
    with server.app.app_context():
        db.engine.dispose()
