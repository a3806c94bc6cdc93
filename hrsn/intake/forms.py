"""The intake form: who the member is and what the referral asks for, each field checked on the server."""
import re
from datetime import timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from hrsn import settings
from hrsn.extensions import db
from hrsn.forms import (Form, DayField, MoneyField, MultiCheckboxField, Text, VersionMixin, WholeField, check_email,
                        check_name, check_phone, choice, clean_or_none, clean_text)
from hrsn.intake.rules import asked_fields
from hrsn.models import LANGUAGES, Member, Payer, ServiceType, local_today
from hrsn.models.intake import REACH_METHODS, SOURCES

NEEDS_MAX = 2000
HOUSEHOLD_MAX = 20
INCOME_MAX_CENTS = 50_000_00       # a month; more is a typing mistake for these programs
RENT_MAX_CENTS = 20_000_00
OWED_MAX_CENTS = 100_000_00
RENT_MONTHS_MAX = 36


def medicaid_pattern(payer) -> str:
    return (payer.medicaid_id_pattern if payer is not None and payer.medicaid_id_pattern
            else settings.get("medicaid_id_pattern"))


class MemberForm(VersionMixin, Form):
    """Who the member is: the first half of the intake, and the member's details when corrected."""
    first_name = StringField(_l("First name"), validators=[InputRequired(_l("Enter the member's first name.")),
                                                           Text(100), check_name])
    last_name = StringField(_l("Last name"), validators=[InputRequired(_l("Enter the member's last name.")),
                                                         Text(100), check_name])
    dob = DayField(_l("Date of birth"), validators=[InputRequired(_l("Enter the date of birth."))])
    medicaid_id = StringField(_l("Medicaid ID"), validators=[Text(20)])
    phone = StringField(_l("Phone"), validators=[check_phone], render_kw={"type": "tel", "autocomplete": "off"})
    email = StringField(_l("Email"), validators=[Text(254), check_email],
                        render_kw={"type": "email", "autocomplete": "off"})
    address = StringField(_l("Street address"), validators=[Text(200)])
    city = StringField(_l("City"), validators=[Text(80)])
    state = StringField(_l("State"), default="OR", validators=[Text(2)])
    postal_code = StringField(_l("ZIP code"), render_kw={"inputmode": "numeric"})
    preferred_language = choice(_l("Preferred language"), LANGUAGES, _l("Choose a language from the list."), "en")
    interpreter_needed = BooleanField(_l("Needs an interpreter"))
    best_way_to_reach = SelectField(_l("Best way to reach"), validate_choice=False)
    best_time_to_reach = StringField(_l("Best time to reach"), validators=[Text(100)])
    household_size = WholeField(_l("Household size"), 1, HOUSEHOLD_MAX,
                                _l("Enter the number of people in the household, from 1 to %(n)d.", n=HOUSEHOLD_MAX))
    monthly_income = MoneyField(_l("Monthly household income ($)"), INCOME_MAX_CENTS)

    def __init__(self, *args, payer=None, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.payer_for_id = payer
        self.member = member          # the member being corrected (None for a new one)
        self.best_way_to_reach.choices = [("", _("Not known"))] + list(REACH_METHODS.items())

    def validate_dob(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("The date of birth cannot be in the future."))
        if field.data and field.data.year < 1900:
            raise ValidationError(_("Check the year: the date of birth is before 1900."))

    def validate_medicaid_id(self, field):
        field.data = re.sub(r"\s+", "", clean_text(field.data)).upper()
        if not field.data:
            return
        payer = self.payer_for_id() if callable(self.payer_for_id) else self.payer_for_id
        try:
            fits = re.fullmatch(medicaid_pattern(payer), field.data) is not None
        except re.error:
            fits = True    # an admin's broken pattern must not block intake; the payers page refuses those
        if not fits:
            raise ValidationError(_("This Medicaid ID does not look right for this payer: expected letters and "
                                    "digits, like OR12345678."))
        other = db.session.scalar(db.select(Member).where(Member.medicaid_id == field.data))
        if other is not None and (self.member is None or other.id != self.member.id):
            self.existing_member = other
            raise ValidationError(_("A member with this Medicaid ID is already on file. Add the referral to "
                                    "that member instead."))

    def validate_state(self, field):
        field.data = clean_text(field.data).upper()
        if field.data and not re.fullmatch(r"[A-Z]{2}", field.data):
            raise ValidationError(_("Use the two-letter state code, like OR."))

    def validate_postal_code(self, field):
        field.data = clean_text(field.data)
        if field.data and not re.fullmatch(r"\d{5}(-\d{4})?", field.data):
            raise ValidationError(_("Enter a 5-digit ZIP code, like 97301."))

    def validate_best_way_to_reach(self, field):
        if field.data and field.data not in REACH_METHODS:
            raise ValidationError(_("Choose a way to reach from the list."))

    def apply_to(self, member) -> None:
        """Copy the checked values onto a member."""
        member.set_name(self.first_name.data, self.last_name.data)
        member.dob = self.dob.data
        member.medicaid_id = self.medicaid_id.data or None
        for name in ("phone", "email", "address", "city", "state", "postal_code", "best_time_to_reach"):
            setattr(member, name, clean_or_none(getattr(self, name).data))
        member.preferred_language = self.preferred_language.data
        member.interpreter_needed = bool(self.interpreter_needed.data)
        member.best_way_to_reach = self.best_way_to_reach.data or None
        member.household_size = self.household_size.number
        member.monthly_income_cents = self.monthly_income.cents


class ReferralForm(Form):
    """What the referral asks for: the second half of the intake."""
    received_on = DayField(_l("Date received"), validators=[InputRequired(_l("Enter the date the referral was received."))])
    source = choice(_l("Source"), SOURCES, _l("Choose a source from the list."), "platform")
    payer_id = SelectField(_l("Payer"), validate_choice=False)
    external_id = StringField(_l("Referral ID from the payer or platform"), validators=[Text(64)])
    services = MultiCheckboxField(_l("Services requested"), validate_choice=False)
    rent_months_owed = WholeField(_l("Months of rent owed"), 0, RENT_MONTHS_MAX,
                                  _l("Enter the months of rent owed, a whole number from 0 to %(n)d.", n=RENT_MONTHS_MAX))
    rent_per_month = MoneyField(_l("Rent per month ($)"), RENT_MAX_CENTS)
    utility_owed = MoneyField(_l("Utility amount owed ($)"), OWED_MAX_CENTS)
    notice_date = DayField(_l("Eviction or shut-off notice date"), validators=[Optional()])
    current_needs = TextAreaField(_l("Current needs"), validators=[Text(NEEDS_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        payers = db.session.scalars(db.select(Payer).where(Payer.active).order_by(Payer.name)).all()
        self.payer_id.choices = [("", _("None or not known"))] + [(str(p.id), p.name) for p in payers]
        self.service_types = db.session.scalars(db.select(ServiceType).where(ServiceType.active)
                                                .order_by(ServiceType.sort_order, ServiceType.id)).all()
        self.services.choices = [(s.code, s.name) for s in self.service_types]

    @property
    def chosen(self) -> list[ServiceType]:
        codes = set(self.services.data or ())
        return [s for s in self.service_types if s.code in codes]

    @property
    def asked(self) -> dict:
        return asked_fields(self.chosen)

    def payer(self):
        raw = str(self.payer_id.data or "")
        return db.session.get(Payer, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None

    def validate_received_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("The date received cannot be in the future."))
        if field.data and field.data < local_today() - timedelta(days=365 * 5):
            raise ValidationError(_("Check the year: the referral would be more than five years old."))

    def validate_payer_id(self, field):
        if field.data and self.payer() is None:
            raise ValidationError(_("Choose a payer from the list."))

    def validate_services(self, field):
        known = {code for code, _label in self.services.choices}
        if not field.data:
            raise ValidationError(_("Choose at least one service."))
        if not set(field.data) <= known:
            raise ValidationError(_("Choose services from the list."))

    def validate_notice_date(self, field):
        if field.data and abs((field.data - local_today()).days) > 366:
            raise ValidationError(_("Check the year: the notice date is more than a year away from today."))

    def validate_current_needs(self, field):
        field.data = clean_text(field.data)

    def apply_to(self, referral) -> None:
        asked = self.asked
        referral.received_on = self.received_on.data
        referral.source = self.source.data
        referral.payer = self.payer()
        referral.external_id = clean_or_none(self.external_id.data)
        referral.services = self.chosen
        referral.rent_months_owed = self.rent_months_owed.number if asked["show_rent"] else None
        referral.rent_per_month_cents = self.rent_per_month.cents if asked["show_rent"] else None
        referral.utility_owed_cents = self.utility_owed.cents if asked["show_utility"] else None
        referral.notice_date = self.notice_date.data if asked["show_notice"] else None
        referral.current_needs = self.current_needs.data or None


class IntakeForm(MemberForm, ReferralForm):
    """A new member and their first referral, on one screen."""
    assign_to_me = BooleanField(_l("Assign this member to me"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, payer=lambda: self.payer(), **kwargs)


class AttachForm(VersionMixin, ReferralForm):
    """A new referral for a member already on file, or the correction of one (then with its version)."""
