"""Verify: is the data what was saved? The database's own integrity check, every stored file against the hash
recorded at upload, files without their row and rows without their file, and the audit trail's hash chain.

Leftovers of an interrupted upload (a temporary file, or a file written whose row was never committed) are swept:
temporary files are removed, orphaned files moved to the instance's `orphaned` folder (kept, never deleted), and
each is reported. Only what is older than a grace period is swept, so an upload still under way is left alone."""
import shutil
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from hrsn import audit, storage
from hrsn.extensions import db
from hrsn.models import CareRun, DocumentVersion

GRACE_SECONDS = 3600        # an upload's file is written a moment before its row is committed


def integrity(conn) -> list[str]:
    """The database's own check: SQLite's integrity and foreign key checks; on PostgreSQL every table read
    through and every index valid. An empty list when all is well."""
    if conn.dialect.name == "sqlite":
        found = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").all() if row[0] != "ok"]
        found += [f"foreign key: {row[0]} row {row[1]} refers to a missing {row[2]}"
                  for row in conn.exec_driver_sql("PRAGMA foreign_key_check").all()]
        return found[:50]
    problems = []
    for table in db.metadata.sorted_tables:
        conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    invalid = conn.exec_driver_sql(
        "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid").scalars().all()
    problems += [f"index not valid: {name}" for name in invalid]
    return problems


def files(conn, sweep: bool = True) -> dict:
    """Each recorded file checked against its hash; files on disk without a row moved aside."""
    folder = storage.uploads_dir()
    rows = conn.execute(sa.select(DocumentVersion.id, DocumentVersion.document_id, DocumentVersion.stored_name,
                                  DocumentVersion.sha256)).all()
    known, changed, missing = set(), [], []
    for version_id, document_id, stored_name, sha256 in rows:
        known.add(stored_name)
        try:
            if storage.sha256_of(stored_name) != sha256:
                changed.append({"version": version_id, "document": document_id})
        except (FileNotFoundError, OSError):
            missing.append({"version": version_id, "document": document_id})
    orphans, swept, leftovers = [], [], 0
    now = time.time()
    for path in folder.iterdir():
        if not path.is_file():
            continue
        old = now - path.stat().st_mtime > GRACE_SECONDS
        if path.name.startswith(".incoming-"):
            if sweep and old:
                path.unlink(missing_ok=True)
                leftovers += 1
            continue
        if path.name in known or not storage.STORED_NAME.fullmatch(path.name):
            continue                        # (a name the app never gives is not one of its files)
        orphans.append(path.name)
        if sweep and old:
            swept.append(_set_aside(path))
    return {"files": len(rows), "changed": changed, "missing": missing, "orphans": orphans, "swept": swept,
            "leftovers_removed": leftovers}


def _set_aside(path: Path) -> str:
    aside = Path(current_app.instance_path) / "orphaned"
    aside.mkdir(mode=0o700, exist_ok=True)
    shutil.move(str(path), aside / path.name)
    return path.name


def last_anchor(conn) -> dict | None:
    """The trail's newest event and its hash as the last successful verify saw them."""
    summary = conn.execute(sa.select(CareRun.summary).where(CareRun.kind == "verify", CareRun.ok)
                           .order_by(CareRun.id.desc()).limit(1)).scalar()
    return (summary or {}).get("chain", {}).get("head")


def run(sweep: bool = True, anchor: dict | None = None) -> dict:
    """Every check; the result as plain data (ids and counts only, never member data).

    It reads on a connection of its own, without the write lock, so that others keep saving while it runs
    (a caller inside a changing request commits before calling it)."""
    started = time.perf_counter()
    with db.engine.connect().execution_options(hrsn_write=False) as conn:     # reads only: no write lock
        anchor = anchor if anchor is not None else last_anchor(conn)
        problems = integrity(conn)
        found = files(conn, sweep=sweep)
        chain = audit.verify_chain(conn, anchor)
        conn.rollback()
    ok = not (problems or found["changed"] or found["missing"] or found["orphans"] or chain["problems"])
    return {"ok": ok, "integrity": problems, **found, "chain": chain,
            "seconds": round(time.perf_counter() - started, 1)}


def record(result: dict, how: str, user=None) -> CareRun:
    """Keep the result (the admin page shows the last one); the caller commits."""
    run_row = CareRun(kind="verify", ok=result["ok"], summary=result, by_id=user.id if user else None, how=how)
    db.session.add(run_row)
    return run_row


def lines(result: dict) -> list[str]:
    """The result in sentences, in the interface's language: each problem named by its number."""
    from flask_babel import gettext as _
    out = []
    for problem in result["integrity"]:
        out.append(_("Database check: %(problem)s", problem=problem))
    for item in result["changed"]:
        out.append(_("Document file #%(version)d (document #%(document)d) differs from the file uploaded.",
                     **item))
    for item in result["missing"]:
        out.append(_("Document file #%(version)d (document #%(document)d) is missing from the uploads folder.",
                     **item))
    for name in result["orphans"]:
        if name in result["swept"]:
            out.append(_("File %(name)s had no record: moved to the orphaned folder.", name=name))
        else:
            out.append(_("File %(name)s has no record (left in place: it is recent).", name=name))
    for item in result["chain"]["problems"]:
        text = {
            "changed": _("Audit event #%(event)d was changed after it was written."),
            "missing-before": _("Audit events were removed between event #%(after)d and event #%(event)d."),
            "unhashed": _("Audit event #%(event)d was added outside the app."),
            "rewritten": _("Audit event #%(event)d no longer has the hash the last verification saw: the trail "
                           "was rewritten."),
            "removed-end": _("Audit events up to #%(event)d, seen by the last verification, are gone."),
        }[item["problem"]]
        out.append(text % {"event": item["event"], "after": item.get("after") or 0})
    return out

