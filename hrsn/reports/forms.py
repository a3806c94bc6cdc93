"""The forms of time, timesheets and billing, built from the shared fields."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from hrsn.forms import DayField, Form, MoneyField, RecordField, Text, VersionMixin, WholeField, choice
from hrsn.models import ROUNDING, TIME_ACTIVITIES

PERIODS = {"week": _l("A week (Monday to Sunday)"), "month": _l("A month")}


class TimeEntryForm(VersionMixin, Form):
    day = DayField(_l("Day"), validators=[InputRequired(_l("Enter the day the time was spent."))])
    minutes = WholeField(_l("Minutes"), 1, 1440, _l("Enter the minutes as a whole number from 1 to 1440."))
    activity = choice(_l("Activity"), TIME_ACTIVITIES, _l("Choose an activity from the list."), "tenancy")
    member_id = RecordField(_l("Member (optional)"), _l("Choose a member from your caseload, or none."), required=False)
    payer_id = RecordField(_l("Payer (optional: the member's payer when left empty)"),
                           _l("Choose a payer from the list, or none."), required=False)
    note = StringField(_l("Note (optional)"), validators=[Text(500)])

    def validate_minutes(self, field):
        if field.number is None:
            from wtforms.validators import ValidationError
            raise ValidationError(_l("Enter the minutes as a whole number from 1 to 1440."))


class SubmitForm(VersionMixin, Form):
    """Submitting a week (the version of its timesheet, when it had one)."""


class UnlockForm(VersionMixin, Form):
    reason = TextAreaField(_l("Why it is reopened"), validators=[DataRequired(_l("Say why the week is reopened.")),
                                                                 Text(1000)])


class PayerBillingForm(VersionMixin, Form):
    minutes_per_unit = WholeField(_l("Minutes per unit"), 1, 480, _l("Enter a whole number of minutes from 1 to 480."))
    rounding = choice(_l("Rounding of a day's minutes"), ROUNDING, _l("Choose a rounding rule from the list."),
                      "nearest", radio=True)
    rate = MoneyField(_l("Rate per unit"), 100_000_00)

    def validate_minutes_per_unit(self, field):
        if field.number is None:
            from wtforms.validators import ValidationError
            raise ValidationError(_l("Enter a whole number of minutes from 1 to 480."))


class BillingForm(Form):
    """The export's payer and period, read from the query string (a download, not a change)."""
    class Meta:
        csrf = False

    payer_id = RecordField(_l("Payer"), _l("Choose a payer from the list."))
    period = choice(_l("Period"), PERIODS, _l("Choose a week or a month."), "month", radio=True)
    start = DayField(_l("A day in the period"), validators=[InputRequired(_l("Enter a day in the period."))])
