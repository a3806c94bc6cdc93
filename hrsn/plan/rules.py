"""The plan step's settings and queries: the member's needs, goals, referrals received and made with the summary
counted in SQL, the organization's own cases linked to needs, what a referral out needs prefilled from the
directory, and Today's sections. Nothing here commits."""
from datetime import timedelta

from flask_babel import format_date, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import bindparam, case as when, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (OPEN_NEEDS, OUT_DELIVERED, OUT_NOT_DELIVERED, OUT_PENDING, Authorization, Barrier, Benefit,
                         CareMeeting, Case, Goal, GoalProgress, Member, MemberStaff, Need, Payment,
                         Plan, PlanPreferences, Referral, ReferralOut, ReferralOutStep, Screening, Support, local_today,
                         mark_plan_changed, needs_from_screening)
from hrsn.paging import paginate
from hrsn.settings import Spec
from hrsn.access import viewer
from hrsn.links import url_for
from hrsn.statements import built_once, value
from hrsn.today import query_section as _section

SETTINGS = (
    Spec("plan_referral_days", 14, _l("Referrals out: on Today when there is no outcome after this many days"),
         minimum=1, maximum=365),
    Spec("plan_review_months", 6, _l("Health Action Plans: reviewed every this many months"), minimum=1, maximum=36),
)
NEEDS_PAGE = 20
GOALS_PAGE = 10
REFERRALS_PAGE = 20
RECEIVED_SHOWN = 10
SMALL_PAGE = 20

# The organization's own services (the case step's service types) and the need each addresses; a service type an
# admin added is "other" until listed here.
SERVICE_TO_NEED = {"rent": "housing", "move_in": "housing", "storage": "housing", "tenancy": "housing",
                   "home_mod": "housing", "climate": "housing", "utility": "utilities", "outreach": None}


def service_need(code: str) -> str | None:
    return SERVICE_TO_NEED.get(code, "other")


# Needs and goals ------------------------------------------------------------------------------------------------

# The Plan tab's statements are built once (hrsn.statements), the member's id bound when they run.

def _of(member) -> dict:
    return {"member_id": member.id}


def _unapplied(member):
    from hrsn.models import ScreeningApplied
    return select(Screening).where(Screening.member_id == member.id, Screening.status == "complete",
                                   ~Screening.id.in_(select(ScreeningApplied.screening_id)
                                                     .where(ScreeningApplied.member_id == member.id)))


@built_once
def _any_unapplied():
    from hrsn.models import ScreeningApplied
    return (select(Screening.id).where(Screening.member_id == bindparam("member_id"), Screening.status == "complete",
                                       ~Screening.id.in_(select(ScreeningApplied.screening_id)
                                                         .where(ScreeningApplied.member_id == bindparam("member_id"))))
            .limit(1))


def screenings_to_apply(member) -> bool:
    return db.session.scalar(_any_unapplied(), _of(member)) is not None


def apply_screenings(member, by=None) -> list[Need]:
    """Every completed screening of the member not yet turned into needs, oldest first (usually none)."""
    made = []
    for screening in db.session.scalars(_unapplied(member).order_by(Screening.completed_at, Screening.id)).all():
        made += needs_from_screening(screening, by)
    return made


@built_once
def _needs_of():
    return (select(Need).where(Need.member_id == bindparam("member_id"))
            .order_by(when((Need.status.in_(OPEN_NEEDS), 0), else_=1), Need.priority, Need.identified_on.desc(),
                      Need.id.desc()))


def needs_page(member, page: int):
    return paginate(_needs_of(), page=page, per_page=NEEDS_PAGE, values=_of(member))


def member_needs(member) -> list[Need]:
    """Every need of the member, for pick lists (a member has tens, not thousands)."""
    return list(db.session.scalars(select(Need).where(Need.member_id == member.id)
                                   .order_by(Need.domain, Need.id).limit(200)))


@built_once
def _goals_of():
    return (select(Goal).where(Goal.member_id == bindparam("member_id"))
            .options(selectinload(Goal.needs), selectinload(Goal.progress).joinedload(GoalProgress.by))
            .order_by(when((Goal.status == "active", 0), else_=1), Goal.target_on.is_(None), Goal.target_on,
                      Goal.id.desc()))


def goals_page(member, page: int):
    return paginate(_goals_of(), page=page, per_page=GOALS_PAGE, values=_of(member))


# Referrals ---------------------------------------------------------------------------------------------------

