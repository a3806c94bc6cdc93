"""Where and how a directory's service is reached, after HSDS: locations with their address, the services offered
at each, phones, contact people, languages spoken, areas served and weekly hours."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.core import Versioned
from hrsn.models.directory import WEEKDAYS, FromHsds, area_of

__all__ = ["Location", "ServiceAtLocation", "Phone", "ContactPerson", "ServiceLanguage", "ServiceArea", "Schedule"]


class Location(FromHsds, Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    location_type: Mapped[str] = mapped_column(sa.String(20), default="physical")
    name: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    transportation: Mapped[str | None] = mapped_column(sa.String(500))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    # The location's one address (HSDS keeps it in address.csv, whose row id is kept to write it back).
    address_hsds_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    address_1: Mapped[str | None] = mapped_column(sa.String(200))
    address_2: Mapped[str | None] = mapped_column(sa.String(200))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    state_province: Mapped[str | None] = mapped_column(sa.String(60))
    postal_code: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2))

    organization = relationship("Organization", back_populates="locations")
    phones = relationship("Phone", primaryjoin="and_(Phone.location_id == Location.id, Phone.service_id.is_(None))",
                          viewonly=True, order_by="Phone.id")
    schedules = relationship("Schedule", primaryjoin="Schedule.location_id == Location.id", viewonly=True,
                             order_by="Schedule.id")

    @property
    def address_lines(self) -> list[str]:
        place = " ".join(p for p in (self.city and f"{self.city},", self.state_province, self.postal_code) if p)
        return [line for line in (self.address_1, self.address_2, place) if line]


class ServiceAtLocation(FromHsds, db.Model):
    __table_args__ = (sa.Index("ix_service_at_location_pair", "service_id", "location_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id"))
    location_id: Mapped[int] = mapped_column(sa.ForeignKey("location.id"), index=True)
    description: Mapped[str | None] = mapped_column(sa.Text)

    service = relationship("Service", back_populates="at_locations")
    location = relationship("Location")


class Phone(FromHsds, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("location.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_person.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(40))
    extension: Mapped[str | None] = mapped_column(sa.String(10))
    type: Mapped[str | None] = mapped_column(sa.String(20))
    description: Mapped[str | None] = mapped_column(sa.String(300))

    organization = relationship("Organization", foreign_keys=[organization_id])
    service = relationship("Service", foreign_keys=[service_id])

    @property
    def display(self) -> str:
        return f"{self.number} ext. {self.extension}" if self.extension else self.number


class ContactPerson(FromHsds, db.Model):
    """A named contact of an organization or a service (HSDS contact)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    title: Mapped[str | None] = mapped_column(sa.String(200))
    department: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))

    organization = relationship("Organization", back_populates="contacts")
    phones = relationship("Phone", primaryjoin="Phone.contact_id == ContactPerson.id", viewonly=True)


class ServiceLanguage(FromHsds, db.Model):
    """A language the service is given in (without an interpreter): ISO 639 code, as HSDS keeps it."""
    __table_args__ = (sa.Index("ix_service_language_code", "code", "service_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(10))
    name: Mapped[str | None] = mapped_column(sa.String(100))
    note: Mapped[str | None] = mapped_column(sa.String(300))

    service = relationship("Service", back_populates="languages")


class ServiceArea(FromHsds, db.Model):
    """Where a service is available: a ZIP code, the ZIP codes starting with three digits, a county or a state."""
    __table_args__ = (sa.Index("ix_service_area_key", "kind", "key", "service_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    kind: Mapped[str] = mapped_column(sa.String(10))
    key: Mapped[str] = mapped_column(sa.String(200))

    service = relationship("Service", back_populates="areas")

    def set_name(self, name: str) -> None:
        self.name = name
        self.kind, self.key = area_of(name)


class Schedule(FromHsds, db.Model):
    """Weekly opening hours of a service or a location (HSDS schedule, freq WEEKLY): local times HH:MM."""
    # "Open now" reads this index only (a day's bit cannot be indexed, but the narrow index is quick to read).
    __table_args__ = (sa.Index("ix_schedule_open", "opens_at", "closes_at", "days", "service_id", "location_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(sa.ForeignKey("location.id"), index=True)
    byday: Mapped[str | None] = mapped_column(sa.String(40))
    days: Mapped[int] = mapped_column(default=0)          # bit 0 Monday ... bit 6 Sunday, from byday
    opens_at: Mapped[str | None] = mapped_column(sa.String(5))
    closes_at: Mapped[str | None] = mapped_column(sa.String(5))
    description: Mapped[str | None] = mapped_column(sa.String(500))

    @staticmethod
    def mask(byday: str | None) -> int:
        codes = {part.strip()[-2:].upper() for part in (byday or "").split(",")}
        return sum(1 << i for i, code in enumerate(WEEKDAYS) if code in codes)
