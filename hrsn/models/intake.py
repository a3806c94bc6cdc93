"""Members, the referrals that bring them in, payers, service types and triage decisions."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from hrsn import settings
from hrsn.extensions import db
from hrsn.models.core import Bilingual, Versioned, fold, local_today, utcnow

PAYER_KINDS = {"cco": _l("CCO"), "open_card": _l("Open Card"), "mcp": _l("Managed care plan"),
               "other": _l("Other")}

SOURCES = {
    "platform": _l("Payer via platform"),
    "vendor": _l("Payer's vendor"),
    "self": _l("Self-referral"),
    "agency": _l("Other agency"),
    "walk_in": _l("Walk-in"),
}

REACH_METHODS = {"phone": _l("Phone"), "text": _l("Text message"), "email": _l("Email"),
                 "mail": _l("Mail"), "in_person": _l("In person"), "video": _l("Video")}

# Referral lifecycle: the queue each status belongs to, and the moves triage may make.
REFERRAL_STATUSES = {
    "new": _l("New, not triaged"),
    "waitlist": _l("Waitlist"),
    "enrolled": _l("Enrolled (active)"),
    "redirected": _l("Redirected"),
    "declined": _l("Declined"),
    "closed": _l("Closed (archived)"),
}
QUEUES = {"new": ("new",), "waitlist": ("waitlist",), "enrolled": ("enrolled",),
          "closed": ("redirected", "declined", "closed")}
TRIAGE_DECISIONS = {"accept": "enrolled", "waitlist": "waitlist", "redirect": "redirected",
                    "decline": "declined"}
TRIAGE_FROM = {"new", "waitlist", "redirected", "declined"}
OPEN_STATUSES = ("new", "waitlist", "enrolled")


def name_key(first: str, last: str) -> str:
    """Name folded for duplicate matching: accents, case and spacing ignored."""
    return fold(f"{first} {last}")


class Payer(Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="cco")
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    medicaid_id_pattern: Mapped[str] = mapped_column(sa.String(200), default=r"[A-Za-z0-9]{6,12}")
    invoice_before_payment: Mapped[bool] = mapped_column(default=False)
    invoice_notes: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    # Who does what for this payer: three bodies at times (one authorizes, another pays, invoices travel through
    # a platform), optionally through a hub.
    requests_to: Mapped[str | None] = mapped_column(sa.String(200))
    invoices_to: Mapped[str | None] = mapped_column(sa.String(200))
    reimbursed_by: Mapped[str | None] = mapped_column(sa.String(200))
    hub: Mapped[str | None] = mapped_column(sa.String(200))

    @property
    def kind_label(self) -> str:
        return str(PAYER_KINDS.get(self.kind, self.kind))


referral_service = sa.Table(
    "referral_service", db.metadata,
    sa.Column("referral_id", sa.ForeignKey("referral.id"), primary_key=True),
    sa.Column("service_type_id", sa.ForeignKey("service_type.id"), primary_key=True),
)


class ServiceType(Bilingual, Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(120))
    name_es: Mapped[str] = mapped_column(sa.String(120))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Which referral fields this service asks for at intake: an admin's choice, not a code's spelling.
    asks_rent: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    asks_utility: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    asks_notice: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class Member(Versioned, db.Model):
    # Lists are sorted by name, a caseload's by name too.
    __table_args__ = (sa.Index("ix_member_name", "last_name", "first_name"),
                      sa.Index("ix_member_assignee_name", "assignee_id", "last_name", "first_name"))
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    name_key: Mapped[str] = mapped_column(sa.String(210), index=True)
    dob: Mapped[date | None]
    medicaid_id: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    city: Mapped[str | None] = mapped_column(sa.String(80))
    state: Mapped[str | None] = mapped_column(sa.String(2))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    preferred_language: Mapped[str] = mapped_column(sa.String(10), default="en")
    interpreter_needed: Mapped[bool] = mapped_column(default=False)
    best_way_to_reach: Mapped[str | None] = mapped_column(sa.String(20))
    best_time_to_reach: Mapped[str | None] = mapped_column(sa.String(100))
    household_size: Mapped[int | None]
    monthly_income_cents: Mapped[int | None]
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    assignee = relationship("User", foreign_keys=[assignee_id])
    referrals = relationship("Referral", back_populates="member",
                             order_by="Referral.received_on.desc(), Referral.id.desc()")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def set_name(self, first: str, last: str) -> None:
        self.first_name, self.last_name = first, last
        self.name_key = name_key(first, last)

    @property
    def latest_referral(self) -> "Referral | None":
        return self.referrals[0] if self.referrals else None

    @property
    def status(self) -> str | None:
        latest = self.latest_referral
        return latest.status if latest else None

    @property
    def open_referrals(self) -> list["Referral"]:
        """Referrals still being worked (new, waitlist, enrolled), the most urgent first."""
        return sorted((r for r in self.referrals if r.status in OPEN_STATUSES),
                      key=lambda r: (r.urgency_rank, r.received_on))


def urgent_before() -> date:
    """A notice on or before this day makes a referral urgent (the setting counts days from today)."""
    return local_today() + timedelta(days=int(settings.get("urgent_notice_days")))


URGENCY_CODES = ("urgent", "high", "normal")


class Referral(Versioned, db.Model):
    # The access rule asks "has this member a new referral?" for every unassigned member: one index answers it;
    # Today asks which referrals' next outreach attempt is due: another answers that.
    __table_args__ = (sa.Index("ix_referral_member_status", "member_id", "status"),
                      sa.Index("ix_referral_member_received", "member_id", "received_on"),
                      sa.Index("ix_referral_outreach", "outreach_state", "outreach_due_on"),
                      sa.Index("ix_referral_member_payer", "member_id", "payer_id"),     # the billing export's
                      # by status, each referral's member read from the index alone (caseloads, the access rule)
                      sa.Index("ix_referral_status_member", "status", "member_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    received_on: Mapped[date]
    source: Mapped[str] = mapped_column(sa.String(20))
    payer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payer.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    rent_months_owed: Mapped[int | None] = mapped_column()
    rent_per_month_cents: Mapped[int | None]
    utility_owed_cents: Mapped[int | None]
    notice_date: Mapped[date | None] = mapped_column()
    current_needs: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="new")
    taken_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where the member's latest referral stands on the outreach rule, kept by models.outreach on every change of
    # contacts (trying, met, reached or unable; when the next attempt is due).
    outreach_state: Mapped[str | None] = mapped_column(sa.String(10))
    outreach_due_on: Mapped[date | None] = mapped_column()
    outreach_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    outreach_methods: Mapped[int] = mapped_column(default=0, server_default="0")
    # Its first contact, first conversation and first payment after it arrived, kept by models.milestones.
    first_contact_at: Mapped[datetime | None] = mapped_column()
    first_reached_at: Mapped[datetime | None] = mapped_column()
    first_paid_on: Mapped[date | None] = mapped_column()

    # Urgency, defined once: loaded with every referral and usable in ORDER BY (0 urgent, 1 high, 2 normal).
    urgency_rank: Mapped[int] = column_property(sa.case(
        (notice_date <= sa.bindparam("urgent_before", callable_=urgent_before, type_=sa.Date), 0),
        (sa.func.coalesce(rent_months_owed, 0) >= 2, 1),
        else_=2))

    member = relationship("Member", back_populates="referrals")
    payer = relationship("Payer")
    taken_by = relationship("User")
    services = relationship("ServiceType", secondary=referral_service, order_by="ServiceType.sort_order")
    decisions = relationship("TriageDecision", back_populates="referral",
                             order_by="TriageDecision.decided_at.desc(), TriageDecision.id.desc()")

    @property
    def status_label(self) -> str:
        return str(REFERRAL_STATUSES.get(self.status, self.status))

    @property
    def service_codes(self) -> set[str]:
        return {s.code for s in self.services}

    def decide(self, decision: str, by, reason: str | None = None, redirect_to: str | None = None) -> "TriageDecision":
        """Triage: move the referral by a decision, keeping who decided, when and why.

        Raises ValueError with the reason when the move is not allowed."""
        if decision not in TRIAGE_DECISIONS:
            raise ValueError("unknown decision")
        if self.status not in TRIAGE_FROM:
            raise ValueError("closed to triage")
        to_status = TRIAGE_DECISIONS[decision]
        if to_status == self.status:
            raise ValueError("already there")
        record = TriageDecision(decision=decision, from_status=self.status, to_status=to_status,
                                reason=reason or None, redirect_to=redirect_to if decision == "redirect" else None,
                                decided_by_id=by.id if by is not None else None)
        self.decisions.insert(0, record)
        self.status = to_status
        return record

    def urgency(self) -> str:
        """'urgent' (a notice close at hand, see the setting), 'high' (two months of rent owed) or 'normal'."""
        return URGENCY_CODES[self.urgency_rank]


# A search that is exactly a referral's ID on the payer's platform opens it, whatever the letters' case.
sa.Index("ix_referral_external_id_lower", sa.func.lower(Referral.external_id))


def of_latest_referral(column, member_id):
    """`column` of the member's latest referral (by day received, as everywhere) as a scalar subquery, found by the
    (member, day received) index; `member_id` a value or a column of the outer query. A max() of ids would let
    PostgreSQL walk the whole primary key backwards instead."""
    return (sa.select(column).where(Referral.member_id == member_id)
            .order_by(Referral.received_on.desc(), Referral.id.desc()).limit(1).scalar_subquery())


TRIAGE_LABELS = {"accept": _l("Accept"), "waitlist": _l("Waitlist"), "redirect": _l("Redirect to another organization"),
                 "decline": _l("Decline")}


class TriageDecision(db.Model):
    __table_args__ = (sa.Index("ix_triage_decision_referral_at", "referral_id", "decided_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referral.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[str] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    redirect_to: Mapped[str | None] = mapped_column(sa.String(200))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral = relationship("Referral", back_populates="decisions")
    decided_by = relationship("User")

    @property
    def label(self) -> str:
        return str(TRIAGE_LABELS.get(self.decision, self.decision))


URGENCY_LABELS = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal")}