@built_once
def _received_of():
    return (select(Referral).where(Referral.member_id == bindparam("member_id"))
            .options(selectinload(Referral.services))
            .order_by(Referral.received_on.desc(), Referral.id.desc()).limit(RECEIVED_SHOWN))


def received_of(member) -> list[Referral]:
    return list(db.session.scalars(_received_of(), _of(member)))


def with_row(query):
    return query.options(joinedload(ReferralOut.need), joinedload(ReferralOut.owner),
                         selectinload(ReferralOut.steps).joinedload(ReferralOutStep.by))


@built_once
def _referrals_of():
    return with_row(select(ReferralOut).where(ReferralOut.member_id == bindparam("member_id"))).order_by(
        when((ReferralOut.status.in_(OUT_PENDING), 0), else_=1), ReferralOut.made_on.desc(), ReferralOut.id.desc())


def referrals_page(member, page: int):
    return paginate(_referrals_of(), page=page, per_page=REFERRALS_PAGE, values=_of(member))


def referral_out(member, referral_id) -> ReferralOut | None:
    if not isinstance(referral_id, int):
        return None
    return db.session.scalar(with_row(select(ReferralOut).where(ReferralOut.id == referral_id,
                                                                ReferralOut.member_id == member.id)))


def summary(member) -> dict:
    """received N · made N · delivered N · pending N · not delivered N, in one query."""
    row = db.session.execute(_summary(), _of(member)).one()
    return dict(zip(("received", "made", "delivered", "pending", "not_delivered"), (int(n or 0) for n in row)))


@built_once
def _summary():
    def count_in(statuses):
        return func.coalesce(func.sum(when((ReferralOut.status.in_(statuses), 1), else_=0)), 0)
    received = select(func.count(Referral.id)).where(Referral.member_id == bindparam("member_id")).scalar_subquery()
    return (select(received, func.count(ReferralOut.id), count_in(OUT_DELIVERED), count_in(OUT_PENDING),
                   count_in(OUT_NOT_DELIVERED))
            .select_from(ReferralOut).where(ReferralOut.member_id == bindparam("member_id")))


def consent_covers(member, organization_name: str) -> tuple[bool, str]:
    """Whether the member's current consent holds today and its scope names the organization (or says it covers
    any organization); else the warning to give."""
    from hrsn.models import consent_status, fold
    status, consent = consent_status(member)
    if status != "valid":
        return False, _("The member has no valid consent to share information on file.")
    scope = fold(consent.scope)
    if fold(organization_name) and (fold(organization_name) in scope
                                    or any(word in scope for word in ("any organization", "all organizations",
                                                                      "cualquier organizacion", "any partner"))):
        return True, ""
    return False, _("The member's consent on file does not name this organization.")


def directory_prefill(service, locale: str = "en") -> dict:
    """What the member needs to use a service, from its directory entry (each editable on the referral)."""
    places = [sal.location for sal in service.at_locations]
    phones = service.phones or service.organization.phones or [p for place in places for p in place.phones]
    address = "\n".join("\n".join(place.address_lines) for place in places if place.address_lines)
    schedules = service.schedules or [row for place in places for row in place.schedules]
    hours = "; ".join(hours_line(row, locale) for row in schedules)
    return {"phone": ", ".join(p.display for p in phones)[:100], "address": address[:500], "hours": hours[:500],
            "how_to_apply": (service.application_process or "")[:2000],
            "what_to_bring": (service.documents_to_bring or "")[:2000], "wait": (service.wait_time or "")[:200],
            "cost": (service.fees_description or "")[:500]}


def hours_line(row, locale: str) -> str:
    """One weekly schedule as a person reads it, day names in `locale`: "Monday, Tuesday: 09:00–17:00"."""
    from babel import Locale
    days = Locale.parse(locale).days["format"]["wide"]
    names = [days[i] for i in range(7) if row.days & (1 << i)]
    times = f"{row.opens_at}–{row.closes_at}" if row.opens_at and row.closes_at else ""
    text = ", ".join(names) + (f": {times}" if names and times else times)
    return " · ".join(part for part in (text, row.description) if part)


# The organization's own services ------------------------------------------------------------------------------

_OWN_CASES = (select(Case).where(Case.member_id == bindparam("member_id")).options(joinedload(Case.service_type))
              .order_by(Case.opened_on.desc(), Case.id.desc()).limit(20))
