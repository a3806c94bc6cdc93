"""Triage's queries: the queues with their filters and counts, who can take members on, and Today's section."""
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, func, or_
from sqlalchemy.orm import joinedload, selectinload

from hrsn import params
from hrsn.access import member_for_change, member_for_view, rule_of, viewer, visible, visible_to
from hrsn.extensions import db
from hrsn.links import url_for
from hrsn.models import (CASELOAD_ROLES, LANGUAGES, OPEN_STATUSES, URGENCY_LABELS, Member, Organization, Referral,
                         Role, ServiceType, TriageDecision, User, name_key, organization_service_type)
from hrsn.models.intake import QUEUES, referral_service
from hrsn.paging import paginate_by_id
from hrsn.statements import built_once, unindexed

QUEUE_LABELS = {"new": _l("New"), "waitlist": _l("Waitlist"), "enrolled": _l("Enrolled"), "closed": _l("Closed")}
PER_PAGE = 25


# What a referral's page shows of it, loaded with it: its payer, who took it, its services, its decisions and who
# made them.
REFERRAL_SHOWN = (joinedload(Referral.payer), joinedload(Referral.taken_by), selectinload(Referral.services),
                  selectinload(Referral.decisions).joinedload(TriageDecision.decided_by))


def referral_for_view(referral_id: int):
    """(referral, member) when the user may see the member; the opening is audited."""
    referral = db.session.get(Referral, referral_id, options=REFERRAL_SHOWN)
    return referral, member_for_view(referral.member_id if referral else 0, "referrals")


def referral_for_change(referral_id: int):
    referral = db.session.get(Referral, referral_id)
    member = member_for_change(referral.member_id if referral else 0, "referrals")
    return referral, member


def assignable_staff() -> list[User]:
    return list(db.session.scalars(db.select(User).where(User.active, User.role.in_(CASELOAD_ROLES))
                                   .order_by(User.name)))


def caseloads() -> dict[int, int]:
    """Members per staff member whose referral is still open (new, waitlist or enrolled)."""
    rows = db.session.execute(
        db.select(Member.assignee_id, func.count(func.distinct(Member.id)))
        .join(Referral, Referral.member_id == Member.id)
        .where(Member.assignee_id.is_not(None), Referral.status.in_(OPEN_STATUSES))
        .group_by(Member.assignee_id))
    return dict(rows.all())


class Filters:
    """The queue's filters and search, read from the request and checked."""

    def __init__(self, values):
        to_queue = params.one_of("to_queue", QUEUES, source=values)
        self.queue = to_queue or params.one_of("queue", QUEUES, "new", source=values)
        self.page = 1 if to_queue else params.page(values)
        self.q = params.text("q", source=values)
        self.payer = str(params.number("payer", source=values) or "")
        self.service = params.text("service", 40, source=values)
        self.language = params.one_of("language", LANGUAGES, source=values)
        assignee = params.one_of("assignee", ("me", "none"), source=values)
        self.assignee = assignee or str(params.number("assignee", source=values) or "")

    def as_args(self, **changes) -> dict:
        values = {"queue": self.queue, "q": self.q, "payer": self.payer, "service": self.service,
                  "language": self.language, "assignee": self.assignee}
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def shape(self) -> tuple:
        """Which filters are set (and how the assignee is asked): the queue's statements are built once for each
        combination, the filters' values bound when they run (`values`)."""
        kind = self.assignee if self.assignee in ("", "me", "none") else "someone"
        return bool(self.payer), bool(self.service), bool(self.language), kind, bool(self.q)

    def values(self) -> dict:
        return {"payer": int(self.payer) if self.payer else None, "service": self.service or None,
                "language": self.language or None,
                "assignee": int(self.assignee) if self.assignee not in ("", "me", "none") else None,
                "name": params.like_pattern(name_key(self.q, "")) if self.q else None,
                "plain": params.like_pattern(self.q.replace(" ", "")) if self.q else None}


def _filtered(query, shape: tuple):
    """The queue's filters on a query of referrals, each value a bound parameter (Filters.values)."""
    payer, service, language, assignee, searched = shape
    if language or assignee or searched:        # these ask about the member: join them in
        query = query.join(Referral.member)
    if payer:
        query = query.where(Referral.payer_id == bindparam("payer"))
    if service:    # asked of each referral found (EXISTS): the referrals of a service may be most of them
        query = query.where(db.exists().where(
            referral_service.c.referral_id == Referral.id,
            referral_service.c.service_type_id == db.select(ServiceType.id)
            .where(ServiceType.code == bindparam("service")).scalar_subquery()))
    if language:
        query = query.where(Member.preferred_language == bindparam("language"))
    if assignee == "me":
        query = query.where(Member.assignee_id == viewer())
    elif assignee == "none":
        query = query.where(Member.assignee_id.is_(None))
    elif assignee:
        query = query.where(Member.assignee_id == bindparam("assignee"))
    if searched:
        query = query.where(or_(Member.name_key.like(bindparam("name"), escape="\\"),
                                Member.medicaid_id.ilike(bindparam("plain"), escape="\\"),
                                Referral.external_id.ilike(bindparam("plain"), escape="\\")))
    return query


