"""The service directory: community organizations, their services and locations, after the entities of the
Open Referral Human Services Data Specification (HSDS 3.0), with what a case manager adds to decide and refer.

Every row keeps the HSDS `id` it came with (or one made when staff add it), so a file imported again changes
nothing and an export imported elsewhere is the same directory."""
import uuid
from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.core import Versioned, fold, utcnow

__all__ = ["NEED_DOMAINS", "SERVICE_STATUSES", "WEEKDAYS", "Organization", "Service", "ServiceCategory",
           "DirectoryFlag", "FromHsds", "organization_payer", "organization_service_type", "new_hsds_id", "area_of",
           "search_text", "rank_text"]

# The need domains shared by the directory's categories and the HAP's needs (one list, both languages).
NEED_DOMAINS = {
    "housing": _l("Housing"), "utilities": _l("Utilities"), "food": _l("Food"),
    "transportation": _l("Transportation"), "safety": _l("Personal safety"), "employment": _l("Employment"),
    "income": _l("Income and benefits"), "physical_health": _l("Physical health"), "oral_health": _l("Oral health"),
    "mental_health": _l("Mental health"), "substance_use": _l("Substance use"), "disability": _l("Disability"),
    "ltss": _l("Long-term services and supports"), "family_support": _l("Family and community support"),
    "legal": _l("Legal help"), "child_care": _l("Child care"), "education": _l("Education"), "other": _l("Other"),
}
SERVICE_STATUSES = {"active": _l("Active"), "temporarily closed": _l("Temporarily closed"),
                    "inactive": _l("Inactive"), "defunct": _l("No longer offered")}
# Long enough for what a service is found by; with rank_key short enough for one PostgreSQL index entry (2.7 kB)
# even in a script of three bytes a character.
SEARCH_KEY = 600
# HSDS (RFC 5545) day codes, Monday first; a schedule's days are also kept as a bit mask for "open now".
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def new_hsds_id() -> str:
    return str(uuid.uuid4())


@lru_cache(maxsize=1)
def _domain_words() -> dict[str, str]:
    """Each need's name in English and Spanish, folded (the catalogs do not change while the app runs)."""
    from flask_babel import force_locale
    words = {code: [] for code in NEED_DOMAINS}
    for locale in ("en", "es"):
        with force_locale(locale):
            for code, label in NEED_DOMAINS.items():
                words[code].append(str(label))
    return {code: fold(" ".join(names)) for code, names in words.items()}


def search_text(*parts, domains=()) -> str:
    """The folded text a service is found by: its name, its organization's, what it offers, who it serves, and
    its needs in both languages (so "comida" finds a food bank described in English)."""
    words = _domain_words()
    return fold(" ".join([*(p for p in parts if p), *(words[d] for d in domains if d in words)]))[:SEARCH_KEY]


def rank_text(preferred: bool, organization_name: str, service_name: str) -> str:
    """The order results come in, as one indexed column: preferred partners first, then by organization."""
    return f"{0 if preferred else 1} {fold(organization_name)[:110]} | {fold(service_name)[:110]}"


def area_of(name: str) -> tuple[str, str]:
    """How an area named in a file or a form is matched: ("zip", "97201"), ("zip3", "972") for every ZIP code
    that starts so, ("state", "oregon") for a whole state, else ("county", "multnomah")."""
    text = fold(name).replace("zip code", "").replace("zip", "").strip(" :")
    digits = text.replace("*", "").replace("x", "")
    if digits.isdigit() and len(digits) == 5:
        return "zip", digits
    if digits.isdigit() and len(digits) == 3:
        return "zip3", digits
    if text.startswith("statewide") or text.endswith("statewide") or text.startswith("state of "):
        return "state", text.replace("statewide", "").replace("state of", "").strip(" ,-") or "all"
    return "county", text.removesuffix(" county").removesuffix(" condado").removeprefix("condado de ").strip()


class FromHsds:
    """A row of an HSDS table: it keeps the `id` of the file it came from (a new one when staff add it), which is
    how an import finds it again and an export writes it."""
    hsds_id: Mapped[str] = mapped_column(sa.String(100), unique=True, default=new_hsds_id)


organization_payer = sa.Table(
    "organization_payer", db.metadata,
    sa.Column("organization_id", sa.ForeignKey("organization.id"), primary_key=True),
    sa.Column("payer_id", sa.ForeignKey("payer.id"), primary_key=True, index=True),
)
organization_service_type = sa.Table(
    "organization_service_type", db.metadata,
    sa.Column("organization_id", sa.ForeignKey("organization.id"), primary_key=True),
    sa.Column("service_type_id", sa.ForeignKey("service_type.id"), primary_key=True, index=True),
)


