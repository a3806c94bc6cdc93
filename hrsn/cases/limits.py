"""Limits over a member's whole history, and the check every check request passes against its authorization and
the limits, with the numbers in each refusal. Money is integer cents; nothing here commits."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, gettext as _, ngettext
from sqlalchemy import bindparam, case as when, func
from sqlalchemy.orm import joinedload

from hrsn.cases.figures import COUNTED, spent_of, sums_by, add_months, in_units, money
from hrsn.extensions import db
from hrsn.models import Case, LimitOverride, Payment, ServiceLimit, local_today
from hrsn.statements import built_once

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
    return [tuple(row) for row in db.session.execute(_limits_of(), {
        "member_id": case.member_id, "payer_id": case.payer_id, "service_type_id": case.service_type_id})]


@built_once
def _limits_of():
    allowed = (db.select(LimitOverride.limit_id, func.sum(LimitOverride.extra).label("extra"))
               .where(LimitOverride.member_id == bindparam("member_id")).group_by(LimitOverride.limit_id).subquery())
    return (db.select(ServiceLimit, func.coalesce(allowed.c.extra, 0))
            .outerjoin(allowed, allowed.c.limit_id == ServiceLimit.id)
            .where(ServiceLimit.active, ServiceLimit.payer_id == bindparam("payer_id"),
                   ServiceLimit.service_type_id == bindparam("service_type_id"))
            .options(joinedload(ServiceLimit.funding_source), joinedload(ServiceLimit.service_type))
            .order_by(ServiceLimit.id))


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
    sums = db.session.execute(sums_by(Payment.authorization_id).where(Payment.authorization_id == auth.id)).first()
    paid, pending, months_used = spent_of(sums) if sums else (0, 0, 0)
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
