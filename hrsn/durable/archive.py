"""Backup and restore: one encrypted archive holds the database, every uploaded file and a manifest.

Inside the archive (a zip, sealed by hrsn.durable.sealed):
- manifest.json: the format, the app's version, the schema's revision, the database kind, the row count of each
  table, each file's SHA-256 (uploads and the database's own files);
- on SQLite, hrsn.sqlite: a consistent copy made with SQLite's online backup API while the app keeps running;
- on PostgreSQL, data/<table>.jsonl: every row, table by table, read in one repeatable-read transaction;
- uploads/<stored name>: every file a document version records.

A restore opens and checks everything (passphrase, completeness, every hash, the database's integrity, the row
counts) before it replaces anything; what it replaces is first kept as an archive of its own."""
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from hrsn import storage
from hrsn.durable import sealed
from hrsn.durable.sealed import Refused
from hrsn.extensions import db
from hrsn.models import CareRun, DocumentVersion, Member, Setting, User, utcnow

FORMAT = 1
SUFFIX = ".hrsnbak"
NAME = re.compile(r"hrsn-(\d{8})-(\d{6})(-before-restore)?\.hrsnbak")
KEY_SETTING = "backup_key"          # the backup passphrase's public key (hrsn.durable.sealed): no secret
DISK_ERRORS = storage.DISK_ERRORS
READ = 1024 * 1024


def app_version() -> str:
    try:
        return metadata.version("hrsn")
    except metadata.PackageNotFoundError:
        return "0"


def stored_key() -> dict | None:
    row = db.session.get(Setting, KEY_SETTING)
    return row.value if row is not None else None


def store_key(key: dict) -> None:
    """Keep the public half of a new backup passphrase (the caller commits)."""
    row = db.session.get(Setting, KEY_SETTING) or Setting(key=KEY_SETTING)
    row.value = key
    db.session.add(row)


def schema_revision(conn) -> str | None:
    try:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except sa.exc.DBAPIError:
        return None


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory
    config = current_app.extensions["migrate"].migrate.get_config()
    return {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}


def head_revision() -> str:
    from alembic.script import ScriptDirectory
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def _sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(READ), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    storage._sync_folder(folder)


# Backup --------------------------------------------------------------------------------------------------

def backup_folder() -> Path:
    from hrsn import settings
    chosen = (settings.get("backup_folder") or "").strip()
    return Path(chosen or current_app.config["BACKUP_FOLDER"])


def _sqlite_snapshot(target: Path) -> None:
    """A consistent copy of the live database, taken page by page while others keep working."""
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(target) as copy:
            raw.driver_connection.backup(copy, pages=1024)
        copy.close()
    finally:
        raw.close()


def _sqlite_revision(conn) -> str:
    """The schema's revision; a database made from the models directly (tests) is at the head."""
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.OperationalError, TypeError):
        return head_revision()


def _counts_sqlite(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    conn.close()
    return counts


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _export_tables(conn, folder: Path) -> dict[str, int]:
    """Every table's rows as JSON lines, in primary key order."""
    counts = {}
    tables = [*db.metadata.sorted_tables]
    for table in tables:
        path = folder / f"{table.name}.jsonl"
        order = list(table.primary_key.columns) or list(table.columns)
        count = 0
        with open(path, "w", encoding="utf-8") as out:
            result = conn.execution_options(yield_per=2000).execute(sa.select(table).order_by(*order))
            for row in result.mappings():
                out.write(json.dumps({key: _plain(value) for key, value in row.items()}, ensure_ascii=False,
                                     separators=(",", ":")) + "\n")
                count += 1
        counts[table.name] = count
    return counts


def backup(folder: Path | None = None, key: dict | None = None, how: str = "admin", user=None) -> Path:
    """Write one sealed archive into the folder, prune older ones by the rotation settings, and record the run.

    A backup takes minutes on a large instance, so it first ends the session's transaction (committing what the
    caller added): no lock is held while it works, and others keep saving. It commits its own record at the end.
    Refused("no-key") when no backup passphrase was set; Refused("disk") when the folder is full or not
    writable (whatever was half-written is removed; older archives are untouched)."""
    from hrsn import settings
    key = key or stored_key()
    if key is None:
        raise Refused("no-key")
    folder = Path(folder) if folder else backup_folder()
    keep = settings.get("backup_keep_daily"), settings.get("backup_keep_weekly")
    by_id = user.id if user else None
    db.session.commit()
    name = f"hrsn-{utcnow():%Y%m%d-%H%M%S}{SUFFIX}"
    if (folder / name).exists():
        name = f"hrsn-{utcnow():%Y%m%d-%H%M%S}-{os.getpid() % 1000}{SUFFIX}"
    work, partial = None, folder / f".{name}.partial"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".backup-", dir=folder))
        manifest = _build(work)
        inner = work / "inner.zip"
        private = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)      # the owner's only
        with open(inner, "rb") as source, os.fdopen(private, "wb") as target:
            sealed.seal(source, target, key)
            target.flush()
            os.fsync(target.fileno())
        os.replace(partial, folder / name)
        _fsync_dir(folder)
    except OSError as error:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass                            # the folder itself is what failed
        raise Refused("disk" if error.errno in DISK_ERRORS else "folder", error.strerror or "") from error
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    rotate(folder, *keep)
    size = (folder / name).stat().st_size
    db.session.add(CareRun(kind="backup", ok=True, how=how, by_id=by_id,
                           summary={"archive": name, "folder": str(folder), "size": size,
                                    "rows": sum(manifest["tables"].values()), "files": len(manifest["files"])}))
    db.session.commit()
    return folder / name


