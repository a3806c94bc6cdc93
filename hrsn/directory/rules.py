"""The directory's settings and queries: the search (by need, language, area, open now, accepting referrals and
text), the review list, an organization's page, and the hooks other steps call.

Hooks for other steps (they never import this package's views):
- `search_context(pick=Pick(endpoint, member_id, label), area=member.postal_code)` renders the search
  ("directory/_search.html") inside another step's page; each result then posts `service_id` to `endpoint`
  (listed in that step's `picks` in hrsn/steps.py).
- `organization_choices()` and `hrsn_providers(service_code, payer_id)` for intake's "redirect".
- `resource_list(service_ids)` and `hrsn.pdf.resource_list_pdf` for a member's printed list.
- A step shows its own part of an organization's page with `panels={"organization": ("<step>/_x.html",)}`."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from babel import Locale
from flask import abort, url_for
from flask_babel import get_locale, lazy_gettext as _l, to_user_timezone
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from hrsn import params, settings
from hrsn.extensions import db
from hrsn.models import (NEED_DOMAINS, WEEKDAYS, DirectoryFlag, Location, Organization, Payer, Schedule, Service,
                         ServiceArea, ServiceAtLocation, ServiceCategory, ServiceLanguage, ServiceType, area_of, fold,
                         local_today, organization_service_type, utcnow)
from hrsn.settings import Spec

SETTINGS = (Spec("directory_stale_months", 12, _l("Directory entries not verified for this many months are stale"),
                 minimum=1, maximum=120),)
PER_PAGE = 20
LIST_MAX = 25          # services on one printed resource list


def stale_before() -> date:
    """A service last verified before this day is stale (the setting counts months)."""
    return local_today() - timedelta(days=round(int(settings.get("directory_stale_months")) * 30.44))


def language_name(code: str, locale=None) -> str:
    """A language's name in the reader's language, from Babel's data (a code it does not know is shown as is)."""
    try:
        names = Locale.parse(str(locale or get_locale() or "en")).languages
    except (ValueError, TypeError):
        names = {}
    return names.get(code, code)


@dataclass(frozen=True)
class Pick:
    """Where a service chosen in the search goes: a step's endpoint taking member_id, and the button's words."""
    endpoint: str
    member_id: int
    label: str

    @property
    def action(self) -> str:
        return url_for(self.endpoint, member_id=self.member_id)


def pick_from(values) -> Pick | None:
    """The pick a search form carries (hidden fields), only when a step listed that endpoint in its `picks`."""
    from hrsn.steps import wiring
    endpoint = params.text("pick", 80, source=values)
    member_id = params.number("pick_member", source=values)
    if not endpoint:
        return None
    if endpoint not in wiring().picks or not member_id:
        abort(400)
    return Pick(endpoint, member_id, params.text("pick_label", 60, source=values))


@dataclass
class Search:
    """What the search form says, each value checked (a bad one is ignored)."""
    q: str = ""
    need: str = ""
    language: str = ""
    area: str = ""
    open_now: bool = False
    accepting: bool = False
    hrsn_service: str = ""
    payer: str = ""
    page: int = 1
    pick: Pick | None = field(default=None, compare=False)

    @classmethod
    def read(cls, values) -> "Search":
        return cls(q=params.text("q", source=values), need=params.one_of("need", NEED_DOMAINS, source=values),
                   language=params.text("language", 10, source=values).lower(),
                   area=params.text("area", 60, source=values), open_now=values.get("open_now") == "1",
                   accepting=values.get("accepting") == "1", hrsn_service=params.text("hrsn_service", 40, source=values),
                   payer=str(params.number("payer", source=values) or ""), page=params.page(values),
                   pick=pick_from(values))


def _area_clause(text: str):
    kind, key = area_of(text)
    if kind in ("zip", "zip3"):
        wanted = [and_(ServiceArea.kind == "zip3", ServiceArea.key == key[:3])]
        if kind == "zip":
            wanted.append(and_(ServiceArea.kind == "zip", ServiceArea.key == key))
    else:
        wanted = [and_(ServiceArea.kind == kind, ServiceArea.key == key)]
    wanted.append(ServiceArea.kind == "state")
    return exists().where(ServiceArea.service_id == Service.id, or_(*wanted))


