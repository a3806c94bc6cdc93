"""The directory's settings and queries besides the search: stale entries, the review list, an organization's
page, the printed list, and the hooks other steps call.

Hooks for other steps (they never import this package's views):
- `hrsn.directory.search.search_context(pick=Pick(endpoint, member_id, label), area=member.postal_code)` renders
  the search ("directory/_search.html") inside another step's page; each result then posts `service_id` to
  `endpoint` (listed in that step's `picks` in hrsn/steps.py).
- `organization_choices()` and `hrsn_providers(service_code, payer_id)` for intake's "redirect".
- `resource_list(service_ids)` and `hrsn.directory.resource_list.resource_list_pdf(services, locale)` for a
  member's printed list in the member's language.
- A step shows its own part of an organization's page with `panels={"organization": ("<step>/_x.html",)}`
  (the template gets `organization`): the plan step's referrals made there and how many were delivered."""

from babel import Locale
from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from hrsn.directory.search import PER_PAGE, providing, stale_before  # noqa: F401  (stale_before: for the views)
from hrsn.extensions import db
from hrsn.models import (WEEKDAYS, DirectoryFlag, Location, Organization, Payer, Service, ServiceAtLocation)
from hrsn.paging import paginate
from hrsn.settings import Spec

SETTINGS = (Spec("directory_stale_months", 12, _l("Directory entries not verified for this many months are stale"),
                 minimum=1, maximum=120),)
LIST_MAX = 25          # services on one printed resource list


def with_details(query, card: bool = True):
    """What a result (or, with `card`, a service's card) shows, in one query per kind of detail whatever the
    number of rows."""
    options = [joinedload(Service.organization), selectinload(Service.categories), selectinload(Service.languages),
               selectinload(Service.phones)]
    if card:
        options += [joinedload(Service.verified_by), selectinload(Service.areas)]
    return query.options(*options)


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
    return paginate(with_details(query), page=page, per_page=PER_PAGE)


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
    return paginate(query, page=page, per_page=PER_PAGE)


def organization_choices() -> list[tuple[int, str]]:
    """Every organization as (id, name), by name: what intake's "redirect" picks from."""
    return [tuple(row) for row in db.session.execute(select(Organization.id, Organization.name)
                                                     .order_by(Organization.name_key, Organization.id))]


def hrsn_providers(service_code: str, payer_id: int | None = None) -> list[Organization]:
    """Other organizations providing an HRSN service (enrolled with the payer, when given), preferred first."""
    query = select(Organization).where(Organization.id.in_(providing(service_code)))
    if payer_id:
        query = query.where(Organization.payers.any(Payer.id == payer_id))
    return list(db.session.scalars(query.order_by(Organization.preferred_partner.desc(), Organization.name_key)))


def resource_list(service_ids) -> list[Service]:
    """The chosen services, in the order chosen, with what the printed list shows."""
    ids = [i for i in service_ids if isinstance(i, int)][:LIST_MAX]
    if not ids:
        return []
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
