"""The case step: a case per service, its service requests to the payer and their authorizations, the funding
sources an agency combines, limits per payer and service with an admin's overrides, case notes and contacts with
third parties. Payments live in models/payments.py."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.core import Bilingual, Versioned, local_day, local_today, utcnow

__all__ = ["CASE_STATUSES", "CASE_MOVES", "REQUEST_STATUSES", "REQUEST_MOVES", "PENDING_REQUESTS", "AUTH_UNITS",
           "LIMIT_UNITS", "PARTY_OUTCOMES", "Lifecycle", "StepColumns", "FundingSource", "Case", "CaseStep",
           "ServiceRequest", "RequestStep", "request_document", "Authorization", "ServiceLimit", "LimitOverride",
           "CaseNote", "PartyContact"]

CASE_STATUSES = {"open": _l("Case open"), "on_hold": _l("Case on hold"), "closed": _l("Case closed")}
CASE_MOVES = {"open": ("on_hold", "closed"), "on_hold": ("open", "closed"), "closed": ("open",)}

REQUEST_STATUSES = {"submitted": _l("Submitted, waiting for the payer"),
                    "more_info": _l("More information requested"),
                    "authorized": _l("Authorized"), "denied": _l("Denied")}
# A decision is final: a new request (an extension, an appeal) is a new row with its own history.
REQUEST_MOVES = {"submitted": ("authorized", "denied", "more_info"),
                 "more_info": ("submitted", "authorized", "denied"),
                 "authorized": (), "denied": ()}
PENDING_REQUESTS = ("submitted", "more_info")

AUTH_UNITS = {"months": _l("Months"), "dollars": _l("Dollars"), "hours": _l("Hours"), "sessions": _l("Sessions")}
LIMIT_UNITS = {"months": _l("Months paid"), "dollars": _l("Dollars paid"),
               "units": _l("Payments (each payment counts one: a device, a deposit)")}
PARTY_OUTCOMES = {"reached": _l("Talked with them"), "agreed": _l("Agreed to accept the payment"),
                  "info": _l("Gave or confirmed information"), "voicemail": _l("Left a message"),
                  "no_answer": _l("No answer"), "refused": _l("Refused")}


class StepColumns:
    """What every history row keeps: the move, who made it, when, and why."""
    id: Mapped[int] = mapped_column(primary_key=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    @declared_attr
    def by(cls):
        return relationship("User")


class Lifecycle:
    """A record whose status moves only where its table of moves allows; each move appends a history row."""
    STATUSES: dict = {}
    MOVES: dict = {}
    STEP: type = None

    def allowed(self) -> tuple[str, ...]:
        return self.MOVES.get(self.status, ())

    @property
    def status_label(self) -> str:
        return str(self.STATUSES.get(self.status, self.status))

    def move(self, to: str, by, note: str | None = None, **details):
        """Move to `to`, dated and attributed; ValueError when the table does not allow it from here."""
        if to not in self.allowed():
            raise ValueError(f"{self.status} -> {to}")
        return self._append(to, by, note, **details)

    def begin(self, status: str, by, note: str | None = None, **details):
        """The first status, kept as the first history row."""
        self.status = None
        return self._append(status, by, note, **details)

    def _append(self, to, by, note, **details):
        step = self.STEP(from_status=self.status, to_status=to, by_id=getattr(by, "id", None), at=utcnow(),
                         note=(note or "").strip() or None, **details)
        self.steps.append(step)
        self.status, self.status_at = to, step.at
        return step

    @property
    def waiting_days(self) -> int:
        """Days since the last move, in the organization's calendar."""
        return (local_today() - local_day(self.status_at)).days if self.status_at else 0


class FundingSource(Bilingual, Versioned, db.Model):
    """Where a payment's money comes from (HRSN, county, state, federal, agency funds): a list an admin edits."""
    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(sa.String(120))
    name_es: Mapped[str] = mapped_column(sa.String(120))
    needs_authorization: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class CaseStep(StepColumns, db.Model):
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("service_case.id"), index=True)


