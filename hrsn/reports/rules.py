"""Time, timesheets and billing: the settings, who may see and bill whose time, the week's queries, and the billing
export's rows (aggregated in SQL: one row per member, activity and day)."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (Authorization, Case, Member, Payer, Payment, Referral, Role, ServiceType, Timesheet,
                         TimeEntry, User, of_latest_referral, units, week_of)
from hrsn.settings import Spec

ON_OFF = (("off", _l("No")), ("on", _l("Yes")))
SETTINGS = (
    Spec("case_managers_bill", "off", _l("Case managers may run the billing export for their own time"), "choice",
         choices=ON_OFF),
    Spec("still_receiving_months", 3, _l("Referral evaluation: still receiving services after this many months"),
         minimum=1, maximum=36),
)
PER_PAGE = 100


# Who ----------------------------------------------------------------------------------------------------------------

def sees_everyones_time(user) -> bool:
    return user.role in (Role.ADMIN, Role.COORDINATOR)


def may_unlock(user) -> bool:
    return user.role in (Role.ADMIN, Role.COORDINATOR)


def billing_scope(user) -> str | None:
    """'all' (finance, coordinators, admins), 'own' (a case manager where the setting lets them) or None."""
    if user.can("billing"):
        return "all"
    if user.role == Role.CASE_MANAGER and settings.get("case_managers_bill") == "on":
        return "own"
    return None


def staff_choices(user) -> list[User]:
    """Whose timesheet this user may open: their own, or every active staff member for a coordinator."""
    if not sees_everyones_time(user):
        return [user]
    return list(db.session.scalars(sa.select(User).where(User.active.is_(True), User.role != Role.FINANCE)
                                   .order_by(User.name, User.id)))


# The week -----------------------------------------------------------------------------------------------------------

def timesheet_of(staff_id: int, week: date) -> Timesheet | None:
    return db.session.scalar(sa.select(Timesheet).where(Timesheet.staff_id == staff_id, Timesheet.week_start == week))


def week_locked(staff_id: int, day: date) -> bool:
    """Time on a day of a submitted week cannot be added or changed by hand until a coordinator reopens it."""
    sheet = timesheet_of(staff_id, week_of(day))
    return sheet is not None and sheet.locked


def week_entries(staff_id: int, week: date):
    return (sa.select(TimeEntry).where(TimeEntry.staff_id == staff_id, TimeEntry.day >= week,
                                       TimeEntry.day < week + timedelta(days=7))
            .options(sa.orm.joinedload(TimeEntry.member), sa.orm.joinedload(TimeEntry.payer))
            .order_by(TimeEntry.day, TimeEntry.id))


def week_totals(staff_id: int, week: date) -> dict:
    """{(day, activity): minutes} and the week's total, in one grouped query."""
    rows = db.session.execute(
        sa.select(TimeEntry.day, TimeEntry.activity, sa.func.sum(TimeEntry.minutes))
        .where(TimeEntry.staff_id == staff_id, TimeEntry.day >= week, TimeEntry.day < week + timedelta(days=7))
        .group_by(TimeEntry.day, TimeEntry.activity)).all()
    cells = {(day, activity): minutes for day, activity, minutes in rows}
    return {"cells": cells, "total": sum(cells.values()),
            "by_activity": _sum_by(cells, 1), "by_day": _sum_by(cells, 0)}


def _sum_by(cells: dict, index: int) -> dict:
    out: dict = {}
    for key, minutes in cells.items():
        out[key[index]] = out.get(key[index], 0) + minutes
    return out


def caseload_of(staff_id: int, limit: int = 300) -> list[Member]:
    """The members time may be added for: the staff member's open caseload (a referral still being worked)."""
    from hrsn.models import OPEN_STATUSES
    # The open referrals' members, gathered once (an EXISTS asked of each of ten years' caseload: 3.4 times slower)
    open_referral = Member.id.in_(sa.select(Referral.member_id).where(Referral.status.in_(OPEN_STATUSES)))
    return list(db.session.scalars(sa.select(Member).where(Member.assignee_id == staff_id, open_referral)
                                   .order_by(Member.last_name, Member.first_name, Member.id).limit(limit)))


def payer_of_member(member_id: int) -> int | None:
    return db.session.scalar(sa.select(of_latest_referral(Referral.payer_id, member_id)))


# Billing ------------------------------------------------------------------------------------------------------------

