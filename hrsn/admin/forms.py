"""Forms of the admin pages: a staff account, a payer, a service type."""
import re

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from hrsn import passwords
from hrsn.auth.forms import EMAIL_FIELD
from hrsn.extensions import db
from hrsn.forms import Form, MultiCheckboxField, Text, VersionMixin, WholeField, check_email, check_phone, choice, clean_text
from hrsn.models import LANGUAGES, ROLES, Payer, Role, ServiceType, User
from hrsn.models.intake import PAYER_KINDS


class UserForm(VersionMixin, Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Text(120)])
    email = StringField(_l("Email"), **EMAIL_FIELD)
    role = choice(_l("Role"), ROLES, _l("Choose a role from the list."), Role.CASE_MANAGER)
    languages = MultiCheckboxField(_l("Languages spoken"), choices=list(LANGUAGES.items()), validate_choice=False)
    locale = choice(_l("Interface language"), LANGUAGES, _l("Choose English or Spanish."), "en")
    active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(_l("Password"))

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    def validate_email(self, field):
        email = field.data.strip().casefold()
        other = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email))
        if other is not None and other is not self.editing:
            raise ValidationError(_("Another account already uses this email address."))

    def validate_role(self, field):
        from flask_login import current_user
        if self.editing is not None and self.editing.id == current_user.id and field.data != Role.ADMIN:
            raise ValidationError(_("You cannot remove your own administrator access."))

    def validate_active(self, field):
        from flask_login import current_user
        if self.editing is not None and self.editing.id == current_user.id and not field.data:
            raise ValidationError(_("You cannot remove your own administrator access."))

    def validate_languages(self, field):
        if not set(field.data or ()) <= set(LANGUAGES):
            raise ValidationError(_("Choose languages from the list."))

    def validate_password(self, field):
        if field.data or self.editing is None:
            message = passwords.problem(field.data)
            if message:
                raise ValidationError(message)


class PayerForm(VersionMixin, Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the payer's name.")), Text(120)])
    kind = choice(_l("Kind"), PAYER_KINDS, _l("Choose a kind from the list."), "cco")
    contact_name = StringField(_l("Contact person"), validators=[Text(120)])
    phone = StringField(_l("Phone"), validators=[check_phone])
    email = StringField(_l("Email"), validators=[Text(254), check_email])
    medicaid_id_pattern = StringField(_l("Medicaid ID pattern"), validators=[Text(200)])
    invoice_before_payment = BooleanField(_l("Invoice before payment"))
    invoice_notes = TextAreaField(_l("Invoice settings and notes"), validators=[Text(2000)])
    requests_to = StringField(_l("Service requests go to"), validators=[Text(200)])
    invoices_to = StringField(_l("Invoices go to"), validators=[Text(200)])
    reimbursed_by = StringField(_l("Reimbursed by"), validators=[Text(200)])
    hub = StringField(_l("Through a hub"), validators=[Text(200)])
    active = BooleanField(_l("Active (offered on the intake screen)"), default=True)

    def __init__(self, *args, payer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.payer = payer

    def validate_name(self, field):
        field.data = clean_text(field.data)
        other = db.session.scalar(db.select(Payer).where(db.func.lower(Payer.name) == field.data.lower()))
        if other is not None and other is not self.payer:
            raise ValidationError(_("Another payer already has this name."))

    def validate_medicaid_id_pattern(self, field):
        field.data = clean_text(field.data)
        if field.data:
            try:
                re.compile(field.data)
            except re.error:
                raise ValidationError(_("This pattern is not a valid regular expression."))


class ServiceTypeForm(VersionMixin, Form):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a short code.")), Text(40)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(_l("Enter the name in English.")), Text(120)])
    name_es = StringField(_l("Name in Spanish"), validators=[DataRequired(_l("Enter the name in Spanish.")), Text(120)])
    sort_order = WholeField(_l("Order in lists"), 0, 9999, _l("Enter a whole number from 0 to 9999."))
    asks_rent = BooleanField(_l("Asks for the rent owed (months and rent per month)"))
    asks_utility = BooleanField(_l("Asks for the utility amount owed"))
    asks_notice = BooleanField(_l("Asks for an eviction or shut-off notice date"))
    active = BooleanField(_l("Active (offered on the intake screen)"), default=True)

    def __init__(self, *args, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service

    def validate_code(self, field):
        field.data = clean_text(field.data).lower()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", field.data):
            raise ValidationError(_("Use lowercase letters, digits and underscores, starting with a letter."))
        other = db.session.scalar(db.select(ServiceType).where(ServiceType.code == field.data))
        if other is not None and other is not self.service:
            raise ValidationError(_("Another service type already has this code."))
