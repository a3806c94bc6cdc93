"""Data that can be trusted: the audit trail's hash chain, verify, backups that restore, and refusals."""
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import make_app, make_member, make_user, sqlite_only
from hrsn import audit
from hrsn.extensions import db
from hrsn.models import AuditEvent, CareRun

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
FAST = {"BACKUP_SCRYPT_N": 2 ** 12}


def raw_sql(app, statement, **params):
    """Behind the app's back: the append-only triggers lifted for one statement (as someone with the file could)."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        conn.execute(statement, params)
    conn.close()


def chain_of(app):
    with app.app_context(), db.engine.connect() as conn:
        return audit.verify_chain(conn)


def test_every_event_is_linked_to_the_one_before(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("Ana", "García").id
    client.get(f"/members/{member_id}")                            # an event in its own transaction
    client.post(f"/members/{member_id}/contact", data={})           # a refused save: nothing
    with app.app_context():
        audit.record("export", record_type="x")
        audit.record("export", record_type="y")                     # two in one flush
        db.session.commit()
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert len(events) >= 4
        assert events[0].prev_hash == audit.GENESIS
        for before, after in zip(events, events[1:]):
            assert after.prev_hash == before.row_hash
            assert after.row_hash == audit.event_hash(after.prev_hash, after)
    found = chain_of(app)
    assert found["problems"] == [] and found["events"] == len(events)


@sqlite_only
def test_verify_names_a_changed_event_a_deleted_one_and_an_altered_file(app, client, auth, runner):
    import io
    auth.login("admin")
    with app.app_context():
        member_id = make_member("Ana", "García").id
        for n in range(5):
            audit.record("export", record_type=f"r{n}")
        db.session.commit()
    assert client.post(f"/members/{member_id}/documents/upload", data={"file": (io.BytesIO(PDF), "a.pdf")},
                       content_type="multipart/form-data").status_code == 302
    ok = runner.invoke(args=["verify"])
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        ids = db.session.scalars(db.select(AuditEvent.id).order_by(AuditEvent.id)).all()
        from hrsn.models import DocumentVersion
        version = db.session.scalar(db.select(DocumentVersion))
    raw_sql(app, "UPDATE audit_event SET action = 'view' WHERE id = :id", id=ids[2])
    raw_sql(app, "DELETE FROM audit_event WHERE id = :id", id=ids[4])
    (Path(app.instance_path) / "uploads" / version.stored_name).write_bytes(PDF.replace(b"Catalog", b"Catalig"))
    found = runner.invoke(args=["verify"])
    assert found.exit_code == 1
    assert f"Audit event #{ids[2]} was changed" in found.output
    assert f"removed between event #{ids[3]} and event #{ids[5]}" in found.output
    assert f"Document file #{version.id} (document #{version.document_id}) differs" in found.output
    with app.app_context():
        last = db.session.scalar(db.select(CareRun).order_by(CareRun.id.desc()))
        assert last.kind == "verify" and not last.ok
        assert {p["event"] for p in last.summary["chain"]["problems"]} == {ids[2], ids[5]}


@sqlite_only
def test_a_rewritten_trail_is_caught_by_the_last_verification(app, runner):
    with app.app_context():
        for n in range(3):
            audit.record("export", record_type=f"r{n}")
        db.session.commit()
    assert runner.invoke(args=["verify"]).exit_code == 0
    with app.app_context():
        last_id = db.session.scalar(db.select(db.func.max(AuditEvent.id)))
    # Someone rewrites the last event and recomputes its hash: the chain alone is consistent again.
    raw_sql(app, "UPDATE audit_event SET action = 'view', row_hash = :h WHERE id = :id", h="f" * 64, id=last_id)
    found = runner.invoke(args=["verify"])
    assert found.exit_code == 1 and f"Audit event #{last_id} no longer has the hash" in found.output


def writers_never_fork_the_chain(app, threads=4, each=10):
    import threading
    errors = []

    def work(n):
        try:
            with app.app_context():
                for i in range(each):
                    if i % 2:
                        audit.record_now("view", record_type=f"w{n}")
                    else:
                        audit.record("export", record_type=f"w{n}")
                        db.session.commit()
        except Exception as error:          # noqa: BLE001 (reported below)
            errors.append(error)
    running = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert errors == []
    with app.app_context(), db.engine.connect() as conn:
        found = audit.verify_chain(conn)
    assert found["problems"] == [] and found["events"] == threads * each


def test_concurrent_writers_never_fork_the_chain(app):
    writers_never_fork_the_chain(app)


def test_concurrent_writers_never_fork_the_chain_on_postgresql(pg_app):
    writers_never_fork_the_chain(pg_app)


# Backup and restore ------------------------------------------------------------------------------------------

PASSPHRASE = "a long backup passphrase"


def seeded(app, members=6):
    import io
    from hrsn.seed import run
    with app.app_context():
        run(members=members, password="correct horse battery", rng_seed=7)
        from hrsn.models import Member
        member_id = db.session.scalar(db.select(Member.id).order_by(Member.id))
    client = app.test_client()
    assert client.post("/login", data={"email": "admin@demo.local", "password": "correct horse battery"}).status_code == 302
    for n in range(2):
        answer = client.post(f"/members/{member_id}/documents/upload",
                             data={"file": (io.BytesIO(PDF + str(n).encode()), f"f{n}.pdf")},
                             content_type="multipart/form-data")
        assert answer.status_code == 302


def everything(app) -> dict:
    """Every row of every table, and every stored file's hash."""
    import hashlib
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            rows[table.name] = [tuple(r) for r in db.session.execute(db.select(table).order_by(*order)).all()]
        files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in (Path(app.instance_path) / "uploads").iterdir() if p.is_file()}
        db.session.remove()
    return {"rows": rows, "files": files}