_MONTHS_AUTHORIZED = (select(Authorization.case_id, func.sum(Authorization.quantity))
                      .where(Authorization.case_id.in_(bindparam("ids", expanding=True)), Authorization.unit == "months")
                      .group_by(Authorization.case_id))
_MONTHS_PAID = (select(Payment.case_id, func.count(func.distinct(Payment.period)))
                .where(Payment.case_id.in_(bindparam("ids", expanding=True)), Payment.paid_on.is_not(None),
                       Payment.status != "cancelled", Payment.period.is_not(None)).group_by(Payment.case_id))


def own_cases(member) -> list[dict]:
    """The member's cases with the need each addresses and, for months of assistance, months paid of months
    authorized; two queries whatever the number of cases."""
    cases = db.session.scalars(_OWN_CASES, _of(member)).all()
    if not cases:
        return []
    ids = {"ids": [c.id for c in cases]}
    authorized = dict(db.session.execute(_MONTHS_AUTHORIZED, ids).all())
    paid = dict(db.session.execute(_MONTHS_PAID, ids).all())
    rows = []
    for case in cases:
        months = authorized.get(case.id)
        progress = (_("%(paid)d of %(total)d months paid", paid=int(paid.get(case.id) or 0), total=int(months))
                    if months else case.status_label)
        rows.append({"case": case, "domain": service_need(case.service_type.code), "service": case.service_type.name,
                     "progress": progress, "completed": case.status == "closed"})
    return rows


# Supports, preferences, benefits, meetings ----------------------------------------------------------------------

def _supports(member):
    return select(Support).where(Support.member_id == member.id).order_by(Support.role, Support.id)


_SUPPORTS = select(Support).where(Support.member_id == bindparam("member_id")).order_by(Support.role, Support.id)
_PREFERENCES = select(PlanPreferences).where(PlanPreferences.member_id == bindparam("member_id"))
_BENEFITS = (select(Benefit).where(Benefit.member_id == bindparam("member_id"))
             .order_by(Benefit.ended_on.is_not(None), Benefit.id))
_BARRIERS = (select(Barrier).where(Barrier.member_id == bindparam("member_id"))
             .order_by(Barrier.resolved_on.is_not(None), Barrier.id.desc()))


def supports_page(member, page: int):
    return paginate(_SUPPORTS, page=page, per_page=SMALL_PAGE, values=_of(member))


def preferences_of(member) -> PlanPreferences | None:
    return db.session.scalar(_PREFERENCES, _of(member))


def benefits_page(member, page: int):
    """The member's benefits, those still received first."""
    return paginate(_BENEFITS, page=page, per_page=SMALL_PAGE, values=_of(member))


def barriers_page(member, page: int):
    """The member's barriers, those not resolved first, the newest first."""
    return paginate(_BARRIERS, page=page, per_page=SMALL_PAGE, values=_of(member))


def for_the_printout(member, limit: int) -> dict:
    """What the printed plan lists besides needs, goals and referrals: every support, the benefits still received
    and the barriers not resolved (the first `limit` of each)."""
    def rows(query):
        return db.session.scalars(query.limit(limit)).all()
    return {"supports": rows(_supports(member)),
            "benefits": rows(select(Benefit).where(Benefit.member_id == member.id, Benefit.ended_on.is_(None))
                             .order_by(Benefit.id)),
            "barriers": rows(select(Barrier).where(Barrier.member_id == member.id, Barrier.resolved_on.is_(None))
                             .order_by(Barrier.id.desc()))}


def open_barriers_of(referral_out) -> list[str]:
    """The kinds of the barriers noted on a referral out and not resolved."""
    return sorted(db.session.scalars(select(Barrier.kind).where(Barrier.referral_out_id == referral_out.id,
                                                                  Barrier.resolved_on.is_(None))))


@built_once
def _meetings_of():
    return (select(CareMeeting).where(CareMeeting.member_id == bindparam("member_id"))
            .options(joinedload(CareMeeting.by)).order_by(CareMeeting.held_on.desc(), CareMeeting.id.desc()))


def meetings_page(member, page: int):
    return paginate(_meetings_of(), page=page, per_page=5, values=_of(member))


@built_once
def _staff_of():
    return (select(MemberStaff).where(MemberStaff.member_id == bindparam("member_id"))
            .options(joinedload(MemberStaff.user)).order_by(MemberStaff.added_at))


def staff_of(member) -> list[MemberStaff]:
    return list(db.session.scalars(_staff_of(), _of(member)))


_PLAN = select(Plan).where(Plan.member_id == bindparam("member_id")).options(joinedload(Plan.signed_off_by))


