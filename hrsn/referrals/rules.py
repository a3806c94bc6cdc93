"""Triage's queries: the queues with their filters and counts, who can take members on, and Today's section."""
from flask import url_for
from flask_babel import format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload, selectinload

from hrsn import params
from hrsn.access import member_for_change, member_for_view, viewer, visible
from hrsn.extensions import db
from hrsn.models import (CASELOAD_ROLES, LANGUAGES, OPEN_STATUSES, URGENCY_LABELS, Member, Organization, Referral,
                         Role, ServiceType, TriageDecision, User, name_key, organization_service_type)
from hrsn.models.intake import QUEUES, referral_service
from hrsn.paging import paginate_by_id
from hrsn.statements import built_once

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

    def apply(self, query):
        if self.language or self.assignee or self.q:        # these ask about the member: join them in
            query = query.join(Referral.member)
        if self.payer:
            query = query.where(Referral.payer_id == int(self.payer))
        if self.service:    # asked of each referral found (EXISTS): the referrals of a service may be most of them
            query = query.where(db.exists().where(
                referral_service.c.referral_id == Referral.id,
                referral_service.c.service_type_id == db.select(ServiceType.id).where(ServiceType.code == self.service)
                .scalar_subquery()))
        if self.language:
            query = query.where(Member.preferred_language == self.language)
        if self.assignee == "me":
            query = query.where(Member.assignee_id == current_user.id)
        elif self.assignee == "none":
            query = query.where(Member.assignee_id.is_(None))
        elif self.assignee:
            query = query.where(Member.assignee_id == int(self.assignee))
        if self.q:
            folded = params.like_pattern(name_key(self.q, ""))
            plain = params.like_pattern(self.q.replace(" ", ""))
            query = query.where(or_(Member.name_key.like(folded, escape="\\"),
                                    Member.medicaid_id.ilike(plain, escape="\\"),
                                    Referral.external_id.ilike(plain, escape="\\")))
        return query


def visible_referrals(user=None):
    """Referrals of the members the user may see."""
    return db.select(Referral).where(visible(Referral.member_id, user))


def queue_page(filters: Filters, total: int | None = None):
    """The queue's page of referrals; `total`: how many the queue holds, when its tab's count is known."""
    query = filters.apply(visible_referrals()).where(Referral.status.in_(QUEUES[filters.queue]))
    if filters.queue == "closed":       # the archive: the latest first
        query = query.order_by(Referral.received_on.desc(), Referral.id.desc())
    else:
        query = query.order_by(Referral.urgency_rank, Referral.received_on, Referral.id)
    return paginate_by_id(query, Referral, joinedload(Referral.member).joinedload(Member.assignee),
                          joinedload(Referral.payer), selectinload(Referral.services),
                          page=filters.page, per_page=PER_PAGE, total=total)


def queue_counts(filters: Filters) -> dict[str, int]:
    query = filters.apply(visible_referrals()).with_only_columns(Referral.status, func.count(Referral.id)) \
        .group_by(Referral.status)
    by_status = dict(db.session.execute(query).all())
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

