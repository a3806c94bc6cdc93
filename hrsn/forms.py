"""Form fields and checks every step shares: text, names, phones, emails, days, money, choices, versions."""
import re
import unicodedata
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from babel.support import Translations
from flask_babel import format_decimal, get_locale, gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

NAME_EXTRA = set(" '’-.")          # besides letters and combining marks
MONEY_DIGITS = 9                   # whole dollars: up to $999,999,999


def clean_text(value) -> str:
    """Stripped, without control characters (a pasted NUL or escape code is never meant); keeps line breaks."""
    text = str(value or "")
    if text.isprintable():          # no control or format character at all: the usual case, and a fast one
        return text.strip()
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def clean_or_none(value) -> str | None:
    return clean_text(value) or None


def without_controls(value):
    """Text as typed, less the control characters no one means (a NUL would not even reach PostgreSQL)."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if ch in "\n\r\t" or unicodedata.category(ch) != "Cc")


class Form(FlaskForm):
    """Every form of the desk: its text fields lose control characters before any check sees them."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            options["filters"] = [*options.get("filters", ()), without_controls]
            return unbound_field.bind(form=form, **options)

        def get_translations(self, form):
            # WTForms' own messages in the user's language, read once per language (Flask-WTF reads the catalog
            # again for every request).
            return _wtforms_messages(str(get_locale() or "en"))


def html_params(**attributes) -> Markup:
    """WTForms' attributes of a tag, the same text, written without its str.format of each attribute through
    markupsafe (a fifth of the time of a page of forms): sorted by name, `class_` as class, `data_`/`aria_` names
    with hyphens, True as the bare name, False left out, names and values escaped."""
    written = []
    for key, value in sorted(attributes.items()):
        if value is False:
            continue
        key = escape(widgets.core.clean_key(key))
        written.append(key if value is True else f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(written))


# Every widget writes its attributes with it: those that call the module's function and those holding their own.
widgets.core.html_params = widgets.html_params = html_params
widgets.core.Input.html_params = widgets.core.Button.html_params = staticmethod(html_params)


@lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class Text:
    """At most `maximum` characters, said with the count typed: a browser's maxlength would cut silently."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, form, field):
        length = len(clean_text(field.data))
        if length > self.maximum:
            raise ValidationError(_("Use at most %(max)d characters; this has %(n)d.", max=self.maximum, n=length))


def one_of(mapping, message):
    """Refuse a value that is not in the list (a select can be forged by hand)."""
    def check(form, field):
        if field.data not in mapping:
            raise ValidationError(message)
    return check


def choice(label, mapping, message, default=None, radio=False):
    cls = RadioField if radio else SelectField
    return cls(label, choices=list(mapping.items()), default=default, validate_choice=False,
               validators=[one_of(mapping, message)])


class RecordField(SelectField):
    """A choice among records the view offers when it makes the form (`offer`): a forged or stale id is refused
    with `message`, and the chosen record is left on the field as `field.record`."""

    def __init__(self, label, message, required=True, **kwargs):
        super().__init__(label, validate_choice=False, **kwargs)
        self.message, self.required, self.records, self.record = message, required, {}, None

    def offer(self, records, describe=str, blank=None) -> None:
        self.records = {str(record.id): record for record in records}
        self.choices = ([("", blank)] if blank is not None else []) + [(k, describe(r)) for k, r in self.records.items()]

    def pre_validate(self, form):
        chosen = "" if self.data is None else str(self.data)
        self.record = self.records.get(chosen)
        if self.record is None and (self.required or chosen):
            raise ValidationError(self.message)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def DayField(label, validators=()):
    """A date whose parse error speaks the user's language."""
    return DateField(label, validators=list(validators), invalid_value_message=_l("Enter a date like 2026-03-31."))


def check_name(form, field):
    """A person's name in any script, with spaces, apostrophes, hyphens and periods."""
    field.data = " ".join(clean_text(field.data).split())
    if not field.data:
        return
    if not any(unicodedata.category(ch).startswith("L") for ch in field.data):
        raise ValidationError(_("A name needs at least one letter."))
    for ch in field.data:
        if not (unicodedata.category(ch)[0] in "LM" or ch in NAME_EXTRA):
            raise ValidationError(_("A name can hold letters, spaces, apostrophes, hyphens and periods only."))