def _build(work: Path) -> dict:
    """The archive's inner zip in `work`, and its manifest."""
    dialect = db.engine.dialect.name
    manifest = {"format": FORMAT, "app_version": app_version(), "database": dialect,
                "created_at": utcnow().isoformat(), "tables": {}, "files": {}, "data": {}}
    with zipfile.ZipFile(work / "inner.zip", "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        if dialect == "sqlite":
            snapshot = work / "hrsn.sqlite"
            _sqlite_snapshot(snapshot)
            with sqlite3.connect(snapshot) as conn:
                manifest["schema"] = _sqlite_revision(conn)
                stored = [row[0] for row in conn.execute("SELECT stored_name FROM document_version ORDER BY id")]
            conn.close()
            manifest["tables"] = _counts_sqlite(snapshot)
            manifest["data"]["hrsn.sqlite"] = _sha256_file(snapshot)
            archive.write(snapshot, "hrsn.sqlite")
            snapshot.unlink()
        else:
            data = work / "data"
            data.mkdir()
            with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                manifest["schema"] = schema_revision(conn) or head_revision()
                conn.rollback()
                manifest["tables"] = _export_tables(conn, data)
                stored = list(conn.execute(sa.select(DocumentVersion.stored_name).order_by(DocumentVersion.id))
                              .scalars())
                conn.rollback()
            for path in sorted(data.iterdir()):
                manifest["data"][f"data/{path.name}"] = _sha256_file(path)
                archive.write(path, f"data/{path.name}")
                path.unlink()
        for stored_name in stored:
            path = storage.path_of(stored_name)
            if not path.exists():
                continue                        # verify reports it; the backup keeps everything else
            digest = _sha256_file(path)
            archive.write(path, f"uploads/{stored_name}", compress_type=zipfile.ZIP_STORED)
            manifest["files"][stored_name] = digest
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def archives(folder: Path) -> list[Path]:
    """The archives in a folder, newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_file() and NAME.fullmatch(p.name)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def _made(path: Path) -> dt.datetime:
    match = NAME.fullmatch(path.name)
    return dt.datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")


def rotate(folder: Path, daily: int | None = None, weekly: int | None = None) -> list[str]:
    """Keep the newest archive of each of the last `daily` days and of the last `weekly` weeks; remove the rest
    (archives kept before a restore are never removed here)."""
    from hrsn import settings
    daily = settings.get("backup_keep_daily") if daily is None else daily
    weekly = settings.get("backup_keep_weekly") if weekly is None else weekly
    regular = [p for p in archives(folder) if not NAME.fullmatch(p.name).group(3)]
    keep, days, weeks = set(), [], []
    for path in regular:                       # newest first
        made = _made(path)
        day, week = made.date(), made.isocalendar()[:2]
        if day not in days and len(days) < daily:
            days.append(day)
            keep.add(path)
        if week not in weeks and len(weeks) < weekly:
            weeks.append(week)
            keep.add(path)
    removed = []
    for path in regular:
        if path not in keep and path != regular[0]:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def last_backup() -> CareRun | None:
    return db.session.scalar(sa.select(CareRun).where(CareRun.kind == "backup", CareRun.ok)
                             .order_by(CareRun.id.desc()).limit(1))


# Restore ---------------------------------------------------------------------------------------------------

@dataclass
class Opened:
    """An archive decrypted and checked, ready to replace the instance's data."""
    work: Path
    manifest: dict
    zip_path: Path
    key: dict
    problems: list = field(default_factory=list)

    def close(self):
        shutil.rmtree(self.work, ignore_errors=True)


def open_archive(path, passphrase: str) -> Opened:
    """Decrypt and check an archive without touching the instance's data; Refused with the reason."""
    instance = Path(current_app.instance_path)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=instance))
    try:
        inner = work / "inner.zip"
        try:
            with open(path, "rb") as source:
                header, _aad = sealed.read_header(source)
                source.seek(0)
                with open(inner, "wb") as target:
                    sealed.unseal(source, target, passphrase)
        except OSError as error:
            if error.errno in DISK_ERRORS:
                raise Refused("disk", error.strerror or "") from error
            raise Refused("unreadable", error.strerror or "") from error
        key = {"kdf": header["kdf"], "public": header["recipient"]}
        try:
            archive = zipfile.ZipFile(inner)
        except zipfile.BadZipFile:
            raise Refused("damaged", "zip") from None
        with archive:
            manifest = _manifest(archive)
            _check_manifest(archive, manifest, work)
        return Opened(work, manifest, inner, key)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _manifest(archive) -> dict:
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise Refused("manifest", "no manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format", 0) > FORMAT:
        raise Refused("newer", "archive format")
    if manifest.get("schema") not in known_revisions():
        raise Refused("newer", f"schema {manifest.get('schema')}")
    moving_up = manifest.get("database") == "sqlite" and db.engine.dialect.name == "postgresql"
    if manifest.get("database") != db.engine.dialect.name and not moving_up:
        raise Refused("database", manifest.get("database") or "")      # PostgreSQL to SQLite: not yet
    return manifest


