"""The HRSN screening: instruments loaded as data, and each member's screenings with answers and results."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.core import Versioned, utcnow

__all__ = ["ScreeningInstrument", "Screening", "SCREENING_STATUSES"]

SCREENING_STATUSES = {"in_progress": _l("In progress"), "complete": _l("Complete")}


class ScreeningInstrument(db.Model):
    """A questionnaire: domains, questions, answer choices and scoring, as checked JSON (see the README)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[str] = mapped_column(sa.String(40))
    definition: Mapped[dict] = mapped_column(sa.JSON)
    active: Mapped[bool] = mapped_column(default=False)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    loaded_by = relationship("User")

    @property
    def domains(self) -> list[dict]:
        return self.definition["domains"]

    def domain(self, code: str) -> dict | None:
        return next((d for d in self.domains if d["code"] == code), None)

    def questions_of(self, domain_code: str) -> list[dict]:
        return [q for q in self.definition["questions"] if q["domain"] == domain_code]


class Screening(Versioned, db.Model):
    # The second: screenings completed in a report's range, counted and listed from the index alone.
    __table_args__ = (sa.Index("ix_screening_member_started", "member_id", "started_at"),
                      sa.Index("ix_screening_status_completed", "status", "completed_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("screening_instrument.id"))
    language: Mapped[str] = mapped_column(sa.String(10))
    domains: Mapped[list] = mapped_column(sa.JSON)           # domain codes asked, in order
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)   # question code -> choice code
    results: Mapped[dict | None] = mapped_column(sa.JSON)    # domain code -> {"positive", "score"}
    status: Mapped[str] = mapped_column(sa.String(20), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    instrument = relationship("ScreeningInstrument")
    started_by = relationship("User", foreign_keys=[started_by_id])

    @property
    def positive_domains(self) -> list[str]:
        return [code for code in self.domains if (self.results or {}).get(code, {}).get("positive")]

    @property
    def status_label(self) -> str:
        return str(SCREENING_STATUSES.get(self.status, self.status))
