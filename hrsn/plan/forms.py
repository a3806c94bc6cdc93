"""Forms of the plan step, built from hrsn/forms.py's fields: a need, a goal and its progress, a referral out and
its moves, supports, preferences, benefits, barriers and care-team meetings."""
from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from hrsn.forms import (Form, DayField, MultiCheckboxField, RecordField, Text, VersionMixin, check_name, choice,
                        clean_text)
from hrsn.models import (BARRIER_KINDS, BENEFIT_PROGRAMS, CONFIRMED_HOW, GOAL_STATUSES, NEED_DOMAINS, NEED_SOURCES,
                         NEED_STATUSES, OUT_STATUSES, REFERRAL_METHODS, SUPPORT_ROLES, local_today)

PRIORITIES = {"1": _l("High"), "2": _l("Medium"), "3": _l("Low")}
HELPED = {"": _l("Not asked yet"), "yes": _l("Yes, it helped"), "no": _l("No, it did not help")}
COPY_GIVEN = {"in_person": _l("Given in person"), "mail": _l("Mailed"), "email": _l("Emailed")}
# A need is added by hand from a conversation or at intake; screenings and check-ins add their own.
HAND_SOURCES = {key: label for key, label in NEED_SOURCES.items() if key in ("conversation", "intake")}


def not_future(form, field):
    if field.data and field.data > local_today():
        raise ValidationError(_("The date cannot be in the future."))


class Prefixed:
    PREFIX = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


class NeedForm(VersionMixin, Form):
    domain = choice(_l("Need"), NEED_DOMAINS, _l("Choose a need from the list."))
    description = TextAreaField(_l("In a few words"), validators=[Text(2000)])
    priority = choice(_l("Priority"), PRIORITIES, _l("Choose a priority from the list."), default="2")
    status = choice(_l("Status"), NEED_STATUSES, _l("Choose a status from the list."), default="identified")
    source = choice(_l("Where it came from"), NEED_SOURCES, _l("Choose where the need came from."),
                    default="conversation")
    staff_note = TextAreaField(_l("Staff note (never on the member's copy)"), validators=[Text(2000)])

    def offer_sources(self, kept: str | None = None) -> None:
        """By hand: a conversation or intake; a need that came from a screening or a check-in keeps its source."""
        self.source.choices = list(HAND_SOURCES.items()) + ([(kept, NEED_SOURCES[kept])] if kept and kept not in
                                                             HAND_SOURCES else [])

    def validate_source(self, field):
        if field.data not in dict(field.choices):
            raise ValidationError(_("Choose where the need came from."))


class GoalForm(VersionMixin, Form):
    text = TextAreaField(_l("The goal, in the member's own words"),
                         validators=[DataRequired(_l("Write the goal as the member says it.")), Text(2000)])
    needs = MultiCheckboxField(_l("Needs it addresses"), validate_choice=False)
    target_on = DayField(_l("Target date"), validators=[Optional()])
    status = choice(_l("Status"), GOAL_STATUSES, _l("Choose a status from the list."), default="active")

    def validate_needs(self, field):
        offered = {key for key, _label in field.choices or ()}
        if any(value not in offered for value in field.data or ()):
            raise ValidationError(_("Choose needs from the list."))


class ProgressForm(Prefixed, Form):
    PREFIX = "progress"
    text = TextAreaField(_l("How it is going"), validators=[DataRequired(_l("Write the progress note.")), Text(2000)])


class ReferralOutForm(VersionMixin, Form):
    made_on = DayField(_l("Referred on"), validators=[InputRequired(_l("Enter the day the referral was made.")),
                                                      not_future])
    organization_name = StringField(_l("Organization"), validators=[
        DataRequired(_l("Name the organization.")), Text(200)])
    service_name = StringField(_l("Service"), validators=[Text(200)])
    need_id = RecordField(_l("Need it addresses"), _l("Choose a need from the list."), required=False)
    method = choice(_l("How it was made"), REFERRAL_METHODS, _l("Choose how the referral was made."),
                    default="phone")
    owner_id = RecordField(_l("Who follows it up"), _l("Choose a person from the list."), required=False)
    consent_checked = BooleanField(_l("I checked that the member's consent covers this organization"))
    consent_warned = BooleanField(_l("The consent does not cover it: I told the member, and the member chose to "
                                     "go ahead"))
    shared_info = TextAreaField(_l("Information and documents sent to the organization"), validators=[Text(2000)])
    expected_start_on = DayField(_l("Expected start"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Text(100)])
    address = TextAreaField(_l("Address"), validators=[Text(500)])
    hours = TextAreaField(_l("Hours"), validators=[Text(500)])
    how_to_apply = TextAreaField(_l("How to apply"), validators=[Text(2000)])
    what_to_bring = TextAreaField(_l("What to bring"), validators=[Text(2000)])
    wait = StringField(_l("Expected wait"), validators=[Text(200)])
    cost = StringField(_l("Cost"), validators=[Text(500)])
    barriers = MultiCheckboxField(_l("What may get in the way"), choices=list(BARRIER_KINDS.items()),
                                  validate_choice=False)
    feedback_helped = choice(_l("Did it help? (the member's word)"), HELPED, _l("Choose an answer from the list."),
                             default="")
    feedback_tip = TextAreaField(_l("What to tell the next member"), validators=[Text(2000)])
    staff_note = TextAreaField(_l("Staff note (never on the member's copy)"), validators=[Text(2000)])

    consent_problem = ""        # set by the view: the warning to give when consent does not cover the referral

    def validate_consent_warned(self, field):
        if self.consent_problem and not field.data:
            raise ValidationError(_("%(warning)s Tell the member, then tick this box to make the referral anyway.",
                                    warning=self.consent_problem))

    def validate_barriers(self, field):
        if any(value not in BARRIER_KINDS for value in field.data or ()):
            raise ValidationError(_("Choose from the list."))