class Organization(FromHsds, Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    alternate_name: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    preferred_partner: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    services = relationship("Service", back_populates="organization", order_by="Service.name")
    locations = relationship("Location", back_populates="organization", order_by="Location.name")
    phones = relationship("Phone", primaryjoin="and_(Phone.organization_id == Organization.id, "
                          "Phone.service_id.is_(None), Phone.contact_id.is_(None))", viewonly=True)
    contacts = relationship("ContactPerson", back_populates="organization", order_by="ContactPerson.id")
    payers = relationship("Payer", secondary=organization_payer, order_by="Payer.name")
    hrsn_services = relationship("ServiceType", secondary=organization_service_type, order_by="ServiceType.sort_order")

    def set_name(self, name: str) -> None:
        self.name, self.name_key = name, fold(name)


class Service(FromHsds, Versioned, db.Model):
    # One index answers the search: read in the results' order, the status and the folded text at hand, so a
    # search never reads the (wide) service rows it does not show.
    __table_args__ = (sa.Index("ix_service_search", "rank_key", "status", "search_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    alternate_name: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    url: Mapped[str | None] = mapped_column(sa.String(500))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    eligibility_description: Mapped[str | None] = mapped_column(sa.Text)
    application_process: Mapped[str | None] = mapped_column(sa.Text)
    fees_description: Mapped[str | None] = mapped_column(sa.String(500))
    wait_time: Mapped[str | None] = mapped_column(sa.String(200))
    interpretation_services: Mapped[str | None] = mapped_column(sa.String(500))
    accepting_referrals: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    documents_to_bring: Mapped[str | None] = mapped_column(sa.Text)
    referral_process: Mapped[str | None] = mapped_column(sa.Text)
    follow_up_process: Mapped[str | None] = mapped_column(sa.Text)
    staff_tips: Mapped[str | None] = mapped_column(sa.Text)
    assured_on: Mapped[date | None] = mapped_column(index=True)        # last verified (HSDS assured_date)
    assurer_email: Mapped[str | None] = mapped_column(sa.String(254))
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Folded once on save, so a search compares plain text instead of folding every row on every keystroke.
    search_key: Mapped[str] = mapped_column(sa.String(SEARCH_KEY), default="")
    rank_key: Mapped[str] = mapped_column(sa.String(240), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organization = relationship("Organization", back_populates="services")
    verified_by = relationship("User")
    categories = relationship("ServiceCategory", cascade="all, delete-orphan", order_by="ServiceCategory.domain")
    languages = relationship("ServiceLanguage", back_populates="service", order_by="ServiceLanguage.code")
    areas = relationship("ServiceArea", back_populates="service", order_by="ServiceArea.name")
    phones = relationship("Phone", primaryjoin="Phone.service_id == Service.id", viewonly=True, order_by="Phone.id")
    schedules = relationship("Schedule", primaryjoin="Schedule.service_id == Service.id", viewonly=True,
                             order_by="Schedule.id")
    at_locations = relationship("ServiceAtLocation", back_populates="service", order_by="ServiceAtLocation.id")

    @property
    def domains(self) -> list[str]:
        return [c.domain for c in self.categories]

    @property
    def status_label(self) -> str:
        return str(SERVICE_STATUSES.get(self.status, self.status))

    def refresh_search(self, organization=None) -> None:
        """Fold again what the service is found and ordered by (after it, or its organization, changed)."""
        organization = organization or self.organization
        self.search_key = search_text(self.name, self.alternate_name, organization.name, self.eligibility_description,
                                      self.description, domains=self.domains)
        self.rank_key = rank_text(organization.preferred_partner, organization.name, self.name)

    def is_stale(self, today: date, months: int) -> bool:
        return self.assured_on is None or self.assured_on < today - timedelta(days=round(months * 30.44))

    def verify(self, user, today: date) -> None:
        self.assured_on, self.verified_by_id, self.assurer_email = today, user.id, user.email

    @property
    def verified_by_label(self) -> str:
        # A file imported since may name someone else: its assurer_email then wins over the account.
        if self.verified_by and self.verified_by.email == self.assurer_email:
            return self.verified_by.name
        return self.assurer_email or ""


class ServiceCategory(db.Model):
    __table_args__ = (sa.Index("ix_service_category_domain", "domain", "service_id"),)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id"), primary_key=True)
    domain: Mapped[str] = mapped_column(sa.String(30), primary_key=True)

    @property
    def label(self) -> str:
        return str(NEED_DOMAINS.get(self.domain, self.domain))


class DirectoryFlag(Versioned, db.Model):
    """Staff saying an entry is out of date (with what they noticed); it stays on the review list until resolved."""
    __table_args__ = (sa.Index("ix_directory_flag_open", "resolved_at", "organization_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"))
    note: Mapped[str] = mapped_column(sa.String(1000))
    flagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    flagged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    organization = relationship("Organization")
    service = relationship("Service")
    flagged_by = relationship("User", foreign_keys=[flagged_by_id])
