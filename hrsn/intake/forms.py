"""The intake form: who the member is and what the referral asks for, each field checked on the server."""
import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from hrsn import settings
from hrsn.admin import MultiCheckboxField
from hrsn.contact.forms import DayField, choice
from hrsn.extensions import db
from hrsn.models import LANGUAGES, Payer, ServiceType, local_today
from hrsn.models.intake import REACH_METHODS, SOURCES

NEEDS_MAX = 2000
HOUSEHOLD_MAX = 20
INCOME_MAX_CENTS = 50_000_00       # a month; more is a typing mistake for these programs
RENT_MAX_CENTS = 20_000_00
OWED_MAX_CENTS = 100_000_00
RENT_MONTHS_MAX = 36
NAME_EXTRA = set(" '’-.")          # besides letters and combining marks
MAX_LEN = _l("Use at most %(max)d characters.")

# Which referral fields apply to which requested services (the form shows only those).
RENT_SERVICES = {"rent"}
UTILITY_SERVICES = {"utility"}
NOTICE_SERVICES = {"rent", "utility"}


def clean_text(value) -> str:
    """Strip and drop control characters (a pasted NUL or escape code is never meant)."""
    text = str(value or "")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def check_name(form, field):
    text = clean_text(field.data)
    field.data = " ".join(text.split())
    if not field.data:
        return
    if not any(unicodedata.category(ch).startswith("L") for ch in field.data):
        raise ValidationError(_("A name needs at least one letter."))
    for ch in field.data:
        if not (unicodedata.category(ch)[0] in "LM" or ch in NAME_EXTRA):
            raise ValidationError(_("A name can hold letters, spaces, apostrophes, hyphens and periods only."))


def parse_money(raw) -> int | None:
    """Dollars typed as '1,200.50' or '$1200' -> cents; None when empty; ValueError when not money."""
    text = clean_text(raw).replace(",", "").replace("$", "").replace(" ", "")
    if not text:
        return None
    if not re.fullmatch(r"-?\d{1,9}(\.\d{1,2})?", text):
        raise ValueError(text)
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation as exc:   # pragma: no cover - the pattern above already refuses these
        raise ValueError(text) from exc


def MoneyField(label, maximum_cents):
    def check(form, field):
        try:
            cents = parse_money(field.data)
        except ValueError:
            raise ValidationError(_("Enter an amount in dollars, like 1250 or 1,250.50."))
        if cents is not None and cents < 0:
            raise ValidationError(_("The amount cannot be negative."))
        if cents is not None and cents > maximum_cents:
            raise ValidationError(_("That amount is too large; the most accepted is %(amount)s.",
                                    amount=f"${maximum_cents // 100:,}"))
        field.cents = cents
    return StringField(label, validators=[check], render_kw={"inputmode": "decimal"})


def WholeField(label, minimum, maximum, message):
    def check(form, field):
        text = clean_text(field.data)
        field.number = None
        if not text:
            return
        if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
            raise ValidationError(message)
        field.number = int(text)
    return StringField(label, validators=[check], render_kw={"inputmode": "numeric"})


def format_phone(raw: str) -> str:
    """A US phone number as (503) 555-0123; raises ValueError when it cannot be one."""
    text = clean_text(raw)
    if re.search(r"[^\d\s().+\-]", text):
        raise ValueError(text)
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        raise ValueError(text)
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def check_phone(form, field):
    """An optional phone number, written the one way when it can be right."""
    if clean_text(field.data):
        try:
            field.data = format_phone(field.data)
        except ValueError:
            raise ValidationError(_("Enter a 10-digit phone number, like (503) 555-0123."))


def check_email(form, field):
    """An optional email address, normalized when it can be right."""
    text = clean_text(field.data)
    if not text:
        return
    try:
        field.data = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_("Enter an email address like name@example.org."))


def medicaid_pattern(payer) -> str:
    return (payer.medicaid_id_pattern if payer is not None and payer.medicaid_id_pattern
            else settings.get("medicaid_id_pattern"))


