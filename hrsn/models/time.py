"""Staff time: every contact's minutes and the time staff add by hand, the weekly timesheet that locks it once
submitted, and each payer's billing units."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.expression import FunctionElement

from hrsn.extensions import db
from hrsn.models.cases import Case, Lifecycle, PartyContact, StepColumns
from hrsn.models.contact import ContactAttempt
from hrsn.models.core import Versioned, local_day, utcnow
from hrsn.models.intake import Referral, TriageDecision, of_latest_referral
from hrsn.models.plan import Need, ReferralOut

__all__ = ["TIME_ACTIVITIES", "TIME_SOURCES", "ROUNDING", "TIMESHEET_STATUSES", "TimeEntry", "Timesheet",
           "TimesheetStep", "PayerBilling", "TimeMonth", "month_start", "rebuild_time_months", "units", "week_of", "billing_of"]

# The activities time is billed by; a contact's own activity keys are the first four.
TIME_ACTIVITIES = {
    "outreach": _l("Outreach and engagement"),
    "tenancy": _l("Tenancy support"),
    "navigation": _l("Housing navigation"),
    "admin": _l("Case administration"),
    "travel": _l("Travel"),
}
TIME_SOURCES = {"contact": _l("Contact with the member"), "party": _l("Contact about a case"),
                "manual": _l("Added by hand")}
ROUNDING = {"nearest": _l("To the nearest unit (half a unit or more counts as one)"),
            "up": _l("Up (any part of a unit counts as one)"),
            "down": _l("Down (only whole units count)")}
TIMESHEET_STATUSES = {"open": _l("Open"), "submitted": _l("Submitted (locked)")}
TIMESHEET_MOVES = {"open": ("submitted",), "submitted": ("open",)}
DEFAULT_MINUTES_PER_UNIT = 15


def units(minutes: int, per_unit: int = DEFAULT_MINUTES_PER_UNIT, rounding: str = "nearest") -> int:
    """Billing units for a day's minutes of one activity for one member: the one place the rounding rule lives."""
    minutes, per_unit = max(int(minutes or 0), 0), max(int(per_unit or DEFAULT_MINUTES_PER_UNIT), 1)
    if rounding == "up":
        return -(-minutes // per_unit)
    if rounding == "down":
        return minutes // per_unit
    return (2 * minutes + per_unit) // (2 * per_unit)


def week_of(day: date) -> date:
    """The Monday a day's timesheet week starts on."""
    return day - timedelta(days=day.weekday())


class TimeEntry(Versioned, db.Model):
    """A stretch of a staff member's time on a day. Rows from a contact follow it (one row per contact, kept in
    step by the flush below, so a corrected contact never counts twice); rows added by hand are edited here."""
    # A week's timesheet reads by staff and day; the billing export by payer and day; the reports sum minutes over
    # a range of days from the index alone (covering: day, staff, activity, minutes).
    __table_args__ = (sa.Index("ix_time_entry_staff_day", "staff_id", "day"),
                      sa.Index("ix_time_entry_payer_day", "payer_id", "day", "member_id"),
                      sa.Index("ix_time_entry_day_cover", "day", "staff_id", "activity", "minutes"))
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    day: Mapped[date]
    minutes: Mapped[int] = mapped_column(default=0)
    activity: Mapped[str] = mapped_column(sa.String(20), default="outreach")
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), index=True)
    payer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payer.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    source: Mapped[str] = mapped_column(sa.String(10), default="manual")
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_attempt.id"), unique=True)
    party_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("party_contact.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    staff = relationship("User", foreign_keys=[staff_id])
    member = relationship("Member")
    payer = relationship("Payer")
    contact = relationship(ContactAttempt)
    party_contact = relationship(PartyContact)

    @property
    def activity_label(self) -> str:
        return str(TIME_ACTIVITIES.get(self.activity, self.activity))

    @property
    def source_label(self) -> str:
        return str(TIME_SOURCES.get(self.source, self.source))

    @property
    def by_hand(self) -> bool:
        return self.source == "manual"


class TimesheetStep(StepColumns, db.Model):
    timesheet_id: Mapped[int] = mapped_column(sa.ForeignKey("timesheet.id"), index=True)


class Timesheet(Lifecycle, Versioned, db.Model):
    """One staff member's week. A week with no row is open; submitting locks its time added by hand, and a
    coordinator reopens it with a reason (kept in its history and the audit trail)."""
    __table_args__ = (sa.UniqueConstraint("staff_id", "week_start", name="timesheet_staff_week"),)
    STATUSES, MOVES, STEP = TIMESHEET_STATUSES, TIMESHEET_MOVES, TimesheetStep
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    week_start: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    status_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_minutes: Mapped[int | None]     # the week's total when submitted (a later contact correction shows)

    staff = relationship("User")
    steps = relationship("TimesheetStep", order_by="TimesheetStep.id")

    @property
    def locked(self) -> bool:
        return self.status == "submitted"


class PayerBilling(Versioned, db.Model):
    """How a payer counts billable time: minutes per unit, the rounding rule and the rate per unit."""
    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payer.id"), unique=True)
    minutes_per_unit: Mapped[int] = mapped_column(default=DEFAULT_MINUTES_PER_UNIT)
    rounding: Mapped[str] = mapped_column(sa.String(10), default="nearest")
    rate_cents: Mapped[int] = mapped_column(default=0)

    payer = relationship("Payer")

    @property
    def rounding_label(self) -> str:
        return str(ROUNDING.get(self.rounding, self.rounding))


def billing_of(payer_id: int) -> PayerBilling:
    """The payer's billing rule, or the default one (not added to the session) when none was set."""
    found = db.session.scalar(sa.select(PayerBilling).where(PayerBilling.payer_id == payer_id))
    return found or PayerBilling(payer_id=payer_id, minutes_per_unit=DEFAULT_MINUTES_PER_UNIT, rounding="nearest",
                                 rate_cents=0)


# The reports read referrals by the day they were received and waitlist stays by their decisions; these indexes
# serve those reports only, so they are declared (and migrated) with them. The funnel and the deadlines read a
# range of referrals' payer, source, status, member and milestones from the first index alone, not each referral
# from the table in turn (the ten-year funnel 50 → 37 ms of SQLite's time, a year's deadlines 4.8 → 3.3).
sa.Index("ix_referral_received_figures", Referral.received_on, Referral.payer_id, Referral.source, Referral.status,
         Referral.member_id, Referral.first_reached_at, Referral.first_contact_at, Referral.first_paid_on)
# (with the moment of each decision: a waitlist stay, and when the next decision ended it, from the indexes alone)
sa.Index("ix_triage_decision_to_referral_at", TriageDecision.to_status, TriageDecision.referral_id,
         TriageDecision.decided_at)
# The funnel asks, for each referral, whether the member was reached after it: answered from the index alone.
sa.Index("ix_contact_attempt_member_at_outcome", ContactAttempt.member_id, ContactAttempt.at, ContactAttempt.outcome)
# The referral evaluation and the needs report count a range of days from these indexes alone (the evaluation's
# services started, still received and ended included: at ten years, its two statements 16 → 10 ms each).
sa.Index("ix_referral_out_made_figures", ReferralOut.made_on, ReferralOut.organization_id, ReferralOut.member_id,
         ReferralOut.status, ReferralOut.started_on, ReferralOut.receiving_on, ReferralOut.ended_on)
sa.Index("ix_need_identified", Need.identified_on, Need.domain, Need.priority, Need.status)


# Contacts become time ---------------------------------------------------------------------------------------------

def _payer_of(member_id: int | None):
    """The payer of the member's latest referral, as an expression the row's INSERT evaluates (no query of its own)."""
    if member_id is None:
        return None
    return of_latest_referral(Referral.payer_id, member_id)


def _follow(session, record, key: str, **values) -> None:
    entry = None
    if record.id is not None:
        entry = session.scalar(sa.select(TimeEntry).where(getattr(TimeEntry, key) == record.id))
    if entry is None:
        if not values["minutes"] or values["staff_id"] is None:
            return          # nothing to count (yet): a contact corrected to some minutes later gets its row then
        entry = TimeEntry(created_by_id=values["staff_id"], **values)
        setattr(entry, key.removesuffix("_id"), record)
        session.add(entry)
        return
    for name, value in values.items():
        if name != "payer_id" and getattr(entry, name) != value:
            setattr(entry, name, value)


@event.listens_for(Session, "before_flush")
def _contacts_become_time(session, _context, _instances):
    """Each contact (with the member or about a case) has at most one time row, updated when it is corrected."""
    changed = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, (ContactAttempt, PartyContact))]
    if not changed:
        return
    with session.no_autoflush:
        for obj in changed:
            if isinstance(obj, ContactAttempt):
                if obj.at is None:
                    continue
                _follow(session, obj, "contact_id", source="contact", staff_id=obj.author_id, day=local_day(obj.at),
                        minutes=obj.minutes or 0, activity=obj.activity or "outreach", member_id=obj.member_id,
                        payer_id=_payer_of(obj.member_id))
            else:
                case = session.get(Case, obj.case_id) if obj.case_id else None
                payer = case.payer_id if case is not None else _payer_of(obj.member_id)
                _follow(session, obj, "party_contact_id", source="party", staff_id=obj.by_id, day=obj.contact_on,
                        minutes=obj.minutes or 0, activity=obj.activity or "navigation", member_id=obj.member_id,
                        payer_id=payer)


