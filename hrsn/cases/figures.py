"""Authorized versus disbursed, units used and the limits: the arithmetic behind the Case tab's figures and the
check every check request passes, each rule once. Money is integer cents; nothing here commits."""
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import format_currency, format_date, format_decimal, gettext as _, ngettext
from sqlalchemy import case as when, func
from sqlalchemy.orm import joinedload

from hrsn.extensions import db
from hrsn.models import (Authorization, Case, ContactAttempt, FundingSource, LimitOverride, PartyContact, Payment,
                         ServiceLimit, local_today)

# Contacts that count against an authorization in hours or sessions: those of the service's own activity; the
# other services count every activity but administration.
SERVICE_ACTIVITIES = {"tenancy": ("tenancy",), "outreach": ("outreach",)}
ANY_ACTIVITY = ("outreach", "tenancy", "navigation")
MONTHS_SHOWN = 12

COUNTED = Payment.status != "cancelled"
PAID = Payment.paid_on.is_not(None)


def money(cents) -> str:
    """Cents as the interface writes money ($1,850.00 or 1.850,00 US$), through Decimal: never a float."""
    return "" if cents is None else format_currency(Decimal(cents) / 100, "USD")


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


def _sums(*group):
    """Paid, requested but not paid, and months with a payment, over the payments that count, grouped."""
    return (db.select(*group, func.coalesce(func.sum(when((PAID, Payment.amount_cents), else_=0)), 0).label("paid"),
                      func.coalesce(func.sum(when((PAID, 0), else_=Payment.amount_cents)), 0).label("pending"),
                      func.count(func.distinct(Payment.period)).label("months"))
            .where(COUNTED).group_by(*group))


def _spent(sums) -> tuple:
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
    sums = _sums(Payment.authorization_id).where(Payment.case_id == case.id).subquery()
    rows = db.session.execute(
        db.select(Authorization, sums.c.paid, sums.c.pending, sums.c.months)
        .outerjoin(sums, sums.c.authorization_id == Authorization.id).where(Authorization.case_id == case.id)
        .options(joinedload(Authorization.funding_source)).order_by(Authorization.start_on, Authorization.id)).all()
    found = []
    for row in rows:
        auth = row.Authorization
        paid, pending, months = _spent(row)
        used = months if auth.unit == "months" else units_used(case, auth) if auth.unit != "dollars" else 0
        found.append((auth, Figures(auth.unit, auth.amount_cents, auth.quantity, paid, pending, used)))
    return found


def by_source(case) -> list[tuple[FundingSource, Figures]]:
    """Authorized and disbursed per funding source on the case; the months are those of monthly authorizations."""
    spent = _sums(Payment.funding_source_id).where(Payment.case_id == case.id).subquery()
    months = when((Authorization.unit == "months", Authorization.quantity), else_=None)
    granted = (db.select(Authorization.funding_source_id, func.sum(Authorization.amount_cents).label("cents"),
                         func.sum(months).label("quantity"))
               .where(Authorization.case_id == case.id).group_by(Authorization.funding_source_id).subquery())
    rows = db.session.execute(
        db.select(FundingSource, spent.c.paid, spent.c.pending, spent.c.months, granted.c.cents, granted.c.quantity)
        .outerjoin(spent, spent.c.funding_source_id == FundingSource.id)
        .outerjoin(granted, granted.c.funding_source_id == FundingSource.id)
        .where(db.or_(spent.c.funding_source_id.is_not(None), granted.c.funding_source_id.is_not(None)))
        .order_by(FundingSource.sort_order, FundingSource.id)).all()
    return [(row.FundingSource, Figures("months", row.cents, row.quantity, *_spent(row))) for row in rows]


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


def months(case) -> list[Month]:
    """The case's latest months with their shares per funding source."""
    latest = (db.select(Payment.period).where(Payment.case_id == case.id, COUNTED, Payment.period.is_not(None))
              .distinct().order_by(Payment.period.desc()).limit(MONTHS_SHOWN))
    rows = db.session.execute(
        db.select(Payment.period, FundingSource, func.sum(Payment.amount_cents))
        .join(FundingSource, Payment.funding_source_id == FundingSource.id)
        .where(Payment.case_id == case.id, COUNTED, Payment.period.in_(latest))
        .group_by(Payment.period, FundingSource.id).order_by(Payment.period.desc(), FundingSource.sort_order)).all()
    found: dict[date, Month] = {}
    for period, source, cents in rows:
        found.setdefault(period, Month(period, rent_cents=case.monthly_cents)).shares.append((source, cents))
    return list(found.values())


# Limits ------------------------------------------------------------------------------------------

@dataclass
class LimitUse:
    limit: ServiceLimit
    used: int
    extra: int = 0          # allowed beyond the limit by an administrator, for this member

    @property
    def cap(self) -> int:
        return self.limit.amount + self.extra

    @property
    def left(self) -> int:
        return self.cap - self.used

    @property
    def near(self) -> bool:
        """Close enough to warn before a payment goes past it: one month or payment, or a tenth of the dollars."""
        margin = self.limit.amount // 10 if self.limit.unit == "dollars" else 1
        return self.left <= margin

    @property
    def text(self) -> str:
        return limit_text(self.limit)


def limit_text(limit) -> str:
    window = (ngettext("in any %(num)d month", "in any %(num)d months", limit.lookback_months)
              if limit.lookback_months else _("in a lifetime"))
    return _("%(source)s, %(service)s: at most %(amount)s %(window)s", source=limit.funding_source.name,
             service=limit.service_type.name, amount=in_units(limit.unit, limit.amount), window=window)