def open_now_clause():
    """Open at this minute in the organization's time zone, by the service's hours or its locations'."""
    now = to_user_timezone(utcnow())
    bit, minute = 1 << now.weekday(), now.strftime("%H:%M")
    at_location = select(ServiceAtLocation.location_id).where(ServiceAtLocation.service_id == Service.id)
    return exists().where(or_(Schedule.service_id == Service.id, Schedule.location_id.in_(at_location)),
                          Schedule.days.op("&")(bit) != 0, Schedule.opens_at <= minute, Schedule.closes_at > minute)


def search_query(search: Search):
    query = (select(Service).join(Organization, Service.organization_id == Organization.id)
             .where(Service.status.in_(("active", "temporarily closed"))))
    for word in fold(search.q).split()[:8]:
        query = query.where(Service.search_key.like(params.like_pattern(word), escape="\\"))
    if search.need:
        query = query.where(exists().where(ServiceCategory.service_id == Service.id,
                                           ServiceCategory.domain == search.need))
    if search.language:
        query = query.where(exists().where(ServiceLanguage.service_id == Service.id,
                                           ServiceLanguage.code == search.language))
    if search.area:
        query = query.where(_area_clause(search.area))
    if search.accepting:
        query = query.where(Service.accepting_referrals.is_(True), Service.status == "active")
    if search.open_now:
        query = query.where(open_now_clause())
    if search.hrsn_service:
        query = query.where(Service.organization_id.in_(_providing(search.hrsn_service)))
    if search.payer:
        query = query.where(Organization.payers.any(Payer.id == int(search.payer)))
    return query.order_by(Organization.preferred_partner.desc(), Organization.name_key, Service.name, Service.id)


def _providing(service_code: str):
    return (select(organization_service_type.c.organization_id)
            .join(ServiceType, ServiceType.id == organization_service_type.c.service_type_id)
            .where(ServiceType.code == service_code))


def with_details(query):
    """What a result or a service card shows, in one query per kind of detail whatever the number of rows."""
    return query.options(joinedload(Service.organization), joinedload(Service.verified_by),
                         selectinload(Service.categories), selectinload(Service.languages),
                         selectinload(Service.phones), selectinload(Service.areas))


def search(values) -> tuple[Search, object]:
    chosen = Search.read(values)
    page = db.paginate(with_details(search_query(chosen)), page=chosen.page, per_page=PER_PAGE, error_out=False,
                       count=True)
    return chosen, page


def language_choices() -> list[tuple[str, str]]:
    """The languages some service is given in, named in the reader's language (one grouped query)."""
    codes = db.session.scalars(select(ServiceLanguage.code).group_by(ServiceLanguage.code)).all()
    return sorted(((code, language_name(code)) for code in codes), key=lambda pair: fold(pair[1]))


def form_choices() -> dict:
    """The search form's lists: needs, languages, HRSN services, payers."""
    return {"needs": NEED_DOMAINS, "languages": language_choices(),
            "hrsn_services": db.session.scalars(select(ServiceType).where(ServiceType.active)
                                                .order_by(ServiceType.sort_order)).all(),
            "payers": db.session.scalars(select(Payer).where(Payer.active).order_by(Payer.name)).all()}


def search_context(values=None, *, pick: Pick | None = None, area: str = "") -> dict:
    """Everything "directory/_search.html" needs; another step passes its pick and the member's ZIP code."""
    values = values if values is not None else {"area": area}
    chosen, page = search(values)
    if pick is not None:
        chosen.pick = pick
    return {"search": chosen, "results": page, "stale_before": stale_before(), **form_choices()}


# Review, organizations, hooks -------------------------------------------------------------------------

