"""Throttling: attempts counted per key in the database, inside the request's own transaction.

A key is an account ("account:<email>"), a client address ("address:<ip>", read through the trusted proxies
only: see `TRUSTED_PROXIES`) or a user ("user:<id>" for the duplicate check). Counting in the request's
transaction means a failed sign-in and its count are committed together."""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from sqlalchemy.exc import IntegrityError

from hrsn.extensions import db
from hrsn.models import Throttle, utcnow


@dataclass(frozen=True)
class Limit:
    attempts: int
    window: timedelta


SIGN_IN_ACCOUNT = Limit(5, timedelta(minutes=5))
SIGN_IN_ADDRESS = Limit(20, timedelta(minutes=5))
DUPLICATE_CHECKS = Limit(60, timedelta(minutes=10))


def enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def client_key() -> str:
    return "address:" + (request.remote_addr or "unknown")[:45]


def _current(key: str, limit: Limit) -> int:
    row = db.session.get(Throttle, key)
    return row.count if row is not None and row.window_start > utcnow() - limit.window else 0


def blocked(*checks: tuple[str, Limit]) -> bool:
    """True when any key has used up its attempts in its window."""
    return enabled() and any(_current(key, limit) >= limit.attempts for key, limit in checks)


def hit(*checks: tuple[str, Limit]) -> None:
    """One more attempt on each key (committed by the view with what it records)."""
    if not enabled():
        return
    now = utcnow()
    for key, limit in checks:
        row = db.session.get(Throttle, key)
        if row is None:
            try:
                with db.session.begin_nested():           # two first attempts at once: one inserts, one counts
                    db.session.add(Throttle(key=key, window_start=now, count=1))
                continue
            except IntegrityError:
                row = db.session.get(Throttle, key)
        if row.window_start <= now - limit.window:
            row.window_start, row.count = now, 1
        else:
            row.count += 1


def clear(key: str) -> None:
    row = db.session.get(Throttle, key)
    if row is not None:
        db.session.delete(row)