def period_bounds(period: str, day: date) -> tuple[date, date]:
    """First and last day of the week (Monday to Sunday) or the month holding `day`."""
    if period == "week":
        start = week_of(day)
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def _payer_ref(payer_id: int, member_id):
    """The payer's id for the member's service: the latest authorization number under a case with that payer, else
    the payer's id of the latest referral it sent (read for each row of the export, each by an index)."""
    auth = (sa.select(Authorization.number).join(Case, Case.id == Authorization.case_id)
            .where(Case.member_id == member_id, Case.payer_id == payer_id)
            .order_by(Authorization.id.desc()).limit(1).scalar_subquery())
    ref = (sa.select(Referral.external_id)
           .where(Referral.member_id == member_id, Referral.payer_id == payer_id, Referral.external_id.is_not(None))
           .order_by(Referral.id.desc()).limit(1).scalar_subquery())
    return sa.func.coalesce(auth, ref)


def billable_time(payer_id: int, start: date, end: date, staff_id: int | None = None):
    """Minutes per member, activity and day for the payer in the period (time without a member is not billed)."""
    sums = (sa.select(TimeEntry.member_id, TimeEntry.day, TimeEntry.activity,
                      sa.func.sum(TimeEntry.minutes).label("minutes"))
            .where(TimeEntry.payer_id == payer_id, TimeEntry.day >= start, TimeEntry.day <= end,
                   TimeEntry.member_id.is_not(None), TimeEntry.minutes > 0))
    if staff_id is not None:
        sums = sums.where(TimeEntry.staff_id == staff_id)
    sums = sums.group_by(TimeEntry.member_id, TimeEntry.day, TimeEntry.activity).subquery()
    return db.session.execute(
        sa.select(Member.medicaid_id, Member.first_name, Member.last_name,
                  _payer_ref(payer_id, Member.id).label("payer_ref"), sums.c.day, sums.c.activity, sums.c.minutes)
        .join(Member, Member.id == sums.c.member_id)
        .order_by(Member.last_name, Member.first_name, Member.id, sums.c.day, sums.c.activity)).all()


def direct_services(payer_id: int, start: date, end: date):
    """Payments whose invoice the payer accepted in the period (direct services: rent, deposits, devices...)."""
    return db.session.execute(
        sa.select(Member.medicaid_id, Member.first_name, Member.last_name, Authorization.number, Payment.accepted_on,
                  ServiceType.name_en, Payment.amount_cents, Payment.invoice_number)
        .join(Case, Case.id == Payment.case_id).join(Member, Member.id == Payment.member_id)
        .join(ServiceType, ServiceType.id == Case.service_type_id)
        .outerjoin(Authorization, Authorization.id == Payment.authorization_id)
        .where(Case.payer_id == payer_id, Payment.accepted_on >= start, Payment.accepted_on <= end,
               Payment.status.not_in(("rejected", "cancelled")))
        .order_by(Member.last_name, Member.first_name, Member.id, Payment.accepted_on, Payment.id)).all()


def dollars(cents: int | None) -> str:
    """An amount for a machine (a payer's upload): 1234.50, never the locale's separators."""
    cents = int(cents or 0)
    return f"{cents // 100}.{cents % 100:02d}"


def billing_rows(payer: Payer, rule, start: date, end: date, staff_id: int | None = None) -> list[list]:
    """The export's rows: billable time in units by the payer's rule, then accepted direct-service payments."""
    from hrsn.models import TIME_ACTIVITIES
    rows = []
    for r in billable_time(payer.id, start, end, staff_id):
        count = units(r.minutes, rule.minutes_per_unit, rule.rounding)
        rows.append(["time", r.medicaid_id, f"{r.first_name} {r.last_name}", r.payer_ref, r.day.isoformat(),
                     str(TIME_ACTIVITIES.get(r.activity, r.activity)), r.minutes, count, rule.minutes_per_unit,
                     dollars(rule.rate_cents), dollars(count * rule.rate_cents), ""])
    if staff_id is None:
        for r in direct_services(payer.id, start, end):
            rows.append(["direct_service", r.medicaid_id, f"{r.first_name} {r.last_name}", r.number,
                         r.accepted_on.isoformat(), r.name_en, "", 1, "", dollars(r.amount_cents),
                         dollars(r.amount_cents), r.invoice_number])
    return rows
