"""A report's date range and filters (payer, staff, service, language), read from the query string and checked:
what is wrong is said in plain words, never a 500 and never a silently different report."""
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from hrsn.extensions import db
from hrsn.models import LANGUAGES, Member, Payer, Role, ServiceType, User, local_today

MAX_YEARS = 10


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass
class Filters:
    start: date
    end: date
    payer_id: int | None = None
    staff_id: int | None = None
    service_id: int | None = None
    language: str | None = None
    errors: list = field(default_factory=list)

    def query(self) -> dict:
        """The filters as a query string's values (for the chart, the CSV and the pager)."""
        values = {"start": self.start.isoformat(), "end": self.end.isoformat(), "payer": self.payer_id,
                  "staff": self.staff_id, "service": self.service_id, "language": self.language}
        return {k: v for k, v in values.items() if v not in (None, "")}

    def months(self) -> list[str]:
        """'YYYY-MM' of every month the range touches, oldest first."""
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(day.strftime("%Y-%m"))
            day = add_months(day, 1)
        return out


def options() -> dict:
    """What each filter may be set to (the form's choices and the check of what was sent)."""
    return {
        "payer": [(p.id, p.name) for p in db.session.scalars(sa.select(Payer).order_by(Payer.name))],
        "staff": [(u.id, u.name) for u in db.session.scalars(
            sa.select(User).where(User.role != Role.FINANCE).order_by(User.name, User.id))],
        "service": [(s.id, s.name) for s in db.session.scalars(sa.select(ServiceType).order_by(ServiceType.sort_order,
                                                                                               ServiceType.id))],
        "language": [(code, str(label)) for code, label in LANGUAGES.items()],
    }


def _day(raw: str, what, errors: list) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(what)s: enter a date like 2026-03-31.", what=what))
        return None


def read(args, choices: dict) -> Filters:
    errors: list = []
    start, end = _day(args.get("start"), _("Start"), errors), _day(args.get("end"), _("End"), errors)
    raw_start, raw_end = (args.get("start") or "").strip(), (args.get("end") or "").strip()
    if not errors and bool(raw_start) != bool(raw_end):
        errors.append(_("Enter both the first and the last day of the range, or neither for the last 12 months."))
    if not raw_start and not raw_end:
        end = local_today()
        start = add_months(end, -12) + timedelta(days=1)
    if start and end and not errors:
        if end < start:
            errors.append(_("The end of the range is before its start."))
        elif end > add_months(start, 12 * MAX_YEARS):
            errors.append(_("A report covers at most %(n)d years; this range is longer. Choose a shorter one.",
                            n=MAX_YEARS))
    found = Filters(start or local_today(), end or local_today(), errors=errors)
    labels = {"payer": _("Payer"), "staff": _("Staff member"), "service": _("Service"), "language": _("Language")}
    for key, label in labels.items():
        raw = (args.get(key) or "").strip()
        if not raw:
            continue
        allowed = {str(value): value for value, _label in choices[key]}
        if raw not in allowed:
            errors.append(_("%(filter)s: there is no such choice; pick one from the list.", filter=label))
            continue
        setattr(found, {"payer": "payer_id", "staff": "staff_id", "service": "service_id"}.get(key, key), allowed[raw])
    return found


@dataclass(frozen=True)
class Shape:
    """What a report's statements are built for: which filters are set, and whether only the signed-in user's own
    members count (a case manager's, unless the figures are the organization's). Built once per shape, the
    statements are given the filters' values when they run (`run`)."""
    payer: bool = False
    staff: bool = False
    service: bool = False
    language: bool = False
    own: bool = False


class Bound:
    """The filters as a statement of one shape holds them: bound parameters (a filter not set is None, as in
    `Filters`), `viewer` the user whose own members count."""

    def __init__(self, shape: Shape):
        def bound(name, kind, present=True):
            return sa.bindparam(name, type_=kind) if present else None
        self.start, self.end = bound("start", sa.Date()), bound("end", sa.Date())
        self.payer_id = bound("payer_id", sa.Integer(), shape.payer)
        self.staff_id = bound("staff_id", sa.Integer(), shape.staff)
        self.service_id = bound("service_id", sa.Integer(), shape.service)
        self.language = bound("language", sa.String(), shape.language)
        self.viewer = bound("viewer", sa.Integer(), shape.own)


def shape_of(filters: Filters, user, everyone: bool = False) -> Shape:
    """The shape of these filters for this user (`everyone`: the organization's figures, whoever asks)."""
    return Shape(filters.payer_id is not None, filters.staff_id is not None, filters.service_id is not None,
                 bool(filters.language), not everyone and user.role == Role.CASE_MANAGER)


def run(statement, filters: Filters, user, **more):
    """A report's statement run with the filters' values (and `more` of its own)."""
    values = {"start": filters.start, "end": filters.end, "payer_id": filters.payer_id,
              "staff_id": filters.staff_id, "service_id": filters.service_id, "language": filters.language,
              "viewer": user.id}
    return db.session.execute(statement, {**values, **more})


def member_scope(filters: Bound):
    """The members a report counts, as a subquery (None: every member): a case manager's own, and the staff and
    language filters."""
    conditions = []
    if filters.viewer is not None:
        conditions.append(Member.assignee_id == filters.viewer)
    if filters.staff_id is not None:
        conditions.append(Member.assignee_id == filters.staff_id)
    if filters.language is not None:
        conditions.append(Member.preferred_language == filters.language)
    return sa.select(Member.id).where(*conditions) if conditions else None


def scoped(query, member_column, filters: Bound):
    scope = member_scope(filters)
    return query if scope is None else query.where(member_column.in_(scope))
