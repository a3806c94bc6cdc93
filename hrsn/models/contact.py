"""Contact step: attempts to reach a member, the outreach rule, message templates, consent and severity."""
import string
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.core import Versioned, local_day, local_today, once_per_request, utcnow
from hrsn.models.intake import REACH_METHODS, Member

__all__ = [
    "CONTACT_METHODS", "DIRECTIONS", "OUTCOMES", "REACHED_OUTCOMES", "ACTIVITIES", "CONSENT_FORMS",
    "HOUSING_URGENCY", "TEMPLATE_CHANNELS", "PLACEHOLDERS",
    "ContactAttempt", "SeverityAssessment", "MessageTemplate", "Consent", "UnableToReach",
    "local_day", "local_today", "consent_status", "current_consent", "has_valid_consent", "template_problems",
    "fill_template",
]

CONTACT_METHODS = REACH_METHODS
DIRECTIONS = {"outbound": _l("We contacted the member"), "inbound": _l("The member contacted us")}
OUTCOMES = {
    "reached": _l("Reached"),
    "no_answer": _l("No answer"),
    "voicemail": _l("Left voicemail"),
    "wrong_number": _l("Wrong number"),
    "message_sent": _l("Message sent, no reply yet"),
    "bounced": _l("Message bounced"),
    "declined": _l("Declined to talk"),
}
# Someone who declined to talk was reached all the same: the outreach count stops.
REACHED_OUTCOMES = {"reached", "declined"}
# Activities the time and billing report sums minutes by.
ACTIVITIES = {
    "outreach": _l("Outreach and engagement"),
    "tenancy": _l("Tenancy support"),
    "navigation": _l("Navigation"),
    "admin": _l("Administration"),
}
CONSENT_FORMS = {"verbal": _l("Verbal"), "signed": _l("Signed")}
HOUSING_URGENCY = {
    "immediate": _l("Immediate: eviction, shut-off or no housing within 14 days"),
    "soon": _l("Soon: within 30 days"),
    "stable": _l("Stable for now"),
}
TEMPLATE_CHANNELS = {"email": _l("Email"), "text": _l("Text message"),
                     "docs_email": _l("Email asking for missing documents"),
                     "docs_text": _l("Text asking for missing documents"),
                     "paid_email": _l("Email telling the member a check was mailed"),
                     "paid_text": _l("Text telling the member a check was mailed")}
PLACEHOLDERS = {
    "member_first_name": _l("Member's first name"),
    "case_manager_name": _l("Case manager's name"),
    "org_name": _l("Organization name"),
    "org_phone": _l("Organization phone"),
    "callback_hours": _l("Callback hours"),
    "missing_documents": _l("The documents still missing (requests for documents only)"),
    "payment_details": _l("What was paid, to whom and when (payment messages only)"),
}


class ContactAttempt(Versioned, db.Model):
    """One attempt or conversation with a member; corrected in place (audited), never deleted."""
    # The log and the outreach rule read one member's contacts by time.
    __table_args__ = (sa.Index("ix_contact_attempt_member_at", "member_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)            # UTC
    method: Mapped[str] = mapped_column(sa.String(20))
    direction: Mapped[str] = mapped_column(sa.String(10), default="outbound")
    outcome: Mapped[str] = mapped_column(sa.String(20))
    minutes: Mapped[int] = mapped_column(default=0)
    activity: Mapped[str] = mapped_column(sa.String(20), default="outreach")
    interpreter_used: Mapped[bool] = mapped_column(default=False)
    interpreter_language: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str | None] = mapped_column(sa.Text)
    message_subject: Mapped[str | None] = mapped_column(sa.String(200))
    message_text: Mapped[str | None] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]

    member = relationship(Member)
    author = relationship("User")

    @property
    def reached(self) -> bool:
        return self.outcome in REACHED_OUTCOMES

    @property
    def method_label(self) -> str:
        return str(CONTACT_METHODS.get(self.method, self.method))

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES.get(self.outcome, self.outcome))

    @property
    def direction_label(self) -> str:
        return str(DIRECTIONS.get(self.direction, self.direction))

    @property
    def activity_label(self) -> str:
        return str(ACTIVITIES.get(self.activity, self.activity))