def limits_of(case) -> list[tuple[ServiceLimit, int]]:
    """The limits that apply to the case, each with what an administrator allowed this member beyond it."""
    allowed = (db.select(LimitOverride.limit_id, func.sum(LimitOverride.extra).label("extra"))
               .where(LimitOverride.member_id == case.member_id).group_by(LimitOverride.limit_id).subquery())
    return [tuple(row) for row in db.session.execute(
        db.select(ServiceLimit, func.coalesce(allowed.c.extra, 0)).outerjoin(allowed, allowed.c.limit_id == ServiceLimit.id)
        .where(ServiceLimit.active, ServiceLimit.payer_id == case.payer_id,
               ServiceLimit.service_type_id == case.service_type_id)
        .options(joinedload(ServiceLimit.funding_source), joinedload(ServiceLimit.service_type))
        .order_by(ServiceLimit.id))]


def window_start(limit, anchor: date) -> date | None:
    """Payments dated after this day count: the look-back window ends at the anchor (a month paid, or today)."""
    return add_months(anchor, -limit.lookback_months) if limit.lookback_months else None


def used_under(member_id: int, limit, anchor: date, period: date | None = None) -> tuple[int, bool]:
    """What the member's payments (all their cases, every episode) used of a limit, and whether `period` is
    already among the months counted."""
    measure = {"months": func.count(func.distinct(Payment.period)),
               "dollars": func.coalesce(func.sum(Payment.amount_cents), 0), "units": func.count(Payment.id)}
    has_period = func.max(when((Payment.period == period, 1), else_=0)) if period else func.max(0)
    query = (db.select(measure[limit.unit], has_period).join(Case, Payment.case_id == Case.id)
             .where(Payment.member_id == member_id, COUNTED, Case.payer_id == limit.payer_id,
                    Case.service_type_id == limit.service_type_id, Payment.funding_source_id == limit.funding_source_id))
    since = window_start(limit, anchor)
    if since is not None:
        query = query.where(func.coalesce(Payment.period, Payment.requested_on) > since)
    used, counted = db.session.execute(query).one()
    return int(used or 0), bool(counted)


def limit_uses(case, anchor: date | None = None) -> list[LimitUse]:
    """Where the member stands today on each limit that applies to the case."""
    anchor = anchor or local_today()
    return [LimitUse(limit, used_under(case.member_id, limit, anchor)[0], int(extra))
            for limit, extra in limits_of(case)]


# A payment against all of it --------------------------------------------------------------------------

@dataclass
class Check:
    """Why a check request cannot be made as typed: problems with the authorization (final), and limits it
    would go past (an administrator may allow them with a written reason), each with its numbers."""
    problems: list = field(default_factory=list)
    limits: list = field(default_factory=list)      # (LimitUse, how much more is needed)

    @property
    def messages(self) -> list[str]:
        return self.problems + [_("This payment would go past a limit (%(limit)s): %(used)s used so far, "
                                  "%(after)s with this payment.", limit=use.text, used=in_units(use.limit.unit, use.used),
                                  after=in_units(use.limit.unit, use.used + needed))
                                for use, needed in self.limits]

    def __bool__(self) -> bool:
        return bool(self.problems or self.limits)


def check_payment(case, *, source, auth, cents: int, period: date | None) -> Check:
    found = Check()
    if auth is not None:
        found.problems += _against_authorization(case, auth, source, cents, period)
    anchor = period or local_today()
    for limit, extra in limits_of(case):
        if limit.funding_source_id != source.id:
            continue
        used, counted = used_under(case.member_id, limit, anchor, period)
        adds = {"months": 0 if counted or period is None else 1, "dollars": cents, "units": 1}[limit.unit]
        use = LimitUse(limit, used, int(extra))
        if adds and used + adds > use.cap:
            found.limits.append((use, adds))
    return found


def _against_authorization(case, auth, source, cents, period) -> list[str]:
    if auth.funding_source_id != source.id:
        return [_("Authorization %(number)s is for %(its)s, not %(chosen)s.", number=auth.number,
                  its=auth.funding_source.name, chosen=source.name)]
    problems = []
    if period is not None and not (auth.start_on.replace(day=1) <= period <= auth.end_on):
        problems.append(_("%(month)s is outside authorization %(number)s (%(start)s to %(end)s).",
                          month=format_date(period, "MMMM y"), number=auth.number,
                          start=format_date(auth.start_on), end=format_date(auth.end_on)))
    sums = db.session.execute(_sums(Payment.authorization_id).where(Payment.authorization_id == auth.id)).first()
    paid, pending, months_used = _spent(sums) if sums else (0, 0, 0)
    if auth.amount_cents is not None and paid + pending + cents > auth.amount_cents:
        problems.append(_("This payment would go past authorization %(number)s: %(authorized)s authorized, "
                          "%(used)s already requested or paid, %(left)s left; this payment is %(amount)s.",
                          number=auth.number, authorized=money(auth.amount_cents), used=money(paid + pending),
                          left=money(auth.amount_cents - paid - pending), amount=money(cents)))
    if auth.unit == "months" and auth.quantity and period is not None:
        already = db.session.scalar(db.select(Payment.id).where(Payment.authorization_id == auth.id, COUNTED,
                                                                Payment.period == period).limit(1))
        if already is None and months_used + 1 > auth.quantity:
            problems.append(_("This payment would be month %(n)d of authorization %(number)s, which is for "
                              "%(months)s.", n=months_used + 1, number=auth.number,
                              months=in_units("months", auth.quantity)))
    return problems
