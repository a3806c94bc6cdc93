"""The documents step: checklists per service, uploaded files with their versions, third parties
(landlords, property managers, utilities) and eligibility checks."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.core import Bilingual, Versioned, once_per_request, utcnow

__all__ = ["CHECKLIST_STATUSES", "CHECKLIST_MOVES", "THIRD_PARTY_KINDS", "VERIFY_METHODS", "ELIGIBILITY_STATUSES",
           "ChecklistTemplateItem", "ChecklistItem", "ChecklistStep", "Document", "DocumentVersion", "ThirdParty",
           "MemberThirdParty", "EligibilityCheck", "eligibility_status", "payee_choices", "add_checklist_items",
           "MISSING_STATUSES"]

CHECKLIST_STATUSES = {"needed": _l("Needed"), "requested": _l("Requested"), "received": _l("Received"),
                      "sent": _l("Sent to payer"), "waived": _l("Waived")}
# Where an item may go from each state (a mistaken step is put right by moving back one step).
CHECKLIST_MOVES = {
    "needed": ("requested", "received", "waived"),
    "requested": ("received", "needed", "waived"),
    "received": ("sent", "requested"),
    "sent": ("received",),
    "waived": ("needed",),
}
MISSING_STATUSES = ("needed", "requested")
THIRD_PARTY_KINDS = {"landlord": _l("Landlord"), "property_manager": _l("Property manager"),
                     "utility": _l("Utility company"), "other": _l("Other")}
VERIFY_METHODS = {"mmis": _l("State MMIS lookup"), "portal": _l("Payer portal"), "card": _l("Card seen"),
                  "other": _l("Other")}
ELIGIBILITY_STATUSES = {"not_checked": _l("Not checked"), "pending": _l("Pending"), "eligible": _l("Eligible"),
                        "not_eligible": _l("Not eligible")}


class ChecklistTemplateItem(Bilingual, Versioned, db.Model):
    """A document a service needs, as an admin lists it; copied onto a member's checklist."""
    id: Mapped[int] = mapped_column(primary_key=True)
    service_code: Mapped[str] = mapped_column(sa.String(40), index=True)
    name_en: Mapped[str] = mapped_column(sa.String(200))
    name_es: Mapped[str] = mapped_column(sa.String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class ChecklistItem(Bilingual, Versioned, db.Model):
    # Today asks whose requested documents are still awaited, and since when.
    __table_args__ = (sa.Index("ix_checklist_item_status_updated", "status", "updated_at", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral.id"))
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checklist_template_item.id"))
    service_code: Mapped[str] = mapped_column(sa.String(40))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    name_es: Mapped[str] = mapped_column(sa.String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(20), default="needed")
    waived_reason: Mapped[str | None] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    updated_by = relationship("User")
    steps = relationship("ChecklistStep", back_populates="item", order_by="ChecklistStep.id.desc()")
    documents = relationship("Document", back_populates="item", order_by="Document.id")

    @property
    def status_label(self) -> str:
        return str(CHECKLIST_STATUSES.get(self.status, self.status))

    @property
    def moves(self) -> tuple[str, ...]:
        return CHECKLIST_MOVES.get(self.status, ())

    def move(self, to: str, by, reason: str | None = None) -> "ChecklistStep":
        """Move to the next state, dated and attributed; ValueError when the move is not allowed."""
        if to not in self.moves:
            raise ValueError(f"{self.status} -> {to}")
        if to == "waived" and not (reason or "").strip():
            raise ValueError("a waiver needs a reason")
        step = ChecklistStep(from_status=self.status, to_status=to, by_id=by.id if by else None,
                             note=(reason or "").strip() or None)
        self.steps.insert(0, step)
        self.status = to
        self.waived_reason = step.note if to == "waived" else None
        self.updated_at, self.updated_by_id = step.at or utcnow(), step.by_id
        return step


class ChecklistStep(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_item.id"), index=True)
    from_status: Mapped[str] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))

    item = relationship("ChecklistItem", back_populates="steps")
    by = relationship("User")

    @property
    def to_label(self) -> str:
        return str(CHECKLIST_STATUSES.get(self.to_status, self.to_status))


class Document(db.Model):
    """A file on the member's record; replacing it adds a version and keeps the old ones."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checklist_item.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    item = relationship("ChecklistItem", back_populates="documents")
    versions = relationship("DocumentVersion", back_populates="document",
                            order_by="DocumentVersion.number.desc()")

    @property
    def current(self) -> "DocumentVersion":
        return self.versions[0]


class DocumentVersion(db.Model):
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    document = relationship("Document", back_populates="versions")
    uploaded_by = relationship("User")


class ThirdParty(Versioned, db.Model):
    """A landlord, property manager or utility company; one may be linked to several members."""
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="landlord")
    name: Mapped[str] = mapped_column(sa.String(120))
    organization: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    mailing_address: Mapped[str | None] = mapped_column(sa.String(300))
    preferred_contact: Mapped[str | None] = mapped_column(sa.String(20))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    links = relationship("MemberThirdParty", back_populates="third_party")

    @property
    def kind_label(self) -> str:
        return str(THIRD_PARTY_KINDS.get(self.kind, self.kind))

    @property
    def preferred_label(self) -> str:
        from hrsn.models.intake import REACH_METHODS
        return str(REACH_METHODS.get(self.preferred_contact, "")) if self.preferred_contact else ""

    @property
    def display(self) -> str:
        return f"{self.name} ({self.organization})" if self.organization else self.name


class MemberThirdParty(db.Model):
    __table_args__ = (sa.UniqueConstraint("member_id", "third_party_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    third_party_id: Mapped[int] = mapped_column(sa.ForeignKey("third_party.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    third_party = relationship("ThirdParty", back_populates="links")


# How many members a third party is linked to: a count asked with the party when wanted (undefer), rather than
# every link of a landlord who rents to hundreds of the agency's members.
ThirdParty.member_count = column_property(
    sa.select(sa.func.count(MemberThirdParty.id)).where(MemberThirdParty.third_party_id == ThirdParty.id)
    .correlate_except(MemberThirdParty).scalar_subquery(), deferred=True)


class EligibilityCheck(db.Model):
    __table_args__ = (sa.Index("ix_eligibility_check_member_recorded", "member_id", "recorded_at"),)
    """One recording of the member's eligibility; the newest is the current status, the rest is history."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    medicaid_verified_on: Mapped[date | None]
    medicaid_verified_how: Mapped[str | None] = mapped_column(sa.String(20))
    questionnaire_on: Mapped[date | None]
    questionnaire_where: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    recorded_by = relationship("User")

    @property
    def status_label(self) -> str:
        return str(ELIGIBILITY_STATUSES.get(self.status, self.status))

    @property
    def how_label(self) -> str:
        return str(VERIFY_METHODS.get(self.medicaid_verified_how, self.medicaid_verified_how or ""))


def eligibility_status(member) -> str:
    """The member's eligibility as the Case tab checks it before a service request: one of ELIGIBILITY_STATUSES."""
    latest = db.session.scalar(db.select(EligibilityCheck).where(EligibilityCheck.member_id == member.id)
                               .order_by(EligibilityCheck.recorded_at.desc(), EligibilityCheck.id.desc()).limit(1))
    return latest.status if latest else "not_checked"


def payee_choices(member) -> list[ThirdParty]:
    """Who a payment for this member can go to: the landlords, managers and utilities linked to them."""
    return once_per_request(("payees", member.id),
                            lambda: list(db.session.scalars(_PAYEES, {"member_id": member.id})))


_PAYEES = (db.select(ThirdParty).join(MemberThirdParty).where(MemberThirdParty.member_id == sa.bindparam("member_id"))
           .order_by(ThirdParty.name))


def add_checklist_items(member, referral) -> int:
    """Put on the member's checklist the documents the referral's services need and the list lacks; how many.

    Run when a referral is saved (and on request from the Documents tab): a document two services ask for
    (proof of income) is listed once; a template renamed since an item was made from it is not added again."""
    items = db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.member_id == member.id)).all()
    have = {item.name_en.casefold() for item in items}
    made_from = {item.template_id for item in items}
    order = {s.code: s.sort_order for s in referral.services}
    templates = db.session.scalars(db.select(ChecklistTemplateItem).where(
        ChecklistTemplateItem.active, ChecklistTemplateItem.service_code.in_(order))).all()
    added = 0
    for template in sorted(templates, key=lambda t: (order[t.service_code], t.sort_order, t.id)):
        if template.id in made_from or template.name_en.casefold() in have:
            continue
        have.add(template.name_en.casefold())
        db.session.add(ChecklistItem(member_id=member.id, referral_id=referral.id, template_id=template.id,
                                     service_code=template.service_code, name_en=template.name_en,
                                     name_es=template.name_es,
                                     sort_order=order[template.service_code] * 100 + template.sort_order))
        added += 1
    return added
