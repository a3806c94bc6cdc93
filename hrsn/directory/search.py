"""The directory's search: what the form says, checked; the query (need, language, area, open now, accepting
referrals, HRSN provider, payer, text); one page of results drawn as plain rows, in one query plus its count.

Other steps open it with `search_context(pick=Pick(endpoint, member_id, label), area=member.postal_code)` and
"directory/_search.html": each result then posts `service_id` to `endpoint` (listed in that step's `picks`)."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from babel import Locale
from flask import abort, url_for
from flask_babel import get_locale, to_user_timezone
from sqlalchemy import and_, func, or_, select

from hrsn import params, settings
from hrsn.extensions import db
from hrsn.models import (NEED_DOMAINS, Organization, Payer, Phone, Schedule, Service, ServiceArea, ServiceAtLocation,
                         ServiceCategory, ServiceLanguage, ServiceType, area_of, fold, local_today,
                         organization_payer, organization_service_type, utcnow)

PER_PAGE = 20


def stale_before() -> date:
    """A service last verified before this day is stale (the setting counts months)."""
    return local_today() - timedelta(days=round(int(settings.get("directory_stale_months")) * 30.44))


@lru_cache(maxsize=8)
def _language_names(locale: str) -> dict:
    try:
        return Locale.parse(locale).languages
    except (ValueError, TypeError):
        return {}


def language_name(code: str, locale=None) -> str:
    """A language's name in the reader's language, from Babel's data (a code it does not know is shown as is)."""
    return _language_names(str(locale or get_locale() or "en")).get(code, code)


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
                   accepting=values.get("accepting") == "1",
                   hrsn_service=params.text("hrsn_service", 40, source=values),
                   payer=str(params.number("payer", source=values) or ""), page=params.page(values),
                   pick=pick_from(values))


def _area_rows(text: str):
    kind, key = area_of(text)
    if kind in ("zip", "zip3"):
        wanted = [and_(ServiceArea.kind == "zip3", ServiceArea.key == key[:3])]
        if kind == "zip":
            wanted.append(and_(ServiceArea.kind == "zip", ServiceArea.key == key))
    else:
        wanted = [and_(ServiceArea.kind == kind, ServiceArea.key == key)]
    wanted.append(ServiceArea.kind == "state")
    return select(ServiceArea.service_id).where(or_(*wanted))


def _open_rows(service):
    """Open at this minute in the organization's time zone, by the service's hours or its locations'."""
    now = to_user_timezone(utcnow())
    bit, minute = 1 << now.weekday(), now.strftime("%H:%M")
    open_ = (Schedule.opens_at <= minute, Schedule.closes_at > minute, Schedule.days.op("&")(bit) != 0)
    at_location = (select(ServiceAtLocation.service_id)
                   .join(Schedule, Schedule.location_id == ServiceAtLocation.location_id).where(*open_))
    return or_(service.in_(select(Schedule.service_id).where(*open_)), service.in_(at_location))


def conditions(search: Search, *, in_order: bool = False) -> list:
    """The search as conditions on services, each filter on another table an IN over that table's index.

    `in_order` (for a page's ids) writes the service's id as `id + 0`: SQLite then walks the search index in the
    results' order and stops at the page's end, instead of reading every matching service row to sort them."""
    service = Service.id + 0 if in_order else Service.id
    found = [Service.status.in_(("active", "temporarily closed"))]
    found += [Service.search_key.like(params.like_pattern(word), escape="\\")
              for word in fold(search.q).split()[:8]]
    if search.need:
        found.append(service.in_(select(ServiceCategory.service_id).where(ServiceCategory.domain == search.need)))
    if search.language:
        found.append(service.in_(select(ServiceLanguage.service_id).where(ServiceLanguage.code == search.language)))
    if search.area:
        found.append(service.in_(_area_rows(search.area)))
    if search.accepting:
        found += [Service.accepting_referrals.is_(True), Service.status == "active"]
    if search.open_now:
        found.append(_open_rows(service))
    if search.hrsn_service:
        found.append(Service.organization_id.in_(providing(search.hrsn_service)))
    if search.payer:
        found.append(Service.organization_id.in_(select(organization_payer.c.organization_id)
                                                 .where(organization_payer.c.payer_id == int(search.payer))))
    return found


def providing(service_code: str):
    return (select(organization_service_type.c.organization_id)
            .join(ServiceType, ServiceType.id == organization_service_type.c.service_type_id)
            .where(ServiceType.code == service_code))


@dataclass
class Page:
    """One page of a list, with what the pager shows."""
    items: list
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def _listed(model, column):
    """A service's values from a child table, joined in one cell (group_concat or string_agg)."""
    return select(func.aggregate_strings(column, ",")).where(model.service_id == Service.id).scalar_subquery()


RESULT_COLUMNS = (
    Service.id, Service.name, Service.organization_id, Organization.name.label("organization_name"),
    Organization.preferred_partner, Service.assured_on, func.substr(Service.eligibility_description, 1, 200)
    .label("eligibility"), Service.accepting_referrals, Service.status, Service.wait_time, Service.fees_description,
    _listed(ServiceCategory, ServiceCategory.domain).label("domains"),
    _listed(ServiceLanguage, ServiceLanguage.code).label("languages"),
    select(Phone.number).where(Phone.service_id == Service.id).order_by(Phone.id).limit(1).scalar_subquery()
    .label("phone"))


@dataclass(frozen=True)
class Result:
    """A service as a result shows it: plain values, drawn in the one query of its page."""
    id: int
    name: str
    organization_id: int
    organization_name: str
    preferred_partner: bool
    assured_on: object
    eligibility: str | None
    accepting_referrals: bool
    status: str
    wait_time: str | None
    fees_description: str | None
    domains: tuple
    languages: tuple
    phone: str | None

    @classmethod
    def of(cls, row) -> "Result":
        values = row._asdict()
        for key in ("domains", "languages"):
            values[key] = tuple(sorted(set((values[key] or "").split(",")) - {""}))
        return cls(**values)


def results_context(values, pick: Pick | None = None) -> dict:
    """One page of results for what the search form says: what "directory/_results.html" needs."""
    chosen = Search.read(values)
    chosen.pick = chosen.pick or pick
    # The count, then the page's ids in the search index's order (rank_key, status, search_key: the wide service
    # rows are not read); the details are then read for the twenty shown only.
    total = db.session.scalar(select(func.count(Service.id)).where(*conditions(chosen)))
    page = min(chosen.page, max(1, -(-total // PER_PAGE)))
    ids = (select(Service.id).where(*conditions(chosen, in_order=True)).order_by(Service.rank_key, Service.id)
           .limit(PER_PAGE).offset((page - 1) * PER_PAGE).subquery())
    rows = db.session.execute(select(*RESULT_COLUMNS).join(ids, ids.c.id == Service.id)
                              .join(Organization, Service.organization_id == Organization.id)
                              .order_by(Service.rank_key, Service.id))
    return {"search": chosen, "results": Page([Result.of(row) for row in rows], total, page),
            "stale_before": stale_before(), "need_labels": need_labels(),
            "language_names": _language_names(str(get_locale() or "en"))}


def need_labels() -> dict[str, str]:
    """The needs' names in the reader's language (translated once per language, not once per result)."""
    return _need_labels(str(get_locale() or "en"))


@lru_cache(maxsize=8)
def _need_labels(locale: str) -> dict[str, str]:
    from flask_babel import force_locale
    with force_locale(locale):
        return {code: str(label) for code, label in NEED_DOMAINS.items()}


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
    return {**results_context(values if values is not None else {"area": area}, pick), **form_choices()}
