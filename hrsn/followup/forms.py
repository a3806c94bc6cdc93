"""Forms of the follow-up step: a template, a check-in's reschedule, skip or completion (a contact logged as that
check-in), closing and reopening a member, an outcome reported back, a payer's deadlines and words."""
from datetime import datetime, timedelta

from flask_babel import gettext as _, lazy_gettext as _l, to_utc, to_user_timezone
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from hrsn.forms import (DayField, Form, MultiCheckboxField, Text, VersionMixin, WholeField, choice, clean_text)
from hrsn.models import (ACTIVITIES, CLOSING_REASONS, CONTACT_METHODS, COUNT_FROM, DIRECTIONS, OUTCOMES,
                         TEMPLATE_STYLES, utcnow)

REASON_MAX = 500
WHEN_FORMAT = "%Y-%m-%dT%H:%M"


def required_text(message):
    def check(form, field):
        if not clean_text(field.data):
            raise ValidationError(message)
    return check


class TemplateForm(VersionMixin, Form):
    style = choice(_l("Schedule"), TEMPLATE_STYLES, _l("Choose how the check-ins are spaced."), "fixed", radio=True)
    check_in_months = StringField(_l("Check-in months (fixed months only)"), validators=[Text(100)])
    closing_month = WholeField(_l("Closing month"), 0, 120,
                               _l("Enter the closing month, a whole number from 1 to 120."))
    count_from = choice(_l("Months counted from"), COUNT_FROM, _l("Choose where the months are counted from."),
                        "opened", radio=True)
    active = BooleanField(_l("New cases of this service get this schedule"), default=True)


class RescheduleForm(VersionMixin, Form):
    due_on = DayField(_l("New date"), validators=[InputRequired(_l("Enter the new date."))])
    reason = StringField(_l("Why it moves"), validators=[required_text(_l("Say why the check-in moves.")),
                                                          Text(REASON_MAX)])


class SkipForm(VersionMixin, Form):
    reason = StringField(_l("Why it is skipped"), validators=[required_text(_l("Say why the check-in is skipped.")),
                                                              Text(REASON_MAX)])


class CompleteForm(VersionMixin, Form):
    """The contact that completes a check-in: the Contact tab's fields, prefilled for a check-in."""
    at = StringField(_l("When"), render_kw={"type": "datetime-local"})
    method = choice(_l("Method"), CONTACT_METHODS, _l("Choose a method from the list."), "phone")
    direction = choice(_l("Direction"), DIRECTIONS, _l("Choose who made the contact."), "outbound", radio=True)
    outcome = choice(_l("Outcome"), OUTCOMES, _l("Choose an outcome from the list."), "reached")
    minutes = WholeField(_l("Minutes spent"), 0, 600, _l("Enter the minutes spent, a whole number from 0 to 600."))
    activity = choice(_l("Activity"), ACTIVITIES, _l("Choose an activity from the list."), "tenancy")
    note = TextAreaField(_l("What was said"), validators=[Text(2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.at_utc = None
        if not self.at.data:
            self.at.data = to_user_timezone(utcnow()).strftime(WHEN_FORMAT)

    def validate_at(self, field):
        try:
            moment = to_utc(datetime.strptime(str(field.data or "").strip()[:16], WHEN_FORMAT))
        except (ValueError, OverflowError):
            raise ValidationError(_("Enter the date and time of the contact."))
        if moment > utcnow() + timedelta(minutes=5):
            raise ValidationError(_("A contact cannot be in the future."))
        self.at_utc = moment

    def validate_outcome(self, field):
        if field.data not in ("reached", "declined"):
            raise ValidationError(_("A check-in is done only when the member was reached; log an attempt that did "
                                    "not reach them on the Contact tab."))


class CloseForm(VersionMixin, Form):
    reason = choice(_l("Reason for closing"), CLOSING_REASONS, _l("Choose the reason for closing."))
    summary = TextAreaField(_l("Summary"), validators=[required_text(_l("Write a short summary of the episode.")),
                                                       Text(2000)])
    closed_on = DayField(_l("Closing date"), validators=[InputRequired(_l("Enter the closing date."))])
    carry = MultiCheckboxField(_l("Carry these into the closed record, still open"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [("", _("Choose…"))] + list(CLOSING_REASONS.items())


class ReopenForm(VersionMixin, Form):
    reason = TextAreaField(_l("Why the member's record is reopened"),
                           validators=[required_text(_l("Say why the record is reopened.")), Text(1000)])


class ReportedForm(VersionMixin, Form):
    reported_on = DayField(_l("Reported to the payer on"), validators=[InputRequired(_l("Enter the date reported."))])


class DeadlineForm(VersionMixin, Form):
    first_contact_days = WholeField(_l("Days allowed for the first contact"), 1, 365,
                                    _l("Enter a whole number of days from 1 to 365."))
    outreach_days = WholeField(_l("Days allowed for the whole outreach window"), 1, 365,
                               _l("Enter a whole number of days from 1 to 365."))

    def validate_outreach_days(self, field):
        first, window = self.first_contact_days.number, field.number
        if first is None or window is None:
            raise ValidationError(_("Enter both numbers of days."))
        if window < first:
            raise ValidationError(_("The outreach window cannot end before the first contact is due."))
