"""SQLite durability settings: every connection gets the same pragmas, every transaction BEGIN IMMEDIATE."""
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

_busy_seconds = 5.0


def init_app(app: Flask) -> None:
    global _busy_seconds
    _busy_seconds = float(app.config.get("SQLITE_BUSY_TIMEOUT", 5.0))


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record):
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


@event.listens_for(Engine, "begin")
def _on_begin(conn):
    if conn.dialect.name == "sqlite":
        # Taking the write lock up front means a read-then-write never fails half-way:
        # it waits (busy timeout) for the lock instead of dying with "database is locked".
        conn.exec_driver_sql("BEGIN IMMEDIATE")
