"""Forms of the case step, built from hrsn/forms.py's fields: a case, its moves, a service request and the
payer's decision, a check request, a payment's next step, notes and contacts, and the admin's lists."""
from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from hrsn.forms import (Form, DayField, MoneyField, MultiCheckboxField, RecordField, Text, VersionMixin, WholeField, choice,
                        clean_text, parse_money)
from hrsn.models import ACTIVITIES, AUTH_UNITS, CASE_STATUSES, CONTACT_METHODS, LIMIT_UNITS, PARTY_OUTCOMES, local_today

MONEY_MAX = 10_000_000_00          # $10,000,000: far above any one case
DECISIONS = {"authorized": _l("Authorized"), "denied": _l("Denied"), "more_info": _l("More information requested"),
             "submitted": _l("Sent again with the information asked for")}


def not_future(form, field):
    if field.data and field.data > local_today():
        raise ValidationError(_("The date cannot be in the future."))


def parse_month(text) -> date:
    """"2027-04" (what a month field sends) or "04/2027" -> the month's first day; ValueError otherwise."""
    raw = clean_text(text)
    year, _sep, month = raw.partition("-") if "-" in raw else tuple(reversed(raw.partition("/")))
    if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit() and len(year) == 4):
        raise ValueError(raw)
    return date(int(year), int(month), 1)


def MonthField(label):
    """A month (the one a payment is for); the checked first day is left on the field as `field.month`."""
    def check(form, field):
        field.month = None
        if clean_text(field.data):
            try:
                field.month = parse_month(field.data)
            except ValueError:
                raise ValidationError(_("Enter a month like 2027-04."))
    return StringField(label, validators=[check], render_kw={"type": "month", "placeholder": "2027-04"})


class Prefixed:
    """The tab holds several forms at once: each one's fields carry its own prefix, so their ids never clash."""
    PREFIX = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


class CaseForm(VersionMixin, Form):
    service_type_id = RecordField(_l("Service"), _l("Choose a service from the list."))
    payer_id = RecordField(_l("Payer"), _l("Choose a payer from the list."))
    funding_source_id = RecordField(_l("Funding source for its payments"), _l("Choose a funding source from the list."))
    referral_id = RecordField(_l("Referral it answers"), _l("Choose a referral from the list."), required=False)
    monthly = MoneyField(_l("Rent or bill per month"), MONEY_MAX)
    asked_payer_on = DayField(_l("Asked the payer for a referral on the member's behalf on"),
                              validators=[Optional(), not_future])
    rules_explained_on = DayField(_l("Program rules explained to the member on"), validators=[Optional(), not_future])
    landlord_explained_on = DayField(_l("Program rules explained to the landlord on"),
                                     validators=[Optional(), not_future])


class CaseMoveForm(Prefixed, VersionMixin, Form):
    PREFIX = "move"
    to = choice(_l("New status"), CASE_STATUSES, _l("Choose a status from the list."))
    reason = StringField(_l("Why"), validators=[DataRequired(_l("Say why.")), Text(500)])


class RequestForm(Prefixed, Form):
    PREFIX = "request"
    submitted_on = DayField(_l("Sent to the payer on"), validators=[InputRequired(_l("Enter the day it was sent.")),
                                                                    not_future])
    sent_to = StringField(_l("Sent to"), validators=[Text(200)])
    sent_note = TextAreaField(_l("What was sent, in a few words"), validators=[Text(1000)])
    documents = MultiCheckboxField(_l("Files sent with it"), validate_choice=False)


class AuthorizationFields:
    """What an authorization carries, checked against its unit."""
    number = StringField(_l("Authorization number"), validators=[Text(60)])
    funding_source_id = RecordField(_l("Funding source"), _l("Choose a funding source from the list."), required=False)
    amount = MoneyField(_l("Amount authorized"), MONEY_MAX)
    unit = choice(_l("Counted in"), AUTH_UNITS, _l("Choose a unit from the list."), "months")
    quantity = WholeField(_l("How many (months, hours or sessions)"), 1, 1000,
                          _l("Enter a whole number from 1 to 1000."))
    start_on = DayField(_l("From"), validators=[Optional()])
    end_on = DayField(_l("To"), validators=[Optional()])

    def authorization_errors(self) -> None:
        needed = {"number": _("Enter the authorization number."), "start_on": _("Enter the first day it covers."),
                  "end_on": _("Enter the last day it covers."),
                  "funding_source_id": _("Choose a funding source from the list.")}
        for name, message in needed.items():
            field = getattr(self, name)
            if not clean_text(field.data) and not field.errors:
                field.errors = [*field.errors, message]
        if self.unit.data == "dollars" and self.amount.cents is None and not self.amount.errors:
            self.amount.errors = [_("Enter the amount authorized.")]
        if self.unit.data != "dollars" and self.quantity.number is None and not self.quantity.errors:
            self.quantity.errors = [_("Enter how many months, hours or sessions were authorized.")]
        if self.start_on.data and self.end_on.data and self.end_on.data < self.start_on.data:
            self.end_on.errors = [*self.end_on.errors, _("The last day must come after the first.")]