def _check_manifest(archive, manifest: dict, work: Path) -> None:
    listed = {f"uploads/{name}" for name in manifest.get("files", {})} | set(manifest.get("data", {}))
    present = set(archive.namelist()) - {"manifest.json"}
    if listed != present:
        raise Refused("manifest", f"{len(listed ^ present)} entries differ")
    expected = {**{f"uploads/{n}": h for n, h in manifest["files"].items()}, **manifest["data"]}
    for name, wanted in expected.items():
        digest = hashlib.sha256()
        with archive.open(name) as fh:
            for chunk in iter(lambda: fh.read(READ), b""):
                digest.update(chunk)
        if digest.hexdigest() != wanted:
            raise Refused("manifest", f"hash of {name}")
    if manifest["database"] == "sqlite":
        archive.extract("hrsn.sqlite", work)
        with sqlite3.connect(work / "hrsn.sqlite") as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        conn.close()
        if result != ["ok"]:
            raise Refused("damaged", "database integrity")
        if _counts_sqlite(work / "hrsn.sqlite") != manifest["tables"]:
            raise Refused("manifest", "row counts")
    else:
        for table, count in manifest["tables"].items():
            name = f"data/{table}.jsonl"
            if name not in present:
                raise Refused("manifest", f"no rows of {table}")
            with archive.open(name) as fh:
                if sum(1 for _line in fh) != count:
                    raise Refused("manifest", f"row count of {table}")


def in_use() -> dict:
    """What a restore would replace: counts of staff, members, documents and files (empty: a new instance)."""
    counts = {}
    for label, column in (("staff", User.id), ("members", Member.id), ("files", DocumentVersion.id)):
        try:
            counts[label] = db.session.scalar(sa.select(sa.func.count(column))) or 0
        except sa.exc.DBAPIError:
            db.session.rollback()
            counts[label] = 0
    folder = storage.uploads_dir()
    with os.scandir(folder) as entries:         # the directory's own file types: no stat per file
        counts["stored"] = sum(1 for e in entries if e.is_file(follow_symlinks=False)
                               and storage.STORED_NAME.fullmatch(e.name))
    return counts


def restore(opened: Opened, *, confirmed: bool, how: str = "admin") -> dict:
    """Replace the instance's database and files with the archive's, then upgrade the schema and verify.

    Refused("not-empty") without confirmation when the instance holds data; that data is first kept as an archive
    sealed for the same passphrase (in the backup folder)."""
    current = in_use()
    replaced = None
    if any(current.values()):
        if not confirmed:
            raise Refused("not-empty")
        if current["staff"] or current["members"]:
            replaced = backup(key=opened.key, how="before restore")
            final = replaced.with_name(replaced.name.replace(SUFFIX, f"-before-restore{SUFFIX}"))
            os.replace(replaced, final)
            replaced = final
            db.session.commit()
    db.session.remove()
    if opened.manifest["database"] == "sqlite" and db.engine.dialect.name == "sqlite":
        _replace_sqlite(opened)
    else:
        _replace_postgresql(opened)
    _replace_files(opened)
    db.session.remove()
    db.engine.dispose()
    from flask_migrate import stamp, upgrade
    with db.engine.connect() as conn:
        unstamped = schema_revision(conn) is None
        conn.rollback()
    if unstamped:
        db.engine.dispose()
        stamp(revision=opened.manifest["schema"])
    upgrade()
    from hrsn.durable import verify
    result = verify.run(sweep=False, anchor={})
    summary = {"archive_made": opened.manifest.get("created_at"), "schema": opened.manifest.get("schema"),
               "rows": sum(opened.manifest["tables"].values()), "files": len(opened.manifest["files"]),
               "replaced": current, "kept_as": replaced.name if replaced else None, "verified": result["ok"]}
    db.session.add(CareRun(kind="restore", ok=True, how=how, summary=summary))
    verify.record(result, how="after restore")
    db.session.commit()
    return summary