class MemberForm(FlaskForm):
    """Who the member is: the first half of the intake, and the member's details when corrected."""
    first_name = StringField(_l("First name"), validators=[InputRequired(_l("Enter the member's first name.")),
                                                           Length(max=100, message=MAX_LEN), check_name])
    last_name = StringField(_l("Last name"), validators=[InputRequired(_l("Enter the member's last name.")),
                                                         Length(max=100, message=MAX_LEN), check_name])
    dob = DayField(_l("Date of birth"), validators=[InputRequired(_l("Enter the date of birth."))])
    medicaid_id = StringField(_l("Medicaid ID"), validators=[Length(max=20, message=MAX_LEN)])
    phone = StringField(_l("Phone"), validators=[check_phone], render_kw={"type": "tel", "autocomplete": "off"})
    email = StringField(_l("Email"), validators=[Length(max=254, message=MAX_LEN), check_email],
                        render_kw={"type": "email", "autocomplete": "off"})
    address = StringField(_l("Street address"), validators=[Length(max=200, message=MAX_LEN)])
    city = StringField(_l("City"), validators=[Length(max=80, message=MAX_LEN)])
    state = StringField(_l("State"), default="OR", validators=[Length(max=2, message=MAX_LEN)])
    postal_code = StringField(_l("ZIP code"), render_kw={"inputmode": "numeric"})
    preferred_language = choice(_l("Preferred language"), LANGUAGES, _l("Choose a language from the list."), "en")
    interpreter_needed = BooleanField(_l("Needs an interpreter"))
    best_way_to_reach = SelectField(_l("Best way to reach"), validate_choice=False)
    best_time_to_reach = StringField(_l("Best time to reach"), validators=[Length(max=100, message=MAX_LEN)])
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
        pattern = medicaid_pattern(payer)
        try:
            fits = re.fullmatch(pattern, field.data) is not None
        except re.error:
            fits = True    # an admin's broken pattern must not block intake; the payers page refuses those
        if not fits:
            raise ValidationError(_("This Medicaid ID does not look right for this payer: expected letters and "
                                    "digits, like OR12345678."))
        from hrsn.models import Member
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
            setattr(member, name, clean_text(getattr(self, name).data) or None)
        member.preferred_language = self.preferred_language.data
        member.interpreter_needed = bool(self.interpreter_needed.data)
        member.best_way_to_reach = self.best_way_to_reach.data or None
        member.household_size = self.household_size.number
        member.monthly_income_cents = self.monthly_income.cents


class ReferralForm(FlaskForm):
    """What the referral asks for: the second half of the intake."""
    received_on = DayField(_l("Date received"), validators=[InputRequired(_l("Enter the date the referral was received."))])
    source = choice(_l("Source"), SOURCES, _l("Choose a source from the list."), "platform")
    payer_id = SelectField(_l("Payer"), validate_choice=False)
    external_id = StringField(_l("Referral ID from the payer or platform"), validators=[Length(max=64, message=MAX_LEN)])
    services = MultiCheckboxField(_l("Services requested"), validate_choice=False)
    rent_months_owed = WholeField(_l("Months of rent owed"), 0, RENT_MONTHS_MAX,
                                  _l("Enter the months of rent owed, a whole number from 0 to %(n)d.", n=RENT_MONTHS_MAX))
    rent_per_month = MoneyField(_l("Rent per month ($)"), RENT_MAX_CENTS)
    utility_owed = MoneyField(_l("Utility amount owed ($)"), OWED_MAX_CENTS)
    notice_date = DayField(_l("Eviction or shut-off notice date"), validators=[Optional()])
    current_needs = TextAreaField(_l("Current needs"), validators=[
        Length(max=NEEDS_MAX, message=_l("Use at most %(max)d characters; this note has more."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        payers = db.session.scalars(db.select(Payer).where(Payer.active).order_by(Payer.name)).all()
        self.payer_id.choices = [("", _("None or not known"))] + [(str(p.id), p.name) for p in payers]
        self.service_types = db.session.scalars(db.select(ServiceType).where(ServiceType.active)
                                                .order_by(ServiceType.sort_order, ServiceType.id)).all()
        self.services.choices = [(s.code, s.name) for s in self.service_types]

    @property
    def chosen(self) -> set[str]:
        return set(self.services.data or ())

    def payer(self):
        return db.session.get(Payer, int(self.payer_id.data)) if str(self.payer_id.data or "").isdigit() else None

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
        chosen = self.chosen
        referral.received_on = self.received_on.data
        referral.source = self.source.data
        referral.payer = self.payer()
        referral.external_id = clean_text(self.external_id.data) or None
        referral.services = [s for s in self.service_types if s.code in chosen]
        rent, utility = chosen & RENT_SERVICES, chosen & UTILITY_SERVICES
        referral.rent_months_owed = self.rent_months_owed.number if rent else None
        referral.rent_per_month_cents = self.rent_per_month.cents if rent else None
        referral.utility_owed_cents = self.utility_owed.cents if utility else None
        referral.notice_date = self.notice_date.data if chosen & NOTICE_SERVICES else None
        referral.current_needs = self.current_needs.data or None


class IntakeForm(MemberForm, ReferralForm):
    """A new member and their first referral, on one screen."""
    assign_to_me = BooleanField(_l("Assign this member to me"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, payer=lambda: self.payer(), **kwargs)


class AttachForm(ReferralForm):
    """A new referral for a member already on file."""
