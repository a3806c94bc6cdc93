"""What the data's keeper did: each verification, backup and restore, with its result."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hrsn.extensions import db
from hrsn.models.core import utcnow

__all__ = ["CareRun", "CARE_KINDS"]

CARE_KINDS = ("verify", "backup", "restore")


class CareRun(db.Model):
    """One run of verify, backup or restore: when, whether it succeeded, and what it found (counts, problems,
    the archive's name; never member data)."""
    __table_args__ = (sa.Index("ix_care_run_kind_at", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[dict | None] = mapped_column(sa.JSON)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    how: Mapped[str] = mapped_column(sa.String(20), default="admin")    # admin, command line, automatic
