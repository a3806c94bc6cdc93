"""What every step of seed-demo shares: batched inserts, the organization's clock and audit trail rows."""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import get_timezone

from hrsn.extensions import db
from hrsn.models import AuditEvent, utcnow

# Rows per INSERT statement: big enough that the per-statement cost vanishes, small enough to stay light.
BATCH = 2000
# Records older than this were brought over from the agency's spreadsheets when the desk was installed,
# so the audit trail, which only the desk writes, starts here.
AUDIT_YEARS = 2


class Clock:
    """The organization's calendar: local office moments stored as UTC, never later than a minute ago."""

    def __init__(self, years: int):
        self.zone = ZoneInfo(str(get_timezone()))
        self.now = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
        self.today = self.day_of(self.now)
        self.start = self.today - timedelta(days=round(365.25 * years))
        self.audit_since = self.at(max(self.start, self.today - timedelta(days=round(365.25 * AUDIT_YEARS))), 0)

    def at(self, day: date, hours: float) -> datetime:
        """UTC of a local day and hour; a moment later than now is pulled back to now."""
        local = datetime.combine(day, time()) + timedelta(hours=hours)
        moment = local.replace(tzinfo=self.zone).astimezone(timezone.utc).replace(tzinfo=None)
        return min(moment, self.now)

    def day_of(self, moment: datetime) -> date:
        return moment.replace(tzinfo=timezone.utc).astimezone(self.zone).date()

    def office(self, day: date, rng) -> datetime:
        """A moment in office hours (8:30 to 17:30) on that day."""
        return self.at(day, 8.5 + rng.random() * 9)

    def age(self, day: date) -> int:
        return (self.today - day).days


def business_day(day: date, after: int) -> date:
    """The weekday `after` weekdays later (0: the day itself, moved to Monday when it is a weekend)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    while after > 0:
        day += timedelta(days=1)
        after -= day.weekday() < 5
    return day


class Writer:
    """Rows buffered per table and written by executemany; `returning` writes at once and gives the new ids."""

    def __init__(self):
        self.buffers: dict[sa.Table, list[dict]] = {}
        self.counts: dict[str, int] = {}

    def add(self, model, **row) -> None:
        table = model.__table__ if hasattr(model, "__table__") else model
        rows = self.buffers.setdefault(table, [])
        rows.append(row)
        if len(rows) >= BATCH:
            self._write(table)

    def returning(self, model, rows: list[dict]) -> list[int]:
        table = model.__table__
        ids = []
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids.extend(db.session.execute(statement, chunk).scalars())
            self.counts[table.name] = self.counts.get(table.name, 0) + len(chunk)
        return ids

    def _write(self, table) -> None:
        rows = self.buffers.pop(table, [])
        if rows and table is AuditEvent.__table__:
            from hrsn.audit import chain
            chain(db.session.connection(), rows)       # each event linked to the one before (hash chain)
        if rows:
            db.session.execute(sa.insert(table), rows)
            self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def flush(self) -> None:
        for table in list(self.buffers):
            self._write(table)


@dataclass
class Seeding:
    """One run's shared state, handed to each step."""
    members: int
    years: int
    seed: int
    clock: Clock
    writer: Writer
    progress: object                       # (label, iterable) -> the same iterable, showing progress
    staff: dict = field(default_factory=dict)

    def lookup(self, model, key: str, value: str = "id") -> dict:
        """{key: value} over a small table (payers, service types)."""
        table = model.__table__
        return dict(db.session.execute(sa.select(table.c[key], table.c[value]).order_by(table.c.id)).all())

    def rng(self, step: str) -> random.Random:
        """Each step draws from its own stream, so a change in one step leaves the others' data alone."""
        return random.Random(f"{self.seed}:{step}")

    def audit(self, at: datetime, user, action: str, member_id=None, record_type=None, record_id=None,
              changes=None) -> None:
        """An audit event, written only for what happened since the desk was installed."""
        if at < self.clock.audit_since:
            return
        self.writer.add(AuditEvent, at=at, user_id=user.id, email=user.email, action=action, member_id=member_id,
                        record_type=record_type, record_id=record_id, changes=changes, ip=user_ip(user))


def user_ip(user) -> str:
    return f"10.0.0.{10 + user.id % 200}"