class Case(Lifecycle, Versioned, db.Model):
    """One service for one member (rent assistance, utility assistance...), with its payer and the funding
    source its payments use unless one says otherwise."""
    __tablename__ = "service_case"              # CASE is a reserved word in SQL
    # The billing export asks for a member's case with one payer, for each member it bills.
    __table_args__ = (sa.Index("ix_service_case_member_payer", "member_id", "payer_id"),)
    STATUSES, MOVES, STEP = CASE_STATUSES, CASE_MOVES, CaseStep
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral.id"))
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("service_type.id"))
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payer.id"), index=True)
    funding_source_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_source.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    status_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_on: Mapped[date]
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    closed_on: Mapped[date | None]
    monthly_cents: Mapped[int | None]          # the rent or bill per month a month's shares must add up to
    asked_payer_on: Mapped[date | None]         # self-referral: asked the payer for a referral for the member
    rules_explained_on: Mapped[date | None]     # the program's rules explained to the member
    landlord_explained_on: Mapped[date | None]  # ...and to the landlord

    member = relationship("Member")
    referral = relationship("Referral")
    service_type = relationship("ServiceType")
    payer = relationship("Payer")
    funding_source = relationship("FundingSource")
    opened_by = relationship("User")
    steps = relationship("CaseStep", order_by="CaseStep.id")

    @property
    def asked_days(self) -> int | None:
        """How long ago the payer was asked for a referral on the member's behalf."""
        return (local_today() - self.asked_payer_on).days if self.asked_payer_on else None

    def move(self, to, by, note=None, **details):
        step = super().move(to, by, note, **details)
        self.closed_on = local_today() if to == "closed" else None
        return step


request_document = sa.Table(
    "request_document", db.metadata,
    sa.Column("request_id", sa.ForeignKey("service_request.id"), primary_key=True),
    sa.Column("document_id", sa.ForeignKey("document.id"), primary_key=True),
)


class RequestStep(StepColumns, db.Model):
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("service_request.id"), index=True)


class ServiceRequest(Lifecycle, Versioned, db.Model):
    """A request for service sent to the payer, and the payer's answer."""
    STATUSES, MOVES, STEP = REQUEST_STATUSES, REQUEST_MOVES, RequestStep
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("service_case.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    submitted_on: Mapped[date]
    sent_to: Mapped[str | None] = mapped_column(sa.String(200))
    sent_note: Mapped[str | None] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(sa.String(20), default="submitted", index=True)
    status_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_on: Mapped[date | None]
    denial_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    info_requested: Mapped[str | None] = mapped_column(sa.String(1000))
    info_due: Mapped[date | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    case = relationship("Case")
    documents = relationship("Document", secondary=request_document, order_by="Document.id")
    steps = relationship("RequestStep", order_by="RequestStep.id")

    @property
    def days_waiting(self) -> int:
        """How long the payer has had it (since the first submission, not the last move)."""
        return (local_today() - self.submitted_on).days


class Authorization(Versioned, db.Model):
    """The payer's (or a funding source's) approval: a number, an amount, a quantity of units, dates."""
    __tablename__ = "service_authorization"      # AUTHORIZATION is a reserved word in SQL
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("service_case.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_request.id"))
    funding_source_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_source.id"))
    number: Mapped[str] = mapped_column(sa.String(60))
    amount_cents: Mapped[int | None]
    unit: Mapped[str] = mapped_column(sa.String(10), default="months")
    quantity: Mapped[int | None]
    start_on: Mapped[date]
    end_on: Mapped[date] = mapped_column(index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    case = relationship("Case")
    funding_source = relationship("FundingSource")



class ServiceLimit(Versioned, db.Model):
    """How much of a service one member may receive from a payer and funding source, counted over all of the
    member's cases within a look-back window (none: over the member's whole history)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payer.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("service_type.id"))
    funding_source_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_source.id"))
    unit: Mapped[str] = mapped_column(sa.String(10), default="months")
    amount: Mapped[int]                        # months, cents or payments, as the unit says
    lookback_months: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    payer = relationship("Payer")
    service_type = relationship("ServiceType")
    funding_source = relationship("FundingSource")



class LimitOverride(db.Model):
    """An administrator's allowance beyond a limit for one member, in the limit's unit, with the reason; kept."""
    id: Mapped[int] = mapped_column(primary_key=True)
    limit_id: Mapped[int] = mapped_column(sa.ForeignKey("service_limit.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    extra: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(1000))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    granted_by = relationship("User")


class CaseNote(db.Model):
    """A staff-only note on a case; never edited, never deleted (a correction is another note)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("service_case.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    by = relationship("User")


class PartyContact(db.Model):
    """A contact with a landlord, a utility or a partner agency about the case; its minutes are billable."""
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("service_case.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    third_party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("third_party.id"))
    partner: Mapped[str | None] = mapped_column(sa.String(200))    # a partner agency not on file as a third party
    contact_on: Mapped[date]
    method: Mapped[str] = mapped_column(sa.String(20))
    minutes: Mapped[int] = mapped_column(default=0)
    activity: Mapped[str] = mapped_column(sa.String(20), default="navigation")
    outcome: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    third_party = relationship("ThirdParty")
    by = relationship("User")

    @property
    def outcome_label(self) -> str:
        return str(PARTY_OUTCOMES.get(self.outcome, self.outcome))

    @property
    def with_whom(self) -> str:
        return self.third_party.display if self.third_party else (self.partner or "")