def plan_row(member) -> Plan | None:
    """The member's plan (read once per request: the tab's header and its review form both show it)."""
    from flask import g, has_request_context
    key = ("plan_row", member.id)
    if has_request_context() and key in g.get("_plan_rows", {}):
        return g._plan_rows[key]
    plan = db.session.scalar(_PLAN, _of(member))
    if has_request_context():
        g.setdefault("_plan_rows", {})[key] = plan
    return plan


def review_due_after(day):
    """The next review's day: the setting's months after `day`."""
    from calendar import monthrange
    months = int(settings.get("plan_review_months"))
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def touch(member_id: int, review: bool = False) -> Plan:
    """The plan changed: its member copy is out of date; the first change also sets when it is due for review."""
    plan = mark_plan_changed(member_id, review=review)
    if plan.review_due_on is None:
        plan.review_due_on = review_due_after(local_today())
    return plan


# Today ---------------------------------------------------------------------------------------------------------

def today_referrals_out(user):
    """The user's referrals out (owned, or of their members when nobody owns them) with no outcome after the
    setting's days."""
    if not user.can("plan"):
        return None
    from hrsn.today import Item

    def line(referral):
        text = ngettext("Referral to %(org)s: no outcome after %(num)d day",
                        "Referral to %(org)s: no outcome after %(num)d days", referral.days_open,
                        org=referral.organization_name)
        return Item(referral.member, text, url_for("plan.tab", member_id=referral.member_id,
                                                             _anchor=f"out-{referral.id}"),
                    late=referral.days_open >= 2 * int(settings.get("plan_referral_days")))
    return _section("plan-referrals", _("Referrals out with no outcome"), _outs_waiting(),
                    (ReferralOut.made_on, ReferralOut.id), line, load=(joinedload(ReferralOut.member),))


@built_once
def _outs_waiting():
    cutoff = value(lambda: local_today() - timedelta(days=int(settings.get("plan_referral_days"))))
    return (select(ReferralOut).join(Member, ReferralOut.member_id == Member.id)
            .where(ReferralOut.status.in_(OUT_PENDING), ReferralOut.made_on <= cutoff,
                   (ReferralOut.owner_id == viewer()) | (ReferralOut.owner_id.is_(None) & (Member.assignee_id == viewer()))))


def today_reviews(user):
    """The user's members whose plan is due for review."""
    if not user.can("plan"):
        return None
    from hrsn.today import Item
    today = local_today()

    def line(plan):
        return Item(plan.member, _("Health Action Plan review due %(day)s", day=format_date(plan.review_due_on)),
                    url_for("plan.tab", member_id=plan.member_id), late=plan.review_due_on < today)
    return _section("plan-reviews", _("Health Action Plan reviews due"), _reviews_due(), (Plan.review_due_on, Plan.id),
                    line, load=(joinedload(Plan.member),))


@built_once
def _reviews_due():
    # The plans due are few, a caseload's members many: the due plans are found by their day, each asked whether
    # its member is the user's (joined first, SQLite read every plan of the caseload and sorted them: 0.7 ms).
    return select(Plan).where(Plan.review_due_on <= value(local_today),
                              exists().where(Member.id == Plan.member_id, Member.assignee_id == viewer()))



# The directory's organization page ------------------------------------------------------------------------------

def organization_figures(organization_id: int) -> dict:
    """Referrals made to an organization: how many, delivered, still pending, not delivered, how many members
    said it helped, and the newest tips for the next member (one query for the counts, one for the tips)."""
    def count_in(statuses):
        return func.coalesce(func.sum(when((ReferralOut.status.in_(statuses), 1), else_=0)), 0)
    row = db.session.execute(select(func.count(ReferralOut.id), count_in(OUT_DELIVERED), count_in(OUT_PENDING),
                                    count_in(OUT_NOT_DELIVERED),
                                    func.coalesce(func.sum(when((ReferralOut.feedback_helped.is_(True), 1), else_=0)), 0))
                             .where(ReferralOut.organization_id == organization_id)).one()
    tips = db.session.scalars(select(ReferralOut.feedback_tip).where(
        ReferralOut.organization_id == organization_id, ReferralOut.feedback_tip.is_not(None))
        .order_by(ReferralOut.id.desc()).limit(3)).all()
    return {**dict(zip(("made", "delivered", "pending", "not_delivered", "helped"), (int(n) for n in row))),
            "tips": tips}
