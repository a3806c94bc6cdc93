"""Forms of the data page: the backup passphrase, and a restore."""
from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from hrsn.forms import Form

MIN_PASSPHRASE = 12


class RunForm(Form):
    """A button that runs something (verify, back up now): the CSRF token only."""


class PassphraseForm(Form):
    current = PasswordField(_l("Current backup passphrase"))
    passphrase = PasswordField(_l("New backup passphrase"),
                               validators=[DataRequired(_l("Enter a passphrase."))])
    repeat = PasswordField(_l("The new passphrase again"),
                           validators=[EqualTo("passphrase", _l("The two passphrases differ."))])

    def __init__(self, *args, key=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    def validate_current(self, field):
        from hrsn.durable import sealed
        if self.key is not None and not (field.data and sealed.matches(field.data, self.key)):
            raise ValidationError(_("This is not the current backup passphrase."))

    def validate_passphrase(self, field):
        if len(field.data or "") < MIN_PASSPHRASE:
            raise ValidationError(_("Use at least %(n)d characters: several words are easiest to remember.",
                                    n=MIN_PASSPHRASE))


class RestoreForm(Form):
    archive = RadioField(_l("Archive"), validate_choice=True,
                         validators=[DataRequired(_l("Choose the archive to restore."))])
    passphrase = PasswordField(_l("Backup passphrase"), validators=[DataRequired(_l("Enter the passphrase."))])
    replace = BooleanField(_l("Replace all the data this desk holds now"))
