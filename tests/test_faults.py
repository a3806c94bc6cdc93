"""Faults an agency's laptop or server will meet: the server killed mid-write, the database held by another
process, a full disk, a crash between a file's write and its row's commit. Nothing acknowledged is lost, nothing
half-saved is kept, and verify reports (and sweeps) what a crash leaves behind. (A full disk during an upload is
tested in test_security.py, during a backup in test_durable.py.)"""
import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import event

from conftest import PASSWORD, make_app, make_member, make_user, sqlite_only
from test_concurrency import contact_form
from test_serve import free_port
from hrsn import audit
from hrsn.extensions import db
from hrsn.models import AuditEvent, ContactAttempt, Document

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())


def _post(opener, url, data) -> int:
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(url, body, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def _start(instance: Path, port: int):
    env = {**os.environ, "HRSN_INSTANCE": str(instance), "HRSN_WTF_CSRF_ENABLED": "0",
           "HRSN_RATELIMIT_ENABLED": "0"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("hrsn")), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).close()
            return proc
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


@sqlite_only
def test_kill_9_during_concurrent_writes_loses_nothing_acknowledged(tmp_path):
    instance = tmp_path / "instance"
    app = make_app(instance, migrated=True, SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'hrsn.sqlite'}")
    with app.app_context():
        from hrsn.steps import ensure_defaults
        ensure_defaults()
        db.session.commit()
        emails = [make_user("coordinator", email=f"w{n}@test.local").email for n in range(4)]
        member_id = make_member("Ana", "García").id
        db.engine.dispose()
    acknowledged = set()
    for round_ in range(3):
        port = free_port()
        proc = _start(instance, port)
        base = f"http://127.0.0.1:{port}"
        stop = threading.Event()

        def write(email, n):
            browser = _browser()
            try:
                if _post(browser, f"{base}/login", {"email": email, "password": PASSWORD}) != 302:
                    return
            except OSError:
                return
            i = 0
            while not stop.is_set():
                note = f"r{round_}-w{n}-{i}"
                try:
                    code = _post(browser, f"{base}/members/{member_id}/contact", {**contact_form(), "note": note})
                except OSError:
                    return                                  # the server is gone
                if code == 302:
                    acknowledged.add(note)
                i += 1
        writers = [threading.Thread(target=write, args=(email, n)) for n, email in enumerate(emails)]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 30                    # a slow machine signs in slowly: wait for saves
        while sum(note.startswith(f"r{round_}-") for note in list(acknowledged)) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2 + round_ * 0.37)                      # then kill it in the middle of more of them
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for writer in writers:
            writer.join()
        with sqlite3.connect(instance / "hrsn.sqlite") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            notes = {row[0] for row in conn.execute("SELECT note FROM contact_attempt")}
        conn.close()
        assert acknowledged <= notes, f"round {round_}: {len(acknowledged - notes)} acknowledged saves lost"
    assert len(acknowledged) > 10                            # the rounds did write
    with app.app_context(), db.engine.connect() as conn:
        assert audit.verify_chain(conn)["problems"] == []
        db.engine.dispose()


@sqlite_only
def test_a_database_held_by_another_process_answers_clearly_and_the_resubmission_saves(tmp_path):
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT=0.3)
    with app.app_context():
        make_user("coordinator", email="co@test.local")
        member_id = make_member("Ana", "García").id
    client = app.test_client()
    client.post("/login", data={"email": "co@test.local", "password": PASSWORD})
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({path!r}, isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\nprint('held', flush=True)\nsys.stdin.readline()\nc.execute('ROLLBACK')\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    upload = {"file": (io.BytesIO(PDF), "lease.pdf"), "title": "Lease"}
    try:
        busy = client.post(f"/members/{member_id}/documents/upload", data=upload, content_type="multipart/form-data")
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
    assert busy.status_code == 503 and "nothing was saved" in busy.get_data(as_text=True)
    uploads = Path(app.instance_path) / "uploads"
    assert [p for p in uploads.iterdir() if p.is_file()] == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 0
    again = client.post(f"/members/{member_id}/documents/upload", data={"file": (io.BytesIO(PDF), "lease.pdf"),
                                                                        "title": "Lease"},
                        content_type="multipart/form-data")
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 1
    assert len([p for p in uploads.iterdir() if p.is_file()]) == 1


@sqlite_only
def test_a_full_disk_during_a_database_write_saves_nothing(app, client, auth):
    auth.login("coordinator")
    with app.app_context():
        member_id = make_member("Ana", "García").id
        events_before = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
        engine = db.engine

    def full(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO contact_attempt"):
            raise sqlite3.OperationalError("database or disk is full")
    event.listen(engine, "before_cursor_execute", full)
    try:
        answer = client.post(f"/members/{member_id}/contact", data={**contact_form(), "note": "typed"})
    finally:
        event.remove(engine, "before_cursor_execute", full)
    assert answer.status_code == 507 and "disk is full" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ContactAttempt.id))) == 0
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == events_before
    assert client.post(f"/members/{member_id}/contact", data={**contact_form(), "note": "typed"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ContactAttempt.id))) == 1
        db.session.commit()
        with db.engine.connect() as conn:
            assert audit.verify_chain(conn)["problems"] == []


def test_a_crash_between_the_file_write_and_the_commit_is_reported_and_swept(app, runner):
    """The process dies after the upload's file is in place and before its row is committed: the file has no row."""
    uploads = Path(app.instance_path) / "uploads"
    script = (
        "import io, os, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from conftest import make_app\n"
        "from hrsn import storage\n"
        f"app = make_app(__import__('pathlib').Path({str(app.instance_path)!r}),"
        f" SQLALCHEMY_DATABASE_URI={app.config['SQLALCHEMY_DATABASE_URI']!r})\n"
        "with app.app_context():\n"
        f"    stored = storage.store(io.BytesIO({PDF!r}), 10**6)\n"
        "    print(stored.stored_name, flush=True)\n"
        "    os.kill(os.getpid(), 9)\n")
    crashed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parents[1])
    assert crashed.returncode == -9, crashed.stderr
    orphan = crashed.stdout.strip()
    assert (uploads / orphan).exists()
    (uploads / ".incoming-leftover").write_bytes(b"half")
    old = time.time() - 2 * 3600                     # the grace period for an upload under way has passed
    for path in (uploads / orphan, uploads / ".incoming-leftover"):
        os.utime(path, (old, old))
    found = runner.invoke(args=["verify"])
    assert found.exit_code == 1 and f"File {orphan} had no record: moved to the orphaned folder." in found.output
    assert not (uploads / orphan).exists() and (Path(app.instance_path) / "orphaned" / orphan).exists()
    assert not (uploads / ".incoming-leftover").exists()
    assert runner.invoke(args=["verify"]).exit_code == 0       # swept: the next verification is clean


def test_a_recent_orphan_is_reported_but_left_alone(app, runner):
    uploads = Path(app.instance_path) / "uploads"
    uploads.mkdir(exist_ok=True)
    (uploads / ("a" * 32 + ".pdf")).write_bytes(PDF)
    found = runner.invoke(args=["verify"])
    assert found.exit_code == 1 and "has no record (left in place: it is recent)" in found.output
    assert (uploads / ("a" * 32 + ".pdf")).exists()
