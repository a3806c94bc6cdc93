"""The Health Action Plan: a member's needs, goals in their own words, supports and care team, preferences,
benefits and barriers, and every referral made to another organization with its closed-loop outcome.

The referrals the organization *received* for the member are intake's `Referral` rows; the ones it *made* are
`ReferralOut` here. Other steps (the follow-up's check-ins) write to the plan only through the functions at the
end of this module: `add_need(..., source="check-in")`, `set_need_status`, `add_goal_progress(goal, text,
source="check-in", source_id=check_in.id)`, `mark_plan_changed` (and `plan_of(member_id).next_check_in_on`)."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.cases import Lifecycle, StepColumns
from hrsn.models.core import Versioned, local_day, local_today, utcnow
from hrsn.models.directory import NEED_DOMAINS

__all__ = [
    "NEED_DOMAINS", "NEED_STATUSES", "OPEN_NEEDS", "NEED_SOURCES", "NEED_PRIORITIES", "SCREENING_TO_NEED",
    "need_domain_of_screening", "GOAL_STATUSES", "REFERRAL_METHODS", "OUT_STATUSES", "OUT_MOVES", "OUT_PENDING",
    "OUT_DELIVERED", "OUT_NOT_DELIVERED", "OUT_HL7", "CONFIRMED_HOW", "DELIVERED_WHAT", "SUPPORT_ROLES",
    "BENEFIT_PROGRAMS", "BARRIER_KINDS", "COPY_KINDS",
    "Plan", "Need", "Goal", "goal_need", "GoalProgress", "ReferralOut", "ReferralOutStep", "Support",
    "PlanPreferences", "Benefit", "Barrier", "CareMeeting", "PlanCopy", "MemberStaff", "ScreeningApplied",
    "add_need", "set_need_status", "add_goal_progress", "mark_plan_changed", "note_member_copy", "needs_from_screening",
    "plan_of",
]

# Needs ------------------------------------------------------------------------------------------------------

NEED_STATUSES = {"identified": _l("Identified"), "in_progress": _l("In progress"), "met": _l("Met"),
                 "not_met": _l("Not met"), "declined": _l("Member declined")}
OPEN_NEEDS = ("identified", "in_progress")
NEED_SOURCES = {"intake": _l("Intake"), "screening": _l("Screening"), "conversation": _l("Conversation"),
                "check-in": _l("Check-in")}
NEED_PRIORITIES = {1: _l("High"), 2: _l("Medium"), 3: _l("Low")}

# Every screening domain a questionnaire may use becomes exactly one need domain; a domain not listed here (an
# admin's own questionnaire) becomes "other". The one place this mapping lives.
SCREENING_TO_NEED = {
    "living": "housing", "housing": "housing", "housing_quality": "housing",
    "food": "food", "transportation": "transportation", "utilities": "utilities",
    "safety": "safety", "interpersonal_safety": "safety",
    "employment": "employment", "financial_strain": "income", "income": "income",
    "support": "family_support", "family_support": "family_support", "social_isolation": "family_support",
    "mental_health": "mental_health", "stress": "mental_health",
    "substance_use": "substance_use", "disabilities": "disability", "disability": "disability",
    "physical_activity": "physical_health", "physical_health": "physical_health",
    "education": "education", "child_care": "child_care", "legal": "legal", "oral_health": "oral_health",
}


def need_domain_of_screening(code: str) -> str:
    return SCREENING_TO_NEED.get(code, code if code in NEED_DOMAINS else "other")


# Goals ------------------------------------------------------------------------------------------------------

GOAL_STATUSES = {"active": _l("Working on it"), "achieved": _l("Achieved"), "partly": _l("Partly achieved"),
                 "not_achieved": _l("Not achieved"), "dropped": _l("No longer a goal")}

# Referrals out ----------------------------------------------------------------------------------------------

REFERRAL_METHODS = {"warm_handoff": _l("Warm handoff"), "phone": _l("Phone"), "email": _l("Email"),
                    "fax": _l("Fax"), "platform": _l("Referral platform"), "in_person": _l("In person")}

OUT_STATUSES = {
    "sent": _l("Sent"),
    "accepted": _l("Accepted"),
    "applied": _l("Application submitted"),
    "waitlisted": _l("Waitlisted"),
    "started": _l("Service started"),
    "receiving": _l("Still receiving"),
    "delivered": _l("Delivered"),
    "ended": _l("Ended"),
    "org_declined": _l("Declined by the organization"),
    "not_eligible": _l("Member not eligible"),
    "not_used": _l("Member did not apply or did not use it"),
    "member_declined": _l("Member declined"),
    "not_appropriate": _l("Not appropriate for the need"),
    "unreachable": _l("Could not reach the member"),
    "no_response": _l("No response"),
}
OUT_PENDING = ("sent", "accepted", "applied", "waitlisted", "started")
OUT_DELIVERED = ("delivered", "receiving", "ended")
OUT_NOT_DELIVERED = ("org_declined", "not_eligible", "not_used", "member_declined", "not_appropriate",
                     "unreachable", "no_response")
_CLOSES = OUT_NOT_DELIVERED
# Where each status may go. Forward steps may be skipped (not every service asks for an application or has a
# wait), never taken backward, and an outcome is never reached before the referral was even accepted or started.
OUT_MOVES = {
    "sent": ("accepted", "applied", "waitlisted", "started", *_CLOSES),
    "accepted": ("applied", "waitlisted", "started", *_CLOSES),
    "applied": ("accepted", "waitlisted", "started", *_CLOSES),
    "waitlisted": ("accepted", "started", *_CLOSES),        # on hold, not a refusal: it is still followed up
    "started": ("delivered", "receiving", "not_used", "member_declined", "unreachable"),
    "receiving": ("receiving", "ended", "delivered"),           # "still receiving as of" a newer date
    "delivered": (),
    "ended": (),
    "org_declined": ("sent",), "not_eligible": (), "not_used": ("sent",), "member_declined": ("sent",),
    "not_appropriate": (), "unreachable": ("sent",), "no_response": ("sent",),   # sent again: tried once more
}
# The closed-loop referral vocabulary of the HL7 SDOH Clinical Care guide (the referral Task's status): the one
# mapping an export will read.
OUT_HL7 = {
    "sent": "requested", "accepted": "accepted", "applied": "in-progress", "waitlisted": "on-hold",
    "started": "in-progress", "receiving": "in-progress", "delivered": "completed", "ended": "completed",
    "org_declined": "rejected", "not_eligible": "rejected", "not_appropriate": "rejected",
    "member_declined": "cancelled", "not_used": "cancelled",
    "unreachable": "failed", "no_response": "failed",
}
assert set(OUT_HL7) == set(OUT_STATUSES) == set(OUT_MOVES) == set(OUT_PENDING + OUT_DELIVERED + OUT_NOT_DELIVERED)

CONFIRMED_HOW = {"member": _l("The member said so"), "organization": _l("The organization confirmed")}
# What was actually delivered, a short pick list per need domain (free text beside it).
DELIVERED_WHAT = {
    "housing": {"rent": _l("Rent paid"), "deposit": _l("Deposit paid"), "placement": _l("Housing found"),
                "shelter": _l("Shelter bed"), "repairs": _l("Repairs or modifications")},
    "utilities": {"bill": _l("Bill paid"), "shutoff": _l("Shut-off stopped"), "plan": _l("Payment plan")},
    "food": {"box": _l("Food box or pantry visit"), "meals": _l("Meals delivered"), "snap": _l("SNAP enrolled")},
    "transportation": {"rides": _l("Rides given"), "pass": _l("Bus pass")},
    "*": {"service": _l("Service received"), "appointment": _l("Appointment kept"), "enrolled": _l("Enrolled"),
          "items": _l("Items received"), "advice": _l("Advice or information")},
}
SUPPORT_ROLES = {"case_manager": _l("Case manager"), "staff": _l("Staff of this organization"),
                 "provider": _l("Other provider"), "family": _l("Family"), "caregiver": _l("Caregiver"),
                 "support": _l("Support person"), "other": _l("Other")}
BENEFIT_PROGRAMS = {"snap": _l("Food assistance (SNAP)"), "wic": _l("WIC"), "energy": _l("Energy assistance"),
                    "voucher": _l("Housing voucher"), "ssi": _l("SSI or SSDI"), "tanf": _l("Cash assistance (TANF)"),
                    "unemployment": _l("Unemployment benefits"), "other": _l("Other")}
BARRIER_KINDS = {"transport": _l("Transportation"), "language": _l("Language"), "hours": _l("Hours"),
                 "cost": _l("Cost"), "documents": _l("Documents"), "childcare": _l("Child care"),
                 "other": _l("Other")}
COPY_KINDS = {"member": _l("Member copy"), "staff": _l("Staff copy")}


class Plan(Versioned, db.Model):
    """One per member: the plan as a whole (review cycle, sign-off, when it last changed and was printed)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_due_on: Mapped[date | None] = mapped_column(index=True)
    reviewed_on: Mapped[date | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    signed_off_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    member_printed_at: Mapped[datetime | None]      # the member's last printed copy
    next_check_in_on: Mapped[date | None]

    member = relationship("Member")
    signed_off_by = relationship("User", foreign_keys=[signed_off_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

    @property
    def changed_since_print(self) -> bool:
        return self.member_printed_at is None or self.changed_at > self.member_printed_at


class ScreeningApplied(db.Model):
    """A completed screening whose positive domains have been turned into needs (so that happens once)."""
    screening_id: Mapped[int] = mapped_column(sa.ForeignKey("screening.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Need(Versioned, db.Model):
    __table_args__ = (sa.Index("ix_need_member_status", "member_id", "status"),
                      sa.UniqueConstraint("screening_id", "domain", name="uq_need_screening_domain"))
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    domain: Mapped[str] = mapped_column(sa.String(30))
    description: Mapped[str | None] = mapped_column(sa.String(2000))
    priority: Mapped[int] = mapped_column(default=2)
    status: Mapped[str] = mapped_column(sa.String(20), default="identified")
    source: Mapped[str] = mapped_column(sa.String(20), default="conversation")
    screening_id: Mapped[int | None] = mapped_column(sa.ForeignKey("screening.id"))
    source_on: Mapped[date | None]                 # the screening's (or check-in's) date
    identified_on: Mapped[date] = mapped_column(default=local_today)
    status_on: Mapped[date | None]                 # when the status last changed
    staff_note: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    @property
    def domain_label(self) -> str:
        return str(NEED_DOMAINS.get(self.domain, self.domain))

    @property
    def status_label(self) -> str:
        return str(NEED_STATUSES.get(self.status, self.status))

    @property
    def source_label(self) -> str:
        return str(NEED_SOURCES.get(self.source, self.source))

    @property
    def priority_label(self) -> str:
        return str(NEED_PRIORITIES.get(self.priority, self.priority))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NEEDS


goal_need = sa.Table(
    "goal_need", db.metadata,
    sa.Column("goal_id", sa.ForeignKey("goal.id"), primary_key=True),
    sa.Column("need_id", sa.ForeignKey("need.id"), primary_key=True, index=True),
)


class Goal(Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    text: Mapped[str] = mapped_column(sa.String(2000))            # in the member's own words
    target_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    status_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    needs = relationship("Need", secondary=goal_need, order_by="Need.id")
    progress = relationship("GoalProgress", order_by="GoalProgress.id", back_populates="goal")

    @property
    def status_label(self) -> str:
        return str(GOAL_STATUSES.get(self.status, self.status))


class GoalProgress(db.Model):
    """A note on how a goal is going; never edited (a correction is another note)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("goal.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    text: Mapped[str] = mapped_column(sa.String(2000))
    source: Mapped[str] = mapped_column(sa.String(20), default="conversation")   # conversation, check-in
    source_id: Mapped[int | None]           # the check-in's id, when one wrote it
    on: Mapped[date] = mapped_column(default=local_today)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    goal = relationship("Goal", back_populates="progress")
    by = relationship("User")


class ReferralOutStep(StepColumns, db.Model):
    """The history of a referral out: who moved it, when, from and to."""
    referral_out_id: Mapped[int] = mapped_column(sa.ForeignKey("referral_out.id"), index=True)
    on: Mapped[date | None]                 # the day the move happened (may be before it was recorded)


class ReferralOut(Lifecycle, Versioned, db.Model):
    """A referral this organization made to another one for a need, and what came of it."""
    STATUSES, MOVES, STEP = OUT_STATUSES, OUT_MOVES, ReferralOutStep
    __table_args__ = (sa.Index("ix_referral_out_member_made", "member_id", "made_on"),
                      sa.Index("ix_referral_out_status_made", "status", "made_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("need.id"), index=True)
    made_on: Mapped[date]
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"), index=True)
    organization_name: Mapped[str] = mapped_column(sa.String(200))    # as picked or typed
    service_name: Mapped[str | None] = mapped_column(sa.String(200))
    method: Mapped[str] = mapped_column(sa.String(20), default="phone")
    consent_checked: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    consent_warning: Mapped[str | None] = mapped_column(sa.String(500))   # the warning given, when not covered
    consent_warned_at: Mapped[datetime | None]
    shared_info: Mapped[str | None] = mapped_column(sa.String(2000))    # what information and documents were sent
    status: Mapped[str] = mapped_column(sa.String(20), default="sent")
    status_at: Mapped[datetime] = mapped_column(default=utcnow)
    expected_start_on: Mapped[date | None]
    started_on: Mapped[date | None]
    delivered_on: Mapped[date | None]
    receiving_on: Mapped[date | None]         # still receiving as of
    ended_on: Mapped[date | None]
    delivered_what: Mapped[str | None] = mapped_column(sa.String(200))   # codes of DELIVERED_WHAT, comma separated
    delivered_note: Mapped[str | None] = mapped_column(sa.String(2000))
    confirmed_on: Mapped[date | None]
    confirmed_how: Mapped[str | None] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.String(2000))          # why not delivered
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    feedback_helped: Mapped[bool | None]
    feedback_tip: Mapped[str | None] = mapped_column(sa.String(2000))   # what to tell the next member
    # What the member needs to use it, on the member copy (prefilled from the directory entry, editable).
    phone: Mapped[str | None] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    hours: Mapped[str | None] = mapped_column(sa.String(500))
    how_to_apply: Mapped[str | None] = mapped_column(sa.String(2000))
    what_to_bring: Mapped[str | None] = mapped_column(sa.String(2000))
    wait: Mapped[str | None] = mapped_column(sa.String(200))
    cost: Mapped[str | None] = mapped_column(sa.String(500))
    staff_note: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    member = relationship("Member")
    need = relationship("Need")
    owner = relationship("User", foreign_keys=[owner_id])
    steps = relationship("ReferralOutStep", order_by="ReferralOutStep.id")

    @property
    def hl7_status(self) -> str:
        return OUT_HL7[self.status]

    @property
    def method_label(self) -> str:
        return str(REFERRAL_METHODS.get(self.method, self.method))

    @property
    def is_pending(self) -> bool:
        return self.status in OUT_PENDING

    @property
    def days_open(self) -> int:
        return (local_today() - self.made_on).days

    @property
    def delivered_codes(self) -> list[str]:
        return [c for c in (self.delivered_what or "").split(",") if c]


class Support(Versioned, db.Model):
    """Someone on the member's care team or among their supports: staff, other providers, chosen family."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20), default="support")
    relation: Mapped[str | None] = mapped_column(sa.String(200))     # to the member (mother, neighbor...)
    contact: Mapped[str | None] = mapped_column(sa.String(200))
    sharing_allowed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def role_label(self) -> str:
        return str(SUPPORT_ROLES.get(self.role, self.role))


class PlanPreferences(Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), unique=True)
    contact_how: Mapped[str | None] = mapped_column(sa.String(500))
    contact_when: Mapped[str | None] = mapped_column(sa.String(500))
    language: Mapped[str | None] = mapped_column(sa.String(200))
    what_matters: Mapped[str | None] = mapped_column(sa.String(2000))
    where_to_find: Mapped[str | None] = mapped_column(sa.String(2000))   # if contact is lost (staff only)


class Benefit(Versioned, db.Model):
    """A program the member already receives."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    program: Mapped[str] = mapped_column(sa.String(20))
    detail: Mapped[str | None] = mapped_column(sa.String(500))
    since_on: Mapped[date | None]
    ended_on: Mapped[date | None]

    @property
    def program_label(self) -> str:
        return str(BENEFIT_PROGRAMS.get(self.program, self.program))


class Barrier(db.Model):
    """Something in the way of a referral out (or of the plan as a whole, without one)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    referral_out_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral_out.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    resolved_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return str(BARRIER_KINDS.get(self.kind, self.kind))


class CareMeeting(db.Model):
    """A care-team meeting: who attended (partners included) and what was decided."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(sa.String(2000))
    decisions: Mapped[str | None] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by = relationship("User")


class PlanCopy(db.Model):
    """A printed (downloaded) copy of the plan; a member copy given or mailed may be logged as a contact."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    language: Mapped[str] = mapped_column(sa.String(5))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_attempt.id"))

    by = relationship("User")


class MemberStaff(db.Model):
    """Secondary staff on a member (a housing navigator beside the case manager)."""
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True, index=True)
    role: Mapped[str | None] = mapped_column(sa.String(100))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    user = relationship("User", foreign_keys=[user_id])


# What other steps call (helpers: they never commit) ------------------------------------------------------------

def plan_of(member_id: int, create: bool = True) -> Plan | None:
    plan = next((p for p in db.session.new if isinstance(p, Plan) and p.member_id == member_id), None) \
        or db.session.scalar(sa.select(Plan).where(Plan.member_id == member_id))
    if plan is None and create:
        plan = Plan(member_id=member_id)
        db.session.add(plan)
    return plan


def note_member_copy(member_id: int) -> None:
    """The member's copy was printed now. Printing is not an edit: the plan's version stays, so that a colleague
    editing the plan meanwhile sees no conflict, and two people printing at once do not refuse each other."""
    plan = plan_of(member_id)
    if plan.id is None:                             # a plan not stored yet is stored with it, unchanged since
        plan.changed_at = plan.member_printed_at = utcnow()
        return
    db.session.execute(sa.update(Plan).where(Plan.id == plan.id).values(member_printed_at=utcnow())
                       .execution_options(synchronize_session=False))


def mark_plan_changed(member_id: int, review: bool = False) -> Plan:
    """The plan changed (its member copy is out of date); `review`: and it is due for review now (a check-in
    that changed a need)."""
    plan = plan_of(member_id)
    plan.changed_at = utcnow()
    if review:
        plan.review_due_on = local_today()
    return plan


def add_need(member_id: int, domain: str, *, by=None, description: str | None = None, source: str = "check-in",
             source_on: date | None = None, priority: int = 2) -> Need:
    """A new need on the plan (a check-in that found one calls this with source "check-in")."""
    if domain not in NEED_DOMAINS or source not in NEED_SOURCES:
        raise ValueError("unknown need domain or source")
    need = Need(member_id=member_id, domain=domain, description=description, source=source, priority=priority,
                source_on=source_on, identified_on=local_today(), status_on=local_today(),
                created_by_id=getattr(by, "id", None))
    db.session.add(need)
    mark_plan_changed(member_id, review=source == "check-in")
    return need


def set_need_status(need: Need, status: str, *, review: bool = True) -> None:
    """A need's new status from outside the plan's own forms (a check-in found it met): the plan is then due for
    review (`review`), as after every check-in that changes a need."""
    if status not in NEED_STATUSES:
        raise ValueError("unknown need status")
    if need.status != status:
        need.status, need.status_on = status, local_today()
        mark_plan_changed(need.member_id, review=review)


def add_goal_progress(goal: Goal, text: str, *, source: str = "check-in", source_id: int | None = None,
                      by=None, on: date | None = None) -> GoalProgress:
    """A progress note on a goal, from a conversation or a check-in (which passes its own id)."""
    note = GoalProgress(goal_id=goal.id, member_id=goal.member_id, text=text.strip()[:2000], source=source,
                        source_id=source_id, by_id=getattr(by, "id", None), on=on or local_today())
    db.session.add(note)
    mark_plan_changed(goal.member_id)
    return note


def needs_from_screening(screening, by=None) -> list[Need]:
    """A completed screening's positive domains as needs, once per screening (a domain with an open need
    already is not added twice). Safe to call again: the second call finds the screening applied."""
    if screening.status != "complete" or db.session.get(ScreeningApplied, screening.id) is not None:
        return []
    db.session.add(ScreeningApplied(screening_id=screening.id, member_id=screening.member_id))
    open_domains = set(db.session.scalars(sa.select(Need.domain).where(
        Need.member_id == screening.member_id, Need.status.in_(OPEN_NEEDS))))
    made, on = [], local_day(screening.completed_at or screening.started_at)
    for code in screening.positive_domains:
        domain = need_domain_of_screening(code)
        if domain in open_domains:
            continue
        open_domains.add(domain)
        made.append(Need(member_id=screening.member_id, domain=domain, source="screening",
                         screening_id=screening.id, source_on=on, identified_on=on, status_on=on,
                         created_by_id=getattr(by, "id", None)))
    db.session.add_all(made)
    if made:
        mark_plan_changed(screening.member_id)
    return made
