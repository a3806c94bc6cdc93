"""Authorized versus disbursed, per authorization, per funding source and month by month, and the units used of an
authorization in hours or sessions: the arithmetic behind the Case tab's figures. Money is integer cents; nothing
here commits."""
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import format_decimal, gettext as _, ngettext
from sqlalchemy import bindparam, case as when, func
from sqlalchemy.orm import joinedload

from hrsn import money
from hrsn.extensions import db
from hrsn.models import Authorization, ContactAttempt, FundingSource, PartyContact, Payment
from hrsn.statements import built_once

# Contacts that count against an authorization in hours or sessions: those of the service's own activity; the
# other services count every activity but administration.
SERVICE_ACTIVITIES = {"tenancy": ("tenancy",), "outreach": ("outreach",)}
ANY_ACTIVITY = ("outreach", "tenancy", "navigation")
MONTHS_SHOWN = 12

COUNTED = Payment.status != "cancelled"       # a cancelled request counts against nothing
PAID = Payment.paid_on.is_not(None)


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def waiting(days: int) -> str:
    """How long something has waited, in words."""
    return _("since today") if days <= 0 else ngettext("waiting %(num)d day", "waiting %(num)d days", days)


def in_units(unit: str, amount) -> str:
    """An amount in a limit's or an authorization's unit, in words."""
    if unit == "dollars":
        return money(amount)
    if unit == "hours":
        return _("%(n)s hours", n=format_decimal(amount))
    number = int(amount)
    if unit == "months":
        return ngettext("%(num)d month", "%(num)d months", number)
    if unit == "sessions":
        return ngettext("%(num)d session", "%(num)d sessions", number)
    return ngettext("%(num)d payment", "%(num)d payments", number)


@dataclass
class Figures:
    """What was authorized, paid, requested but not paid yet, and what is left, in cents and in the unit."""
    unit: str = "months"
    authorized_cents: int | None = None
    quantity: int | None = None
    paid_cents: int = 0
    pending_cents: int = 0
    used: Decimal | int = 0          # months with a payment, or hours and sessions of contacts
    # In a total: what sources with nothing authorized spent, which no authorization's balance pays for.
    unauthorized_cents: int = 0
    unauthorized_used: int = 0

    @property
    def left_cents(self) -> int | None:
        if self.authorized_cents is None:
            return None
        return self.authorized_cents - self.paid_cents - self.pending_cents + self.unauthorized_cents

    @property
    def left(self):
        return None if self.quantity is None else self.quantity - self.used + self.unauthorized_used

    def add(self, other: "Figures") -> None:
        self.paid_cents += other.paid_cents
        self.pending_cents += other.pending_cents
        self.used += other.used
        if other.authorized_cents is None and other.quantity is None:
            self.unauthorized_cents += other.paid_cents + other.pending_cents
            self.unauthorized_used += other.used
        if other.authorized_cents is not None:
            self.authorized_cents = (self.authorized_cents or 0) + other.authorized_cents
        if other.quantity is not None:
            self.quantity = (self.quantity or 0) + other.quantity


def sums_by(*group):
    """Paid, requested but not paid, and months with a payment, over the payments that count, grouped."""
    return (db.select(*group, func.coalesce(func.sum(when((PAID, Payment.amount_cents), else_=0)), 0).label("paid"),
                      func.coalesce(func.sum(when((PAID, 0), else_=Payment.amount_cents)), 0).label("pending"),
                      func.count(func.distinct(Payment.period)).label("months"))
            .where(COUNTED).group_by(*group))


def spent_of(sums) -> tuple:
    """A grouped row's paid, pending and months, zero where nothing was paid."""
    return tuple(int(value or 0) for value in (sums.paid, sums.pending, sums.months))