def review_page(page: int):
    """Services to check: flagged by staff (open flags) first, then the longest unverified."""
    flagged = exists().where(DirectoryFlag.service_id == Service.id, DirectoryFlag.resolved_at.is_(None))
    org_flagged = exists().where(DirectoryFlag.organization_id == Service.organization_id,
                                 DirectoryFlag.service_id.is_(None), DirectoryFlag.resolved_at.is_(None))
    due = or_(Service.assured_on.is_(None), Service.assured_on < stale_before())
    query = (select(Service).join(Organization).where(Service.status != "defunct", or_(flagged, org_flagged, due))
             .order_by(or_(flagged, org_flagged).desc(), Service.assured_on.is_not(None), Service.assured_on,
                       Service.id))
    return db.paginate(with_details(query), page=page, per_page=PER_PAGE, error_out=False, count=True)


def open_flags(organization_ids, limit: int = 50) -> dict[int, list[DirectoryFlag]]:
    """The newest notes not yet dealt with, by organization (at most `limit` in all: the rest wait their turn)."""
    rows = db.session.scalars(select(DirectoryFlag).where(DirectoryFlag.organization_id.in_(organization_ids),
                                                          DirectoryFlag.resolved_at.is_(None))
                              .options(joinedload(DirectoryFlag.flagged_by), joinedload(DirectoryFlag.service))
                              .order_by(DirectoryFlag.flagged_at.desc(), DirectoryFlag.id.desc()).limit(limit)).all()
    found: dict[int, list] = {}
    for flag in rows:
        found.setdefault(flag.organization_id, []).append(flag)
    return found


def organization_or_404(organization_id: int) -> Organization:
    organization = db.session.scalar(
        select(Organization).where(Organization.id == organization_id)
        .options(selectinload(Organization.payers), selectinload(Organization.hrsn_services),
                 selectinload(Organization.phones), selectinload(Organization.contacts),
                 selectinload(Organization.locations).selectinload(Location.phones),
                 selectinload(Organization.locations).selectinload(Location.schedules)))
    if organization is None:
        abort(404)
    return organization


def services_of(organization: Organization, page: int = 1):
    """One page of the organization's services, with everything their cards show."""
    query = (with_details(select(Service).where(Service.organization_id == organization.id))
             .options(selectinload(Service.schedules),
                      selectinload(Service.at_locations).joinedload(ServiceAtLocation.location))
             .order_by(Service.name, Service.id))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False, count=True)


def organization_choices() -> list[tuple[int, str]]:
    """Every organization as (id, name), by name: what intake's "redirect" picks from."""
    return [tuple(row) for row in db.session.execute(select(Organization.id, Organization.name)
                                                     .order_by(Organization.name_key, Organization.id))]


def hrsn_providers(service_code: str, payer_id: int | None = None) -> list[Organization]:
    """Other organizations providing an HRSN service (enrolled with the payer, when given), preferred first."""
    query = select(Organization).where(Organization.id.in_(_providing(service_code)))
    if payer_id:
        query = query.where(Organization.payers.any(Payer.id == payer_id))
    return list(db.session.scalars(query.order_by(Organization.preferred_partner.desc(), Organization.name_key)))


def resource_list(service_ids) -> list[Service]:
    """The chosen services, in the order chosen, with what the printed list shows."""
    ids = [i for i in service_ids if isinstance(i, int)][:LIST_MAX]
    rows = db.session.scalars(with_details(select(Service).where(Service.id.in_(ids)))
                              .options(selectinload(Service.schedules),
                                       joinedload(Service.organization).selectinload(Organization.phones),
                                       selectinload(Service.at_locations).joinedload(ServiceAtLocation.location)
                                       .selectinload(Location.schedules))).all()
    by_id = {s.id: s for s in rows}
    return [by_id[i] for i in ids if i in by_id]


def hours_lines(schedules, locale: str) -> list[str]:
    """Weekly hours as a person reads them, day names in `locale`: "Monday, Tuesday: 09:00–17:00"."""
    days = Locale.parse(locale).days["format"]["wide"]
    lines = []
    for row in schedules:
        names = [days[i] for i, _code in enumerate(WEEKDAYS) if row.days & (1 << i)]
        times = f"{row.opens_at}–{row.closes_at}" if row.opens_at and row.closes_at else ""
        text = ", ".join(names) + (f": {times}" if names and times else times)
        lines.append(" · ".join(part for part in (text, row.description) if part))
    return [line for line in lines if line]
