"""Payments (disbursements): each one from the check request to the payer's reimbursement, every step dated and
attributed, in the order its payer works in."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.cases import Lifecycle, StepColumns
from hrsn.models.core import Versioned, utcnow

__all__ = ["PAYMENT_STATUSES", "PAYMENT_MOVES", "PAYMENT_ORDERS", "STEP_NEEDS", "Payment", "PaymentStep",
           "payment_order", "sources_of"]

PAYMENT_STATUSES = {
    "requested": _l("Check requested"), "approved": _l("Approved"), "paid": _l("Paid"),
    "invoiced": _l("Invoiced"), "accepted": _l("Invoice accepted"), "rejected": _l("Invoice rejected"),
    "reimbursed": _l("Reimbursed"), "cancelled": _l("Cancelled"),
}
PAYMENT_ORDERS = {"pay_first": _l("Check first, then the invoice"),
                  "invoice_first": _l("Invoice accepted before the check is mailed")}

# The one table of moves. Per payer order (Payer.invoice_before_payment), where a payment may go from each status.
# "approved" is a step only while the internal-approval setting is on: then a check request waits for it, and
# otherwise it is skipped (see Payment.allowed). A rejected invoice is corrected and invoiced again.
PAYMENT_MOVES = {
    "pay_first": {
        "requested": ("approved", "paid", "cancelled"),
        "approved": ("paid", "cancelled"),
        "paid": ("invoiced",),
        "invoiced": ("accepted", "rejected"),
        "rejected": ("invoiced",),
        "accepted": ("reimbursed",),
    },
    "invoice_first": {
        "requested": ("approved", "invoiced", "cancelled"),
        "approved": ("invoiced", "cancelled"),
        "invoiced": ("accepted", "rejected"),
        "rejected": ("invoiced",),
        "accepted": ("paid",),
        "paid": ("reimbursed",),
    },
}
# What each step records besides who and when (the forms ask for exactly these).
STEP_NEEDS = {"approved": (), "paid": ("day", "number"), "invoiced": ("day", "number"), "accepted": ("day",),
              "rejected": ("day", "note"), "reimbursed": ("day", "cents"), "cancelled": ("note",)}


def payment_order(invoice_before_payment: bool) -> str:
    return "invoice_first" if invoice_before_payment else "pay_first"


def sources_of(order: str, to: str, approval: bool) -> tuple[str, ...]:
    """The statuses from which a payment of that order may move to `to` (finance's queues are built on it)."""
    return tuple(status for status in PAYMENT_MOVES[order] if to in _allowed(order, status, approval))


def _allowed(order: str, status: str, approval: bool) -> tuple[str, ...]:
    moves = PAYMENT_MOVES[order].get(status, ())
    if status == "requested":
        # While approval is on, a check request waits for it; while it is off, the approval step is skipped.
        moves = tuple(m for m in moves if m == "cancelled" or (m == "approved") == approval)
    return moves


class PaymentStep(StepColumns, db.Model):
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payment.id"), index=True)
    day: Mapped[date | None]                                   # when it happened (a check's date, an invoice's)
    number: Mapped[str | None] = mapped_column(sa.String(40))  # the check, transfer or invoice number
    cents: Mapped[int | None]                                  # the amount reimbursed


class Payment(Lifecycle, Versioned, db.Model):
    """One disbursement under a case: who is paid, how much, for which month or bill, from which funding
    source and under which authorization."""
    __table_args__ = (sa.Index("ix_payment_member_source", "member_id", "funding_source_id"),)
    STATUSES, STEP = PAYMENT_STATUSES, PaymentStep
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("service_case.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    payee_id: Mapped[int] = mapped_column(sa.ForeignKey("third_party.id"), index=True)
    amount_cents: Mapped[int]
    period: Mapped[date | None]                     # the month paid (its first day), for rent and the like
    bill: Mapped[str | None] = mapped_column(sa.String(200))    # or the bill paid
    memo: Mapped[str | None] = mapped_column(sa.String(200))
    funding_source_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_source.id"))
    authorization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_authorization.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="requested", index=True)
    status_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_on: Mapped[date]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    check_number: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    paid_on: Mapped[date | None]
    invoice_number: Mapped[str | None] = mapped_column(sa.String(40))
    invoiced_on: Mapped[date | None]
    accepted_on: Mapped[date | None]
    rejected_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    reimbursed_on: Mapped[date | None]
    reimbursed_cents: Mapped[int | None]
    told_contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_attempt.id"))

    case = relationship("Case")
    member = relationship("Member")
    payee = relationship("ThirdParty")
    funding_source = relationship("FundingSource")
    authorization = relationship("Authorization")
    requested_by = relationship("User")
    steps = relationship("PaymentStep", order_by="PaymentStep.id")

    @property
    def order(self) -> str:
        return payment_order(self.case.payer.invoice_before_payment)

    def allowed(self) -> tuple[str, ...]:
        from hrsn import settings
        return _allowed(self.order, self.status, settings.get("case_approval") == "on")

    @property
    def forward(self) -> tuple[str, ...]:
        """The next steps, without cancelling."""
        return tuple(to for to in self.allowed() if to != "cancelled")

    def advance(self, to: str, by, *, day=None, number=None, cents=None, note=None) -> PaymentStep:
        """Record the next step with what it carries; ValueError when the payer's order does not allow it."""
        step = self.move(to, by, note, day=day, number=number, cents=cents)
        if to == "paid":
            self.check_number, self.paid_on = number, day
        elif to == "invoiced":
            self.invoice_number, self.invoiced_on, self.rejected_reason = number, day, None
        elif to == "accepted":
            self.accepted_on = day
        elif to == "rejected":
            self.rejected_reason = step.note
        elif to == "reimbursed":
            self.reimbursed_on, self.reimbursed_cents = day, cents
        return step

    @property
    def period_or_bill(self) -> str:
        from flask_babel import format_date
        if self.period:
            return format_date(self.period, "MMMM y")
        return self.bill or ""