def units_used(case, auth) -> Decimal | int:
    """Hours (from minutes) or sessions (contacts that reached the member) within the authorization's dates."""
    activities = SERVICE_ACTIVITIES.get(case.service_type.code, ANY_ACTIVITY)
    day = func.date(ContactAttempt.at)
    mine = (ContactAttempt.member_id == case.member_id, ContactAttempt.activity.in_(activities),
            day >= auth.start_on, day <= auth.end_on)
    if auth.unit == "sessions":
        return db.session.scalar(db.select(func.count(ContactAttempt.id))
                                 .where(*mine, ContactAttempt.outcome == "reached")) or 0
    with_member = db.select(func.coalesce(func.sum(ContactAttempt.minutes), 0)).where(*mine).scalar_subquery()
    with_parties = db.select(func.coalesce(func.sum(PartyContact.minutes), 0)).where(
        PartyContact.case_id == case.id, PartyContact.activity.in_(activities),
        PartyContact.contact_on >= auth.start_on, PartyContact.contact_on <= auth.end_on).scalar_subquery()
    minutes = db.session.scalar(db.select(with_member + with_parties)) or 0
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def authorizations(case) -> list[tuple[Authorization, Figures]]:
    """Each authorization of the case with what was paid, requested and used under it."""
    rows = db.session.execute(_authorizations_with_sums(), {"case_id": case.id}).all()
    found = []
    for row in rows:
        auth = row.Authorization
        paid, pending, months = spent_of(row)
        used = months if auth.unit == "months" else units_used(case, auth) if auth.unit != "dollars" else 0
        found.append((auth, Figures(auth.unit, auth.amount_cents, auth.quantity, paid, pending, used)))
    return found


@built_once
def _authorizations_with_sums():
    sums = sums_by(Payment.authorization_id).where(Payment.case_id == bindparam("case_id")).subquery()
    return (db.select(Authorization, sums.c.paid, sums.c.pending, sums.c.months)
            .outerjoin(sums, sums.c.authorization_id == Authorization.id)
            .where(Authorization.case_id == bindparam("case_id"))
            .options(joinedload(Authorization.funding_source)).order_by(Authorization.start_on, Authorization.id))


@built_once
def _by_source():
    spent = sums_by(Payment.funding_source_id).where(Payment.case_id == bindparam("case_id")).subquery()
    months = when((Authorization.unit == "months", Authorization.quantity), else_=None)
    granted = (db.select(Authorization.funding_source_id, func.sum(Authorization.amount_cents).label("cents"),
                         func.sum(months).label("quantity"))
               .where(Authorization.case_id == bindparam("case_id"))
               .group_by(Authorization.funding_source_id).subquery())
    return (db.select(FundingSource, spent.c.paid, spent.c.pending, spent.c.months, granted.c.cents,
                      granted.c.quantity)
            .outerjoin(spent, spent.c.funding_source_id == FundingSource.id)
            .outerjoin(granted, granted.c.funding_source_id == FundingSource.id)
            .where(db.or_(spent.c.funding_source_id.is_not(None), granted.c.funding_source_id.is_not(None)))
            .order_by(FundingSource.sort_order, FundingSource.id))


def by_source(case) -> list[tuple[FundingSource, Figures]]:
    """Authorized and disbursed per funding source on the case; the months are those of monthly authorizations."""
    rows = db.session.execute(_by_source(), {"case_id": case.id}).all()
    return [(row.FundingSource, Figures("months", row.cents, row.quantity, *spent_of(row))) for row in rows]


def total(rows) -> Figures:
    whole = Figures()
    for _source, figures in rows:
        whole.add(figures)
    return whole


@dataclass
class Month:
    period: date
    shares: list = field(default_factory=list)      # (funding source, cents)
    rent_cents: int | None = None

    @property
    def total_cents(self) -> int:
        return sum(cents for _source, cents in self.shares)

    @property
    def covered(self) -> bool | None:
        """Fully covered only when the shares add up to the month's rent or bill (unknown without it)."""
        return None if self.rent_cents is None else self.total_cents >= self.rent_cents


@built_once
def _latest_months():
    latest = (db.select(Payment.period)
              .where(Payment.case_id == bindparam("case_id"), COUNTED, Payment.period.is_not(None))
              .distinct().order_by(Payment.period.desc()).limit(MONTHS_SHOWN))
    return (db.select(Payment.period, FundingSource, func.sum(Payment.amount_cents))
            .join(FundingSource, Payment.funding_source_id == FundingSource.id)
            .where(Payment.case_id == bindparam("case_id"), COUNTED, Payment.period.in_(latest))
            .group_by(Payment.period, FundingSource.id).order_by(Payment.period.desc(), FundingSource.sort_order))


def months(case) -> list[Month]:
    """The case's latest months with their shares per funding source."""
    rows = db.session.execute(_latest_months(), {"case_id": case.id}).all()
    found: dict[date, Month] = {}
    for period, source, cents in rows:
        found.setdefault(period, Month(period, rent_cents=case.monthly_cents)).shares.append((source, cents))
    return list(found.values())