class DecisionForm(Prefixed, AuthorizationFields, VersionMixin, Form):
    PREFIX = "decision"
    decision = choice(_l("The payer's answer"), DECISIONS, _l("Choose the payer's answer."), "authorized", radio=True)
    decided_on = DayField(_l("Answered on"), validators=[InputRequired(_l("Enter the day of the answer.")), not_future])
    reason = TextAreaField(_l("Reason given"), validators=[Text(1000)])
    info_requested = TextAreaField(_l("Information asked for"), validators=[Text(1000)])
    info_due = DayField(_l("Due by"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data == "authorized":
            self.authorization_errors()
        elif self.decision.data == "denied" and not clean_text(self.reason.data):
            self.reason.errors = [_("Enter the reason the payer gave.")]
        elif self.decision.data == "more_info" and not clean_text(self.info_requested.data):
            self.info_requested.errors = [_("Say what information the payer asked for.")]
        return valid and not any(field.errors for field in self)


class PaymentForm(Prefixed, Form):
    PREFIX = "pay"
    payee_id = RecordField(_l("Pay to"), _l("Choose who is paid; link a landlord or utility on the Documents tab."))
    amount = MoneyField(_l("Amount"), MONEY_MAX)
    period = MonthField(_l("Month it pays"))
    bill = StringField(_l("Or the bill it pays"), validators=[Text(200)])
    memo = StringField(_l("Memo on the check"), validators=[Text(200)])
    funding_source_id = RecordField(_l("Funding source"), _l("Choose a funding source from the list."))
    authorization_id = RecordField(_l("Authorization"), _l("Choose an authorization from the list."), required=False)
    override_reason = TextAreaField(_l("Allow it past the limit because"), validators=[Text(1000)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.amount.cents in (None, 0):
            self.amount.errors = [_("Enter the amount, more than zero.")]
        if valid and self.period.month is None and not clean_text(self.bill.data):
            self.period.errors = [_("Say which month or which bill it pays.")]
        source = self.funding_source_id.record
        if valid and source is not None and source.needs_authorization and self.authorization_id.record is None:
            self.authorization_id.errors = [_("%(source)s needs an authorization: choose one.", source=source.name)]
        return valid and not any(field.errors for field in self)


class StepForm(VersionMixin, Form):
    """A payment's next step; which fields it needs is the step's own (STEP_NEEDS)."""
    day = DayField(_l("Date"), validators=[Optional(), not_future])
    number = StringField(_l("Number"), validators=[Text(40)])
    amount = MoneyField(_l("Amount reimbursed"), MONEY_MAX)
    note = StringField(_l("Reason"), validators=[Text(1000)])

    @property
    def number_text(self) -> str | None:
        return clean_text(self.number.data) or None

    def check(self, needs) -> bool:
        messages = {"day": _("Enter the date."), "number": _("Enter the number."),
                    "cents": _("Enter the amount reimbursed."), "note": _("Enter the reason.")}
        fields = {"day": self.day, "number": self.number, "cents": self.amount, "note": self.note}
        for need in needs:
            field = fields[need]
            empty = field.cents is None if need == "cents" else not clean_text(field.data)
            if empty and not field.errors:
                field.errors = [messages[need]]
        return not any(field.errors for field in fields.values())


class NoteForm(Prefixed, Form):
    PREFIX = "note"
    text = TextAreaField(_l("Note"), validators=[DataRequired(_l("Write the note.")), Text(5000)])


class PartyContactForm(Prefixed, Form):
    PREFIX = "party"
    third_party_id = RecordField(_l("With"), _l("Choose someone from the list."), required=False)
    partner = StringField(_l("Or a partner agency"), validators=[Text(200)])
    contact_on = DayField(_l("Date"), validators=[InputRequired(_l("Enter the date of the contact.")), not_future])
    method = choice(_l("Method"), CONTACT_METHODS, _l("Choose a method from the list."), "phone")
    minutes = WholeField(_l("Minutes spent"), 0, 600, _l("Enter the minutes spent, a whole number from 0 to 600."))
    activity = choice(_l("Activity"), ACTIVITIES, _l("Choose an activity from the list."), "navigation")
    outcome = choice(_l("Outcome"), PARTY_OUTCOMES, _l("Choose an outcome from the list."), "reached")
    note = TextAreaField(_l("Note"), validators=[Text(2000)])

    def validate_partner(self, field):
        if self.third_party_id.data in (None, "") and not clean_text(field.data):
            raise ValidationError(_("Choose a landlord or utility, or name the partner agency."))


class FundingSourceForm(VersionMixin, Form):
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter the name in English.")), Text(120)])
    name_es = StringField(_l("Name in Spanish"), validators=[DataRequired(_l("Enter the name in Spanish.")), Text(120)])
    needs_authorization = BooleanField(_l("Its payments need an authorization"))
    sort_order = WholeField(_l("Order in lists"), 0, 9999, _l("Enter a whole number from 0 to 9999."))
    active = BooleanField(_l("Active (offered on the Case tab)"), default=True)


class LimitForm(VersionMixin, Form):
    payer_id = RecordField(_l("Payer"), _l("Choose a payer from the list."))
    service_type_id = RecordField(_l("Service"), _l("Choose a service from the list."))
    funding_source_id = RecordField(_l("Funding source"), _l("Choose a funding source from the list."))
    unit = choice(_l("Counted in"), LIMIT_UNITS, _l("Choose a unit from the list."), "months")
    amount = StringField(_l("At most"), validators=[InputRequired(_l("Enter the limit."))],
                         render_kw={"inputmode": "decimal"})
    lookback_months = WholeField(_l("Within the last (months); empty for a lifetime"), 1, 1200,
                                 _l("Enter a whole number of months from 1 to 1200."))
    active = BooleanField(_l("Active"), default=True)

    def validate_amount(self, field):
        """Dollars for a limit in dollars (kept in cents), a whole number of months or payments otherwise."""
        self.amount_value = None
        text = clean_text(field.data)
        try:
            value = parse_money(text) if self.unit.data == "dollars" else int(text) if text.isascii() else None
        except ValueError:
            value = None
        if value is None or value <= 0 or value > MONEY_MAX:
            raise ValidationError(_("Enter an amount in dollars, more than zero.") if self.unit.data == "dollars"
                                  else _("Enter a whole number, more than zero."))
        self.amount_value = value