class MoveForm(Prefixed, VersionMixin, Form):
    """A referral out's next status, with what that status records."""
    PREFIX = "move"
    to = choice(_l("New status"), OUT_STATUSES, _l("Choose a status from the list."))
    on = DayField(_l("On"), validators=[InputRequired(_l("Enter the day it happened.")), not_future])
    expected_start_on = DayField(_l("Expected start"), validators=[Optional()])
    delivered_what = MultiCheckboxField(_l("What was delivered"), validate_choice=False)
    delivered_note = TextAreaField(_l("What was delivered, in a few words"), validators=[Text(2000)])
    confirmed_on = DayField(_l("Outcome confirmed on"), validators=[Optional(), not_future])
    confirmed_how = choice(_l("Confirmed by"), {"": _l("Not confirmed yet"), **CONFIRMED_HOW},
                           _l("Choose from the list."), default="")
    reason = TextAreaField(_l("Reason"), validators=[Text(2000)])

    def validate_delivered_what(self, field):
        offered = {key for key, _label in field.choices or ()}
        if any(value not in offered for value in field.data or ()):
            raise ValidationError(_("Choose from the list."))


class SupportForm(VersionMixin, Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Text(200), check_name])
    role = choice(_l("Role"), SUPPORT_ROLES, _l("Choose a role from the list."), default="support")
    relation = StringField(_l("Relationship to the member or organization"), validators=[Text(200)])
    contact = StringField(_l("Phone or email"), validators=[Text(200)])
    sharing_allowed = BooleanField(_l("The member allows sharing information with this person"))


class PreferencesForm(VersionMixin, Form):
    contact_how = StringField(_l("How to contact the member"), validators=[Text(500)])
    contact_when = StringField(_l("When to contact the member"), validators=[Text(500)])
    language = StringField(_l("Language and interpreter"), validators=[Text(200)])
    what_matters = TextAreaField(_l("What matters most to the member"), validators=[Text(2000)])
    where_to_find = TextAreaField(_l("Where to find the member if contact is lost (staff only)"),
                                  validators=[Text(2000)])


class BenefitForm(Prefixed, Form):
    PREFIX = "benefit"
    program = choice(_l("Program"), BENEFIT_PROGRAMS, _l("Choose a program from the list."))
    detail = StringField(_l("Details"), validators=[Text(500)])
    since_on = DayField(_l("Since"), validators=[Optional(), not_future])


class BarrierForm(Prefixed, Form):
    PREFIX = "barrier"
    kind = choice(_l("Barrier"), BARRIER_KINDS, _l("Choose a barrier from the list."))
    note = StringField(_l("Details"), validators=[Text(1000)])


class MeetingForm(Prefixed, Form):
    PREFIX = "meeting"
    held_on = DayField(_l("Held on"), validators=[InputRequired(_l("Enter the day of the meeting.")), not_future])
    attendees = TextAreaField(_l("Who attended (partners included)"),
                              validators=[DataRequired(_l("Say who attended.")), Text(2000)])
    decisions = TextAreaField(_l("Decisions"), validators=[Text(5000)])


class StaffForm(Prefixed, Form):
    PREFIX = "staff"
    user_id = RecordField(_l("Staff member"), _l("Choose a person from the list."))
    role = StringField(_l("Their part (e.g. housing navigator)"), validators=[Text(100)])


class CopyContactForm(Prefixed, Form):
    PREFIX = "copy"
    how = choice(_l("How the copy reached the member"), COPY_GIVEN, _l("Choose from the list."))


class ReviewForm(Prefixed, VersionMixin, Form):
    PREFIX = "review"
    next_check_in_on = DayField(_l("Next check-in"), validators=[Optional()])


def text_or_none(field) -> str | None:
    return clean_text(field.data) or None