def back_up(app, monkeypatch, folder=None):
    monkeypatch.setenv("HRSN_BACKUP_PASSPHRASE", PASSPHRASE)
    args = ["backup"] + (["--to", str(folder)] if folder else [])
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return Path(result.output.split("backup written: ")[1].strip())


def restore(app, archive, *extra, passphrase=PASSPHRASE, monkeypatch=None):
    monkeypatch.setenv("HRSN_BACKUP_PASSPHRASE", passphrase)
    return app.test_cli_runner().invoke(args=["restore", str(archive), *extra])


def round_trip(source, target, monkeypatch, tmp_path):
    seeded(source)
    before = everything(source)
    archive = back_up(source, monkeypatch, tmp_path / "usb")
    assert archive.read_bytes()[:11] == b"HRSN-BACKUP" and b"%PDF" not in archive.read_bytes()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    result = restore(target, archive, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    after = everything(target)
    skip = {"care_run", "setting"}            # the target's own record of the restore and its verification
    assert {k: v for k, v in after["rows"].items() if k not in skip} == \
        {k: v for k, v in before["rows"].items() if k not in skip}
    assert after["files"] == before["files"] and len(after["files"]) >= 2
    with target.app_context():
        kinds = [run.kind for run in db.session.scalars(db.select(CareRun).order_by(CareRun.id))]
        assert kinds[-2:] == ["restore", "verify"]
        assert db.session.scalar(db.select(CareRun).order_by(CareRun.id.desc())).ok
    return archive


def test_a_backup_restores_every_row_and_file(tmp_path, monkeypatch):
    source = make_app(tmp_path / "a", **FAST)
    target = make_app(tmp_path / "b", migrated=True, **FAST)        # a new machine: schema, nothing else
    round_trip(source, target, monkeypatch, tmp_path)


@pytest.fixture
def second_pg_schema(pg_schema):
    from conftest import pg_connect, pg_new_schema
    schema = pg_new_schema()
    yield pg_schema, schema
    conn = pg_connect()
    conn.autocommit = True
    conn.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
    conn.close()


def test_a_backup_restores_every_row_and_file_on_postgresql(tmp_path, monkeypatch, second_pg_schema):
    from conftest import pg_url
    first, second = second_pg_schema
    source = make_app(tmp_path / "a", SQLALCHEMY_DATABASE_URI=pg_url(first), **FAST)
    target = make_app(tmp_path / "b", migrated=True, SQLALCHEMY_DATABASE_URI=pg_url(second), **FAST)
    try:
        round_trip(source, target, monkeypatch, tmp_path)
        with target.app_context():              # new records get new numbers after the restored ones
            make_user("finance", email="after@test.local")
            audit.record("export", record_type="after")
            db.session.commit()
            with db.engine.connect() as conn:
                assert audit.verify_chain(conn)["problems"] == []
    finally:
        for app in (source, target):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def reseal(archive: Path, change, passphrase=PASSPHRASE) -> Path:
    """The archive opened, its inner zip changed by `change(names -> bytes dict)`, and sealed again for the same
    passphrase: what a forged or half-copied archive looks like."""
    import io
    import zipfile
    from hrsn.durable import sealed
    with open(archive, "rb") as source:
        header, _aad = sealed.read_header(source)
        source.seek(0)
        inner = io.BytesIO()
        sealed.unseal(source, inner, passphrase)
    with zipfile.ZipFile(inner) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    change(entries)
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    rebuilt.seek(0)
    out = archive.with_name("forged-" + archive.name)
    with open(out, "wb") as target:
        sealed.seal(rebuilt, target, {"kdf": header["kdf"], "public": header["recipient"]})
    return out


def newer_schema(entries):
    import json
    manifest = json.loads(entries["manifest.json"])
    manifest["schema"] = "ffffffffffff"
    entries["manifest.json"] = json.dumps(manifest).encode()


def extra_file(entries):
    entries["uploads/0123456789abcdef0123456789abcdef.pdf"] = PDF


def changed_file(entries):
    name = next(n for n in entries if n.startswith("uploads/"))
    entries[name] = entries[name] + b"x"


@pytest.mark.parametrize("spoil, passphrase, message", [
    ("truncated", PASSPHRASE, "incomplete"),
    ("wrong passphrase", "not the passphrase at all", "not the one this archive was made with"),
    ("not an archive", PASSPHRASE, "not a backup archive"),
    ("newer", PASSPHRASE, "newer version"),
    ("extra file", PASSPHRASE, "do not match its manifest"),
    ("changed file", PASSPHRASE, "do not match its manifest"),
    ("flipped byte", PASSPHRASE, "damaged"),
])
def test_a_bad_archive_is_refused_and_nothing_changes(tmp_path, monkeypatch, spoil, passphrase, message):
    source = make_app(tmp_path / "a", **FAST)
    seeded(source, members=2)
    archive = back_up(source, monkeypatch)
    target = make_app(tmp_path / "b", **FAST)
    with target.app_context():
        make_user("admin", email="keep@test.local")
        make_member("Kept", "Here")
    before = everything(target)
    data = archive.read_bytes()
    if spoil == "truncated":
        archive.write_bytes(data[: len(data) * 2 // 3])
    elif spoil == "not an archive":
        archive.write_bytes(PDF)
    elif spoil == "flipped byte":
        archive.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    elif spoil in ("newer", "extra file", "changed file"):
        archive = reseal(archive, {"newer": newer_schema, "extra file": extra_file, "changed file": changed_file}[spoil])
    result = restore(target, archive, "--yes", passphrase=passphrase, monkeypatch=monkeypatch)
    assert result.exit_code == 1 and message in result.output, result.output
    assert everything(target) == before
    assert not list((tmp_path / "b").glob(".restore-*"))          # nothing decrypted left behind


def test_a_restore_over_data_needs_confirmation_and_keeps_what_it_replaces(tmp_path, monkeypatch):
    source = make_app(tmp_path / "a", **FAST)
    seeded(source, members=2)
    archive = back_up(source, monkeypatch)
    target = make_app(tmp_path / "b", **FAST)
    with target.app_context():
        make_user("admin", email="keep@test.local")
    before = everything(target)
    refused = restore(target, archive, monkeypatch=monkeypatch)
    assert refused.exit_code == 1 and "already holds data" in refused.output and "1 staff" in refused.output
    assert everything(target) == before
    done = restore(target, archive, "--yes", monkeypatch=monkeypatch)
    assert done.exit_code == 0, done.output
    kept = next((tmp_path / "b" / "backups").glob("*-before-restore.hrsnbak"))
    assert "kept as " + kept.name in done.output
    with target.app_context():
        from hrsn.models import User
        assert db.session.scalar(db.select(User).where(User.email == "keep@test.local")) is None
    # What was replaced comes back with the same passphrase.
    again = restore(target, kept, "--yes", monkeypatch=monkeypatch)
    assert again.exit_code == 0, again.output
    with target.app_context():
        from hrsn.models import User
        assert db.session.scalar(db.select(User).where(User.email == "keep@test.local")) is not None


@sqlite_only
def test_an_archive_from_an_older_schema_is_upgraded(tmp_path, monkeypatch):
    """An archive made before the hash chain existed: restored, upgraded, its trail hashed and verified."""
    import tempfile
    from flask_migrate import upgrade
    from hrsn import create_app
    from hrsn.durable import archive as archive_module, sealed
    old = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "old"), "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old' / 'old.sqlite'}"})
    with old.app_context():
        upgrade(revision="eca3a11d541b")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO user (email, name, role, languages, active, password_hash, "
                              "session_version, created_at, version) VALUES ('old@test.local', 'Old', 'admin', "
                              "'en', 1, 'x', 1, '2025-01-01 10:00:00.000000', 1)"))
            for n in range(3):
                conn.execute(text("INSERT INTO audit_event (at, action, record_type) VALUES "
                                  f"('2025-01-0{n + 1} 10:00:00.000000', 'export', 'old{n}')"))
        work = Path(tempfile.mkdtemp(dir=tmp_path))
        manifest = archive_module._build(work)
        assert manifest["schema"] == "eca3a11d541b"
        key = sealed.new_key(PASSPHRASE, n=2 ** 12)
        path = tmp_path / "old.hrsnbak"
        with open(work / "inner.zip", "rb") as source, open(path, "wb") as target:
            sealed.seal(source, target, key)
        db.engine.dispose()
    target = make_app(tmp_path / "new", migrated=True, **FAST)
    result = restore(target, path, monkeypatch=monkeypatch)
    assert result.exit_code == 0 and "verify ok" in result.output, result.output
    with target.app_context():
        events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.record_type for e in events] == ["old0", "old1", "old2"]
        assert all(e.row_hash for e in events)
    assert target.test_cli_runner().invoke(args=["verify"]).exit_code == 0