def _replace_sqlite(opened: Opened) -> None:
    db.engine.dispose()
    raw = db.engine.raw_connection()
    try:
        with sqlite3.connect(opened.work / "hrsn.sqlite") as source:
            source.backup(raw.driver_connection)
        source.close()
    finally:
        raw.close()
    db.engine.dispose()


def _coerce(column, value, from_sqlite: bool):
    """A value from the archive as the PostgreSQL column takes it (JSON lines keep dates as ISO text; a SQLite
    file also keeps JSON as text and booleans as 0 or 1)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if from_sqlite and isinstance(kind, sa.Boolean):
        return bool(value)
    if from_sqlite and isinstance(kind, sa.JSON) and isinstance(value, str):
        return json.loads(value)
    return value


def _jsonl_rows(archive):
    def rows(table: str):
        name = f"data/{table}.jsonl"
        if name not in archive.namelist():
            return
        with archive.open(name) as fh:
            for line in fh:
                yield json.loads(line)
    return rows


def _sqlite_rows(path: Path):
    """The rows of a SQLite archive's database, table by table (moving a laptop's data to an office server)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row

    def rows(table: str):
        try:
            cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
        except sqlite3.OperationalError:
            return
        for row in cursor:
            yield dict(row)
    return conn, rows


def _replace_postgresql(opened: Opened) -> None:
    """Empty the schema, build it at the archive's revision, load the rows in dependency order; the upgrade that
    follows brings an older archive to the current schema. The rows come from the archive's JSON lines, or from
    its SQLite database when a laptop's archive is restored on an office server."""
    from flask_migrate import upgrade
    db.engine.dispose()
    with db.engine.begin() as conn:
        names = conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").scalars()
        for name in list(names):
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_event_append_only() CASCADE")
    upgrade(revision=opened.manifest["schema"])
    from_sqlite = opened.manifest["database"] == "sqlite"
    reflected = sa.MetaData()
    with zipfile.ZipFile(opened.zip_path) as archive, db.engine.begin() as conn:
        source = None
        if from_sqlite:
            source, rows_of = _sqlite_rows(opened.work / "hrsn.sqlite")
        else:
            rows_of = _jsonl_rows(archive)
        try:
            reflected.reflect(bind=conn)
            for table in reflected.sorted_tables:
                if table.name == "alembic_version":
                    continue
                batch = []
                for row in rows_of(table.name):
                    batch.append({key: _coerce(table.c[key], value, from_sqlite) for key, value in row.items()
                                  if key in table.c})
                    if len(batch) >= 2000:
                        conn.execute(table.insert(), batch)
                        batch = []
                if batch:
                    conn.execute(table.insert(), batch)
                if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"COALESCE((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)")
        finally:
            if source is not None:
                source.close()
    db.engine.dispose()


def _replace_files(opened: Opened) -> None:
    """The archive's files into the uploads folder (each written whole, then renamed); files it does not have
    are moved to a folder of their own in the instance, never deleted."""
    folder = storage.uploads_dir()
    wanted = set(opened.manifest["files"])
    aside = Path(current_app.instance_path) / f"replaced-{utcnow():%Y%m%d-%H%M%S}"
    for path in folder.iterdir():
        if path.is_file() and storage.STORED_NAME.fullmatch(path.name) and path.name not in wanted:
            aside.mkdir(mode=0o700, exist_ok=True)
            shutil.move(str(path), aside / path.name)
    with zipfile.ZipFile(opened.zip_path) as archive:
        for name in sorted(wanted):
            fd, temp = tempfile.mkstemp(prefix=".incoming-", dir=folder)
            with os.fdopen(fd, "wb") as out, archive.open(f"uploads/{name}") as source:
                shutil.copyfileobj(source, out, READ)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, folder / name)
    _fsync_dir(folder)