# Each staff member's month, kept in step with the time rows -------------------------------------------------------

class month_start(FunctionElement):
    """The first day of a date's month, as a date."""
    type = sa.Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_sqlite(element, compiler, **kw):
    return "date(%s, 'start of month')" % compiler.process(element.clauses, **kw)


@compiles(month_start, "postgresql")
def _month_start_pg(element, compiler, **kw):
    return "CAST(date_trunc('month', %s) AS DATE)" % compiler.process(element.clauses, **kw)


class TimeMonth(db.Model):
    """The minutes and rows of time of each staff member, month, activity and payer (0: none), so that a report
    over years adds up a few thousand of these instead of every time row. Written only by the flush below (and
    rebuilt whole by `rebuild_time_months` after rows are written around the session, as seed-demo does)."""
    __tablename__ = "time_month"
    __table_args__ = (sa.UniqueConstraint("month", "staff_id", "activity", "payer_key", name="uq_time_month_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    activity: Mapped[str] = mapped_column(sa.String(20))
    payer_key: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    entries: Mapped[int] = mapped_column(default=0)


_SUMMED = ("staff_id", "day", "activity", "payer_id", "minutes")     # a time row's fields its month adds up
_KEY = ["month", "staff_id", "activity", "payer_key"]


def _month_rows(where, sign: int):
    """Each (month, staff, activity, payer) of the time rows `where` selects, with their minutes and count."""
    entry = TimeEntry.__table__
    key = (month_start(entry.c.day), entry.c.staff_id, entry.c.activity, sa.func.coalesce(entry.c.payer_id, 0))
    # In the key's order, so that two writers adding to the same months lock them in the same order.
    return (sa.select(*key, sign * sa.func.sum(entry.c.minutes), sign * sa.func.count())
            .where(where).group_by(*key).order_by(*key))


def _add_to_months(connection, where, sign: int) -> None:
    """Adds (sign 1) or takes away (sign -1) the time rows `where` selects, as they are in the database now."""
    table = TimeMonth.__table__
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)
    statement = insert.from_select([*_KEY, "minutes", "entries"], _month_rows(where, sign))
    statement = statement.on_conflict_do_update(
        index_elements=_KEY,
        set_={"minutes": table.c.minutes + statement.excluded.minutes,
              "entries": table.c.entries + statement.excluded.entries})
    connection.execute(statement)


def _moved(entries) -> list[int]:
    """The ids of stored time rows whose month, staff, activity, payer or minutes this flush changes."""
    return [entry.id for entry in entries if entry.id is not None and
            any(sa.orm.attributes.get_history(entry, name).has_changes() for name in _SUMMED)]


@event.listens_for(Session, "before_flush")
def _months_lose_old_rows(session, _context, _instances):
    """Before the flush, the rows it will change or delete leave their month, read as they still are."""
    gone = [obj.id for obj in session.deleted if isinstance(obj, TimeEntry) and obj.id is not None]
    changed = _moved([obj for obj in session.dirty if isinstance(obj, TimeEntry)])
    session.info["time_changed"] = changed
    if gone or changed:
        _add_to_months(session.connection(), TimeEntry.__table__.c.id.in_(gone + changed), -1)


@event.listens_for(Session, "after_flush")
def _months_gain_new_rows(session, _context):
    """After it, the new and changed rows join their month as they now are."""
    ids = [obj.id for obj in session.new if isinstance(obj, TimeEntry)] + session.info.pop("time_changed", [])
    if ids:
        _add_to_months(session.connection(), TimeEntry.__table__.c.id.in_(ids), 1)


def rebuild_time_months(connection) -> None:
    """Every month again from the time rows (after rows were written without the session)."""
    connection.execute(TimeMonth.__table__.delete())
    connection.execute(TimeMonth.__table__.insert().from_select([*_KEY, "minutes", "entries"],
                                                                _month_rows(sa.true(), 1)))