# The admin's page and Today ---------------------------------------------------------------------------------

def test_the_admin_sets_a_passphrase_backs_up_verifies_and_restores(tmp_path):
    app = make_app(tmp_path, **FAST)
    client = app.test_client()
    from conftest import Auth
    auth = Auth(client, app)
    auth.login("admin", email="boss@test.local")
    page = client.get("/admin/data/").get_data(as_text=True)
    assert "No backup has been made yet." in page and "Set a backup passphrase first." in page
    today = client.get("/").get_data(as_text=True)
    assert "No backup has been made yet." in today
    short = client.post("/admin/data/passphrase", data={"passphrase": "short", "repeat": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    assert client.post("/admin/data/passphrase", data={"passphrase": PASSPHRASE,
                                                       "repeat": PASSPHRASE}).status_code == 302
    with app.app_context():
        from hrsn.models import Setting
        stored = str(db.session.get(Setting, "backup_key").value)
        assert PASSPHRASE not in stored and "public" in stored
    wrong = client.post("/admin/data/passphrase", data={"current": "not it at all", "passphrase": "another long one",
                                                        "repeat": "another long one"})
    assert wrong.status_code == 422 and "not the current backup passphrase" in wrong.get_data(as_text=True)
    assert client.post("/admin/data/backup").status_code == 302
    page = client.get("/admin/data/").get_data(as_text=True)
    assert "Backup written" in page and ".hrsnbak" in page
    assert "Last backup less than a day ago." in client.get("/").get_data(as_text=True)
    assert client.post("/admin/data/verify").status_code == 302
    assert "everything checks" in client.get("/admin/data/").get_data(as_text=True)
    # A restore over this desk's data: refused until the replacement is confirmed, with what it replaces named.
    name = next((tmp_path / "backups").glob("hrsn-*.hrsnbak")).name
    with app.app_context():
        make_user("coordinator", email="later@test.local")
    form = client.get("/admin/data/restore").get_data(as_text=True)
    assert "(staff accounts: 2, members: 0, stored files: 0)" in form
    wrong = client.post("/admin/data/restore", data={"archive": name, "passphrase": "not the passphrase"})
    assert wrong.status_code == 422 and "not the one this archive was made with" in wrong.get_data(as_text=True)
    unconfirmed = client.post("/admin/data/restore", data={"archive": name, "passphrase": PASSPHRASE})
    assert unconfirmed.status_code == 422 and "confirm that it may be replaced" in unconfirmed.get_data(as_text=True)
    done = client.post("/admin/data/restore", data={"archive": name, "passphrase": PASSPHRASE, "replace": "y"})
    assert done.status_code == 302 and "/login" in done.headers["Location"]
    with app.app_context():
        from hrsn.models import User
        assert db.session.scalar(db.select(User).where(User.email == "later@test.local")) is None
        assert db.session.scalar(db.select(User).where(User.email == "boss@test.local")) is not None
        db.engine.dispose()


def test_others_cannot_open_the_data_page(client, auth):
    auth.login("coordinator")
    assert client.get("/admin/data/").status_code == 403
    assert client.post("/admin/data/backup").status_code == 403


def test_the_last_backup_turns_red_after_two_days(app, client, auth):
    from datetime import timedelta
    from hrsn.models import utcnow
    auth.login("admin")
    with app.app_context():
        db.session.add(CareRun(kind="backup", ok=True, at=utcnow() - timedelta(days=3), summary={"archive": "x"}))
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert '<li class="late"><a href="/admin/data/">Last backup 3 days ago.' in page


def test_the_daily_backup_runs_once_a_day_and_rotation_keeps_7_daily_and_4_weekly(app, monkeypatch):
    from datetime import datetime, timedelta
    from hrsn.durable import archive, nightly, sealed
    with app.app_context():
        assert nightly.run_once() == "no-key"
        archive.store_key(sealed.new_key(PASSPHRASE, n=2 ** 12))
        db.session.commit()
        assert nightly.run_once() == "done"
        assert nightly.run_once() == "skipped"
        runs = [(r.kind, r.how, r.ok) for r in db.session.scalars(db.select(CareRun).order_by(CareRun.id))]
        assert runs == [("backup", "automatic", True), ("verify", "automatic", True)]
    folder = Path(app.instance_path) / "backups"
    made = next(folder.glob("hrsn-*.hrsnbak"))
    start = datetime(2026, 11, 30, 2, 0)
    for day in range(60):                          # two months of nightly archives (and a second one on some days)
        for hour in (2, 14) if day % 10 == 0 else (2,):
            (folder / f"hrsn-{start - timedelta(days=day, hours=2 - hour):%Y%m%d-%H%M%S}.hrsnbak").write_bytes(b"x")
    made.unlink()
    with app.app_context():
        archive.rotate(folder)
    kept = sorted(p.name for p in folder.glob("hrsn-*.hrsnbak"))
    days = {name[5:13] for name in kept}
    assert len(kept) == len(days)                   # one per day at most
    assert {f"{start - timedelta(days=d):%Y%m%d}" for d in range(7)} <= days
    assert len(days) <= 7 + 4 and len(days) > 7     # and the newest of the last four weeks


def test_a_full_disk_during_a_backup_keeps_the_old_ones(app, monkeypatch):
    import errno
    from hrsn.durable import archive, sealed
    with app.app_context():
        key = sealed.new_key(PASSPHRASE, n=2 ** 12)
        first = archive.backup(key=key)
        db.session.commit()
        before = sorted(p.name for p in first.parent.iterdir())

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(sealed, "seal", full)
        with pytest.raises(sealed.Refused) as refused:
            archive.backup(key=key)
        assert refused.value.code == "disk"
        db.session.rollback()
        assert sorted(p.name for p in first.parent.iterdir()) == before       # nothing half-written, old kept
        assert db.session.scalar(db.select(db.func.count(CareRun.id))) == 1


def test_a_laptops_archive_restores_onto_an_office_postgresql(tmp_path, monkeypatch, pg_schema):
    """Moving to an office server: the SQLite archive of a laptop, restored into PostgreSQL, every row and file."""
    from conftest import pg_url
    source = make_app(tmp_path / "a", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a' / 'l.sqlite'}", **FAST)
    target = make_app(tmp_path / "b", migrated=True, SQLALCHEMY_DATABASE_URI=pg_url(pg_schema), **FAST)
    try:
        round_trip(source, target, monkeypatch, tmp_path)
        with target.app_context():
            make_user("finance", email="after@test.local")
            audit.record("export", record_type="after")
            db.session.commit()
        assert target.test_cli_runner().invoke(args=["verify"]).exit_code == 0
    finally:
        for app in (source, target):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@sqlite_only
def test_others_keep_saving_while_a_backup_and_a_verification_run(app, monkeypatch):
    """The nightly backup and its verification hold no write lock while they read everything."""
    from hrsn.durable import archive, nightly, sealed, verify
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    writes = []

    def another_writer():
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")            # fails with "database is locked" if the lock were held
        other.execute("ROLLBACK")
        other.close()
        writes.append(True)

    build, check = archive._build, verify.files
    monkeypatch.setattr(archive, "_build", lambda work: (another_writer(), build(work))[1])
    monkeypatch.setattr(verify, "files", lambda conn, sweep=True: (another_writer(), check(conn, sweep))[1])
    with app.app_context():
        archive.store_key(sealed.new_key(PASSPHRASE, n=2 ** 12))
        db.session.commit()
        assert nightly.run_once() == "done"
    assert writes == [True, True]


def test_a_backup_folder_that_cannot_be_used_is_said_plainly(app, client, auth, tmp_path):
    from hrsn import settings
    from hrsn.durable import archive, sealed
    auth.login("admin")
    (tmp_path / "a-file").write_text("not a folder")
    with app.app_context():
        archive.store_key(sealed.new_key(PASSPHRASE, n=2 ** 12))
        settings.put("backup_folder", str(tmp_path / "a-file" / "backups"))
        db.session.commit()
    answer = client.post("/admin/data/backup", follow_redirects=True)
    assert answer.status_code == 200 and "The backup folder cannot be used" in answer.get_data(as_text=True)


def test_verify_names_a_changed_event_and_file_on_postgresql(pg_app, tmp_path):
    from sqlalchemy import text as sql
    from hrsn import storage
    from hrsn.durable import verify
    from hrsn.models import Document, DocumentVersion
    with pg_app.app_context():
        member = make_member("Ana", "García")
        stored = storage.store(__import__("io").BytesIO(PDF), 10 ** 6)
        version = DocumentVersion(stored_name=stored.stored_name, original_name="a.pdf", content_type="application/pdf",
                                  size=stored.size, sha256=stored.sha256)
        db.session.add(Document(member_id=member.id, title="Lease", versions=[version]))
        for n in range(3):
            audit.record("export", record_type=f"r{n}")
        db.session.commit()
        assert verify.run()["ok"]
        target = db.session.scalars(db.select(AuditEvent.id).order_by(AuditEvent.id)).all()[1]
        with db.engine.begin() as conn:            # someone with the database's owner account, behind the app
            conn.execute(sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
            conn.execute(sql("UPDATE audit_event SET email = 'someone@else' WHERE id = :id"), {"id": target})
            conn.execute(sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change"))
        storage.path_of(stored.stored_name).write_bytes(PDF + b"changed")
        result = verify.run()
        found = verify.lines(result)
        assert f"Audit event #{target} was changed after it was written." in found
        assert any(f"Document file #{version.id}" in line and "differs" in line for line in found)
