"""Time, timesheets and billing: the settings, who may see and bill whose time, the week's queries, and the billing
export's rows (aggregated in SQL: one row per member, activity and day)."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (Authorization, Case, Member, Payer, Payment, Referral, Role, ServiceType, Timesheet,
                         TimeEntry, User, units, week_of)
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


def caseload_of(staff_id: int, limit: int = 500) -> list[Member]:
    return list(db.session.scalars(sa.select(Member).where(Member.assignee_id == staff_id)
                                   .order_by(Member.last_name, Member.first_name, Member.id).limit(limit)))


def payer_of_member(member_id: int) -> int | None:
    return db.session.scalar(sa.select(Referral.payer_id).where(Referral.member_id == member_id)
                             .order_by(Referral.received_on.desc(), Referral.id.desc()).limit(1))


# Billing ------------------------------------------------------------------------------------------------------------

def period_bounds(period: str, day: date) -> tuple[date, date]:
    """First and last day of the week (Monday to Sunday) or the month holding `day`."""
    if period == "week":
        start = week_of(day)
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def _payer_ids(payer_id: int):
    """The payer's authorization number (latest) or else its referral id (latest) for each member, as a subquery."""
    last_auth = (sa.select(Case.member_id, sa.func.max(Authorization.id).label("auth_id"))
                 .join(Authorization, Authorization.case_id == Case.id).where(Case.payer_id == payer_id)
                 .group_by(Case.member_id).subquery())
    last_ref = (sa.select(Referral.member_id, sa.func.max(Referral.id).label("ref_id"))
                .where(Referral.payer_id == payer_id, Referral.external_id.is_not(None))
                .group_by(Referral.member_id).subquery())
    auth, ref = sa.orm.aliased(Authorization), sa.orm.aliased(Referral)
    return (sa.select(Member.id.label("member_id"),
                      sa.func.coalesce(auth.number, ref.external_id).label("payer_ref"))
            .select_from(Member)
            .outerjoin(last_auth, last_auth.c.member_id == Member.id).outerjoin(auth, auth.id == last_auth.c.auth_id)
            .outerjoin(last_ref, last_ref.c.member_id == Member.id).outerjoin(ref, ref.id == last_ref.c.ref_id)
            .where(sa.or_(last_auth.c.auth_id.is_not(None), last_ref.c.ref_id.is_not(None))).subquery())


def billable_time(payer_id: int, start: date, end: date, staff_id: int | None = None):
    """Minutes per member, activity and day for the payer in the period (time without a member is not billed)."""
    ids = _payer_ids(payer_id)
    query = (sa.select(Member.medicaid_id, Member.first_name, Member.last_name, ids.c.payer_ref, TimeEntry.day,
                       TimeEntry.activity, sa.func.sum(TimeEntry.minutes).label("minutes"))
             .join(Member, Member.id == TimeEntry.member_id).outerjoin(ids, ids.c.member_id == Member.id)
             .where(TimeEntry.payer_id == payer_id, TimeEntry.day >= start, TimeEntry.day <= end,
                    TimeEntry.minutes > 0)
             .group_by(Member.id, Member.medicaid_id, Member.first_name, Member.last_name, ids.c.payer_ref,
                       TimeEntry.day, TimeEntry.activity)
             .order_by(Member.last_name, Member.first_name, Member.id, TimeEntry.day, TimeEntry.activity))
    if staff_id is not None:
        query = query.where(TimeEntry.staff_id == staff_id)
    return db.session.execute(query).all()


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