def format_phone(raw: str) -> str:
    """A US phone number as (503) 555-0123; raises ValueError when it cannot be one."""
    text = clean_text(raw)
    if re.search(r"[^\d\s().+\-]", text) or not text.isascii():
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
        field.data = ""
        return
    try:
        field.data = validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_("Enter an email address like name@example.org."))


# Numbers ------------------------------------------------------------------------------------------

def _groups_ok(whole: str, mark: str) -> bool:
    parts = whole.split(mark)
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def parse_money(raw) -> int | None:
    """Dollars as typed in either convention -> cents; None when empty; ValueError when not an amount.

    "1850", "1,850.00", "1.850,00", "1.850" and "1850,5" are all read: a separator followed by exactly three
    digits groups thousands, one followed by one or two digits marks the cents. "1,85,0" or "1.8500" are refused,
    as are three decimals ("12.345,678"): money has two."""
    text = clean_text(raw)
    for noise in ("US$", "USD", "$", "\u00a0", "\u202f", " "):
        text = text.replace(noise, "")
    if not text:
        return None
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("-")
    if not body.isascii() or not re.fullmatch(r"\d[\d.,]*", body) or body[-1] in ".,":
        raise ValueError(text)
    marks = {ch for ch in body if ch in ".,"}
    whole, cents = body, ""
    if len(marks) == 2:
        decimal = max(".,", key=body.rfind)
        whole, cents = body.rsplit(decimal, 1)
        group = "," if decimal == "." else "."
        if decimal in whole or not _groups_ok(whole, group):
            raise ValueError(text)
        whole = whole.replace(group, "")
    elif marks:
        mark = marks.pop()
        head, _sep, tail = body.rpartition(mark)
        if body.count(mark) == 1 and len(tail) in (1, 2):
            whole, cents = head, tail
        elif _groups_ok(body, mark):
            whole = body.replace(mark, "")
        else:
            raise ValueError(text)
    if len(cents) > 2 or len(whole.lstrip("0")) > MONEY_DIGITS:
        raise ValueError(text)
    return sign * (int(whole or "0") * 100 + int(cents.ljust(2, "0") or "0"))


def money_text(cents) -> str:
    """Cents as the interface writes an amount in a form field: "1,850.00" or "1.850,00"; "" for none."""
    if cents is None:
        return ""
    return format_decimal(cents / 100, format="#,##0.00")


def MoneyField(label, maximum_cents, *, minimum_cents=0, validators=()):
    """An amount of dollars; the checked value is left on the field as `field.cents`."""
    def check(form, field):
        field.cents = None
        try:
            cents = parse_money(field.data)
        except ValueError:
            raise ValidationError(_("Enter an amount in dollars, like %(example)s.", example=money_text(125050)))
        if cents is not None and cents < minimum_cents:
            raise ValidationError(_("The amount cannot be negative.") if minimum_cents == 0 else
                                  _("The amount must be at least %(amount)s.", amount=money_text(minimum_cents)))
        if cents is not None and cents > maximum_cents:
            raise ValidationError(_("That amount is too large; the most accepted is %(amount)s.",
                                    amount=money_text(maximum_cents)))
        field.cents = cents
    return StringField(label, validators=[*validators, check], render_kw={"inputmode": "decimal"})


def WholeField(label, minimum, maximum, message):
    """A whole number typed with ASCII digits; the checked value is left on the field as `field.number`."""
    def check(form, field):
        text = clean_text(field.data)
        field.number = None
        if not text:
            return
        if not (text.isascii() and text.isdigit()) or len(text) > 9 or not minimum <= int(text) <= maximum:
            raise ValidationError(message)
        field.number = int(text)
    return StringField(label, validators=[check], render_kw={"inputmode": "numeric"})


# Versions -----------------------------------------------------------------------------------------

class VersionMixin:
    """Carries the version of the record the form was filled from; a save from an older one is refused."""
    version = HiddenField()

    def fill_version(self, record) -> None:
        self.version.data = str(record.version)

    def is_stale(self, record) -> bool:
        return str(self.version.data or "") != str(record.version)
