"""Forms of signing in, the first run and one's own password."""
import re

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from hrsn import passwords
from hrsn.forms import Form, Text, check_email, check_phone, choice
from hrsn.models import LANGUAGES
from hrsn.settings import TIMEZONES

EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def staff_email(form, field):
    # Staff addresses may be on an office's own domain (e.g. .local), which stricter checks refuse.
    if field.data and not EMAIL_SHAPE.fullmatch(field.data.strip()):
        raise ValidationError(_("Enter a valid email address."))


EMAIL_FIELD = dict(validators=[DataRequired(_l("Enter an email address.")),
                               Length(max=254, message=_l("An email address has at most 254 characters.")),
                               staff_email])


def new_password_check(form, field):
    message = passwords.problem(field.data)
    if message:
        raise ValidationError(message)


class LoginForm(Form):
    email = StringField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")),
                                                  Length(max=254, message=_l("An email address has at most 254 characters."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    submit = SubmitField(_l("Sign in"))


class SetupForm(Form):
    """The first run: the organization, then its first administrator."""
    org_name = StringField(_l("Organization name"), validators=[DataRequired(_l("Enter the organization's name.")),
                                                                 Text(200)])
    org_address = TextAreaField(_l("Address"), validators=[Text(300)])
    org_phone = StringField(_l("Phone"), validators=[check_phone])
    org_email = StringField(_l("Email for members"), validators=[Text(254), check_email])
    org_timezone = choice(_l("Time zone"), TIMEZONES, _l("Choose a time zone from the list."), "America/Los_Angeles")
    default_locale = choice(_l("Language staff start in"), LANGUAGES, _l("Choose English or Spanish."), "en")
    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Text(120)])
    email = StringField(_l("Your email"), **EMAIL_FIELD)
    password = PasswordField(_l("Password"), validators=[new_password_check])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[EqualTo("password", _l("The two passwords are not the same."))])
    locale = choice(_l("Your language"), LANGUAGES, _l("Choose English or Spanish."), "en")
    submit = SubmitField(_l("Create the organization and my administrator account"))


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password."))])
    password = PasswordField(_l("New password"), validators=[new_password_check])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", _l("The two passwords are not the same."))])
    submit = SubmitField(_l("Change password"))