def visible_referrals(user=None):
    """Referrals of the members the user may see."""
    return db.select(Referral).where(visible(Referral.member_id, user))


@built_once
def _queue_ids(queue: str, shape: tuple, sees: str):
    if queue == "closed":
        # The archive, the latest first: most referrals end up in it, so the index of the days received is walked
        # from the newest, each referral's status and member tested from that index, until the page is full
        # (a case manager's first page 6.6 → 1.0 ms of SQLite's time, a coordinator's 7.2 → 0.1).
        query = db.select(Referral.id).where(visible_to(unindexed(Referral.member_id), sees),
                                             unindexed(Referral.status).in_(QUEUES[queue]))
        return _filtered(query, shape).order_by(Referral.received_on.desc(), Referral.id.desc())
    query = _filtered(db.select(Referral.id).where(visible_to(Referral.member_id, sees),
                                                   Referral.status.in_(QUEUES[queue])), shape)
    return query.order_by(Referral.urgency_rank, Referral.received_on, Referral.id)


@built_once
def _queue_counts(shape: tuple, sees: str):
    return _filtered(db.select(Referral.status, func.count(Referral.id)).where(visible_to(Referral.member_id, sees)),
                     shape).group_by(Referral.status)


# A page's referrals with what their lines show (the ids found first, in their order).
_QUEUE_LINES = (db.select(Referral).where(Referral.id.in_(bindparam("ids", expanding=True)))
                .options(joinedload(Referral.member).joinedload(Member.assignee), joinedload(Referral.payer),
                         selectinload(Referral.services)))


def queue_page(filters: Filters, total: int | None = None):
    """The queue's page of referrals; `total`: how many the queue holds, when its tab's count is known. Its
    statements are built once per queue, filters set and kind of rule (the user and the filters bound)."""
    return paginate_by_id(_queue_ids(filters.queue, filters.shape(), rule_of(current_user)), _QUEUE_LINES,
                          page=filters.page, per_page=PER_PAGE, total=total, values=filters.values())


def queue_counts(filters: Filters) -> dict[str, int]:
    by_status = dict(db.session.execute(_queue_counts(filters.shape(), rule_of(current_user)),
                                        filters.values()).all())
    return {queue: sum(by_status.get(s, 0) for s in statuses) for queue, statuses in QUEUES.items()}


def external_id_match(filters: Filters) -> Referral | None:
    """A search that is exactly one referral's ID (from the payer or platform) opens that referral."""
    if not filters.q or " " in filters.q:
        return None
    found = db.session.scalars(visible_referrals().where(func.lower(Referral.external_id) == filters.q.lower())
                               .limit(2)).all()
    return found[0] if len(found) == 1 else None


def redirect_choices(referral, limit: int = 40) -> list[str]:
    """The organizations triage offers when it redirects a referral: those of the directory that provide what the
    referral asks for as an HRSN service (the agency's preferred partners first); any other name may be typed."""
    query = (db.select(Organization.name, Organization.preferred_partner, Organization.name_key)
             .join(organization_service_type, organization_service_type.c.organization_id == Organization.id)
             .join(ServiceType, ServiceType.id == organization_service_type.c.service_type_id)
             .where(ServiceType.code.in_(referral.service_codes)).distinct()
             .order_by(Organization.preferred_partner.desc(), Organization.name_key).limit(limit))
    return [row.name for row in db.session.execute(query)]


@built_once
def _new_referrals(own: bool):
    """Today's section: new referrals of one's own members, or of no one's; built once, the user bound when it
    runs. One's own members are always visible; a coordinator sees every member: the access rule adds nothing."""
    condition = Member.assignee_id == viewer() if own else Member.assignee_id.is_(None)
    return (db.select(Referral).join(Referral.member).where(Referral.status == "new", condition)
            .options(joinedload(Referral.member)).order_by(Referral.urgency_rank, Referral.received_on, Referral.id))


def today_waiting(user):
    """Coordinators: unassigned new referrals; a case manager: their own new referrals to triage."""
    if user.role in (Role.COORDINATOR, Role.ADMIN):
        title, more = _("Unassigned referrals"), url_for("referrals.assign", all="1")
    elif user.role == Role.CASE_MANAGER:
        title, more = _("My new referrals to triage"), url_for("referrals.index", queue="new", assignee="me")
    else:
        return None
    from hrsn.today import Item, Section, first_lines
    rows, total = first_lines(_new_referrals(user.role == Role.CASE_MANAGER))
    items = [Item(member=r.member, url=url_for("referrals.show", referral_id=r.id), late=r.urgency() == "urgent",
                  text=_("received %(day)s · %(urgency)s", day=format_date(r.received_on),
                         urgency=URGENCY_LABELS[r.urgency()]))
             for r in rows]
    return Section("referrals", title, items, more, total=total)

