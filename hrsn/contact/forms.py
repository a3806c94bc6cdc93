"""Forms of the contact step: a contact, severity, consent and its withdrawal, a message template."""
from datetime import datetime, timedelta

from flask_babel import format_date, gettext as _, lazy_gettext as _l, to_utc, to_user_timezone
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from hrsn.forms import Form, DayField, Text, VersionMixin, choice
from hrsn.models import (ACTIVITIES, CONSENT_FORMS, CONTACT_METHODS, DIRECTIONS, HOUSING_URGENCY,
                         OUTCOMES, PLACEHOLDERS, local_today, template_problems, utcnow)

NOTE_MAX = 2000
MINUTES_MAX = 600
WHEN_FORMAT = "%Y-%m-%dT%H:%M"


def local_now_text() -> str:
    return to_user_timezone(utcnow()).strftime(WHEN_FORMAT)


class ContactForm(VersionMixin, Form):
    at = StringField(_l("When"), render_kw={"type": "datetime-local"})
    method = choice(_l("Method"), CONTACT_METHODS, _l("Choose a method from the list."), "phone")
    direction = choice(_l("Direction"), DIRECTIONS, _l("Choose who made the contact."), "outbound", radio=True)
    outcome = choice(_l("Outcome"), OUTCOMES, _l("Choose an outcome from the list."))
    minutes = StringField(_l("Minutes spent"), render_kw={"inputmode": "numeric"})
    activity = choice(_l("Activity"), ACTIVITIES, _l("Choose an activity from the list."), "outreach")
    interpreter_used = BooleanField(_l("An interpreter was used"))
    interpreter_language = StringField(_l("Interpreter's language"), validators=[Text(40)])
    note = TextAreaField(_l("Note"), validators=[Text(NOTE_MAX)])
    message_subject = StringField(_l("Subject"), validators=[Text(200)])
    message_text = TextAreaField(_l("Message sent"), validators=[Text(5000)])

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.at_utc = None
        self.minutes_value = None
        self.outcome.choices = [("", _("Choose…"))] + list(OUTCOMES.items())

    def validate_at(self, field):
        try:
            local = datetime.strptime(str(field.data or "").strip()[:16], WHEN_FORMAT)
            moment = to_utc(local)
        except (ValueError, OverflowError):
            raise ValidationError(_("Enter the date and time of the contact."))
        if moment > utcnow() + timedelta(minutes=5):
            raise ValidationError(_("A contact cannot be in the future."))
        referral = self.member.latest_referral if self.member else None
        if referral and local.date() < referral.received_on:
            raise ValidationError(_("A contact cannot be before the referral was received (%(day)s).",
                                    day=format_date(referral.received_on)))
        self.at_utc = moment

    def validate_minutes(self, field):
        raw = str(field.data if field.data is not None else "").strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MINUTES_MAX:
            raise ValidationError(_("Enter the minutes spent, a whole number from 0 to %(n)d.", n=MINUTES_MAX))
        self.minutes_value = int(raw)

    def validate_interpreter_language(self, field):
        if self.interpreter_used.data and not (field.data or "").strip():
            raise ValidationError(_("Say which language the interpreter spoke."))


class SeverityForm(Form):
    housing_urgency = choice(_l("How urgent is the housing situation?"), HOUSING_URGENCY,
                             _l("Choose how urgent the housing situation is."), radio=True)
    safety_concern = BooleanField(_l("There are safety concerns (violence, unsafe home, health risk)"))
    safety_note = TextAreaField(_l("Safety concerns, in a few words"), validators=[Text(1000)])
    language_needs = StringField(_l("Language needs"), validators=[Text(200)])
    other_remarks = TextAreaField(_l("Other remarks"), validators=[Text(1000)])

    def validate_safety_note(self, field):
        if self.safety_concern.data and not (field.data or "").strip():
            raise ValidationError(_("Describe the safety concerns in a few words."))


class ConsentForm(Form):
    given_on = DayField(_l("Date given"), validators=[InputRequired(_l("Enter the date the consent was given."))])
    form = choice(_l("How it was given"), CONSENT_FORMS, _l("Choose verbal or signed."), "verbal", radio=True)
    scope = TextAreaField(_l("Scope: which organizations and for what purpose"),
                          validators=[DataRequired(_l("Say with whom information may be shared and why.")),
                                      Text(1000)])
    expires_on = DayField(_l("Expires on"), validators=[Optional()])

    def validate_given_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("The date cannot be in the future."))

    def validate_expires_on(self, field):
        if field.data and self.given_on.data and field.data <= self.given_on.data:
            raise ValidationError(_("The expiry date must come after the date given."))


class WithdrawForm(VersionMixin, Form):
    withdrawn_on = DayField(_l("Date withdrawn"), validators=[InputRequired(_l("Enter the date the consent was withdrawn."))])
    withdrawn_note = TextAreaField(_l("What the member said"), validators=[Text(500)])

    def __init__(self, *args, consent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent

    def validate_withdrawn_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("The date cannot be in the future."))
        if field.data and self.consent and field.data < self.consent.given_on:
            raise ValidationError(_("The date cannot be before the consent was given."))


def placeholders_known(form, field):
    unknown = template_problems(field.data)
    if unknown:
        names = ", ".join(unknown)
        raise ValidationError(_("Unknown placeholder: %(names)s. Use only: %(known)s.", names=names,
                                known=", ".join("{%s}" % key for key in PLACEHOLDERS)))


class TemplateForm(VersionMixin, Form):
    subject = StringField(_l("Subject"), validators=[Text(200), placeholders_known])
    body = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write the message.")),
                                                   Text(2000),
                                                   placeholders_known])
