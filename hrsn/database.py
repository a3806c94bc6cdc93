"""Database settings: SQLite's pragmas and PostgreSQL's session settings on every connection, and how each SQLite
transaction starts.

Reads never take the write lock: a GET runs in a deferred transaction, which in WAL mode neither waits for a
writer nor makes one wait. A request that changes something takes the write lock when its transaction begins
(BEGIN IMMEDIATE), so that its read-then-write never fails half-way when another writer commits in between; the
lock is held only until the view commits, and what the view renders after that reads in a deferred transaction.
Audit events of a GET are written in a short transaction of their own (hrsn.audit.record_now)."""
import sqlite3

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_busy_seconds = 5.0
READ_METHODS = ("GET", "HEAD", "OPTIONS")


def init_app(app: Flask) -> None:
    global _busy_seconds
    _busy_seconds = float(app.config.get("SQLITE_BUSY_TIMEOUT", 5.0))


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("psycopg"):      # psycopg 3 or psycopg2
        _on_connect_postgresql(dbapi_connection)
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Take transaction control from the driver so that "begin" below decides how each one starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {int(_busy_seconds * 1000)}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # FULL: in WAL mode NORMAL may lose the last commits on a power cut.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _on_connect_postgresql(dbapi_connection) -> None:
    """PostgreSQL compiles a statement it expects to be costly to machine code first (JIT): for the ten-year funnel,
    42 ms of compiling for a query that runs in 30. The desk's statements are short or read a few tens of
    thousands of rows at most; none gains from it."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


def _writes(conn) -> bool:
    chosen = conn.get_execution_options().get("hrsn_write")
    if chosen is not None:
        return chosen
    if not has_request_context():
        return True                 # commands and seeds write
    if request.method in READ_METHODS or g.get("_hrsn_reading"):
        return False
    if getattr(current_app.view_functions.get(request.endpoint), "hrsn_reads_only", False):
        return False
    return not g.get("_hrsn_committed")


def read_before_writing() -> None:
    """This change does slow work before it knows what to write (a password check): what it reads until
    `take_write_lock()` runs in a deferred transaction, so other people's saves do not wait behind it."""
    g._hrsn_reading = True


def only_reads(view):
    """Decorator: this view's POSTs only read (a search, posted so that what was typed never ends up in a URL). Like
    a GET, each runs in a deferred transaction from its first statement (the signed-in user's), and nobody's save
    waits behind it."""
    view.hrsn_reads_only = True
    return view


def take_write_lock() -> None:
    """End the reading transaction; the next statement begins with the write lock (BEGIN IMMEDIATE)."""
    from hrsn.extensions import db
    db.session.rollback()
    g._hrsn_reading = False


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writes(conn) else "BEGIN")


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    # What a changing request renders after its commit only reads: it need not wait for the write lock again.
    if has_request_context():
        g._hrsn_committed = True