class SeverityAssessment(db.Model):
    """The first assessment of severity, taken when the member is first reached."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contact_attempt.id"), unique=True)
    housing_urgency: Mapped[str] = mapped_column(sa.String(20))
    safety_concern: Mapped[bool] = mapped_column(default=False)
    safety_note: Mapped[str | None] = mapped_column(sa.Text)
    language_needs: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    contact = relationship(ContactAttempt)
    recorded_by = relationship("User")

    @property
    def urgency_label(self) -> str:
        return str(HOUSING_URGENCY.get(self.housing_urgency, self.housing_urgency))


class MessageTemplate(Versioned, db.Model):
    """A scripted message an admin edits: one per channel (email, text) and language."""
    __table_args__ = (sa.UniqueConstraint("channel", "language", name="channel_language"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
    language: Mapped[str] = mapped_column(sa.String(5))
    subject: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    updated_by = relationship("User")

    @property
    def channel_label(self) -> str:
        return str(TEMPLATE_CHANNELS.get(self.channel, self.channel))


class Consent(Versioned, db.Model):
    """Consent to share information; withdrawal is recorded on the same row, nothing is deleted."""
    __table_args__ = (sa.Index("ix_consent_member_given", "member_id", "given_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    given_on: Mapped[date]
    form: Mapped[str] = mapped_column(sa.String(10))
    scope: Mapped[str] = mapped_column(sa.Text)
    expires_on: Mapped[date | None]
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_on: Mapped[date | None]
    withdrawn_note: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def form_label(self) -> str:
        return str(CONSENT_FORMS.get(self.form, self.form))

    def status(self, on: date | None = None) -> str:
        """'valid', 'expired', 'withdrawn' or 'future' on the given day."""
        on = on or local_today()
        if self.withdrawn_on and self.withdrawn_on <= on:
            return "withdrawn"
        if self.given_on > on:
            return "future"
        if self.expires_on and self.expires_on < on:
            return "expired"
        return "valid"


class UnableToReach(db.Model):
    __table_args__ = (sa.Index("ix_unable_to_reach_reported_marked", "reported_on", "marked_on"),)
    """A member marked unable to reach once the outreach rule was met, to report back to the payer."""
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral.id"), index=True)
    marked_on: Mapped[date]
    marked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    attempts: Mapped[int]
    methods: Mapped[int]
    reported_on: Mapped[date | None]
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    member = relationship(Member)
    referral = relationship("Referral")
    marked_by = relationship("User", foreign_keys=[marked_by_id])


# Consent ------------------------------------------------------------------------------------------

def current_consent(member: Member) -> Consent | None:
    return once_per_request(("consent", member.id), lambda: db.session.scalar(_LATEST_CONSENT,
                                                                              {"member_id": member.id}))


# Asked on every page of a member's record: built once, the member's id bound when it runs.
_LATEST_CONSENT = (sa.select(Consent).where(Consent.member_id == sa.bindparam("member_id"))
                   .order_by(Consent.given_on.desc(), Consent.id.desc()).limit(1))


def consent_status(member: Member, on: date | None = None) -> tuple[str, Consent | None]:
    """('valid' | 'expired' | 'withdrawn' | 'future' | 'none', the consent it is about)."""
    consent = current_consent(member)
    return (consent.status(on), consent) if consent else ("none", None)


def has_valid_consent(member: Member, on: date | None = None) -> bool:
    """True when the member's consent to share information holds on that day (default today)."""
    return consent_status(member, on)[0] == "valid"


# Message templates --------------------------------------------------------------------------------

def template_problems(text: str) -> list[str]:
    """Placeholders the text uses that do not exist, as written ('{name}'), or '{' for a brace left open."""
    problems = []
    try:
        for _literal, name, spec, conversion in string.Formatter().parse(text or ""):
            if name is not None and (name not in PLACEHOLDERS or spec or conversion):
                problems.append("{%s}" % name)
    except ValueError:
        problems.append("{")
    return problems


def fill_template(text: str, values: dict) -> str:
    """The text with its placeholders filled; an empty value leaves an empty space, never an error."""
    if template_problems(text):
        return text or ""
    return (text or "").format_map({key: values.get(key) or "" for key in PLACEHOLDERS})
