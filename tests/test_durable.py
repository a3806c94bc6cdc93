"""Data that can be trusted: the audit trail's hash chain, verify, backups that restore, and refusals."""
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from conftest import make_app, make_member, make_user
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
