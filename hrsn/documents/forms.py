"""Forms of the documents step: an upload, a waiver, a third party, an eligibility check, a template item."""
from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from hrsn.forms import Form, DayField, Text, VersionMixin, check_email, check_phone, choice, clean_or_none
from hrsn.models import ELIGIBILITY_STATUSES, THIRD_PARTY_KINDS, VERIFY_METHODS, local_today
from hrsn.models.intake import REACH_METHODS


class UploadForm(Form):
    title = StringField(_l("What is it?"), validators=[Text(200)])


class WaiveForm(VersionMixin, Form):
    reason = StringField(_l("Why is it waived?"), validators=[DataRequired(_l("Say why this document is not needed.")),
                                                              Text(500)])


class ThirdPartyForm(VersionMixin, Form):
    kind = choice(_l("Kind"), THIRD_PARTY_KINDS, _l("Choose a kind from the list."), "landlord")
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Text(120)])
    organization = StringField(_l("Organization"), validators=[Text(120)])
    phone = StringField(_l("Phone"), render_kw={"type": "tel"}, validators=[check_phone])
    email = StringField(_l("Email"), validators=[Text(254), check_email])
    mailing_address = TextAreaField(_l("Mailing address"), validators=[Text(300)])
    preferred_contact = choice(_l("Preferred way to reach"), {"": _l("Not known"), **REACH_METHODS},
                               _l("Choose a way to reach from the list."), "")
    notes = TextAreaField(_l("Notes"), validators=[Text(2000)])

    def apply_to(self, party) -> None:
        party.kind = self.kind.data
        for name in ("name", "organization", "phone", "email", "mailing_address", "notes"):
            setattr(party, name, clean_or_none(getattr(self, name).data))
        party.preferred_contact = self.preferred_contact.data or None


class EligibilityForm(Form):
    status = choice(_l("Eligibility"), ELIGIBILITY_STATUSES, _l("Choose an eligibility status."), "pending", radio=True)
    medicaid_verified_on = DayField(_l("Medicaid eligibility verified on"), validators=[Optional()])
    medicaid_verified_how = choice(_l("Verified by"), {"": _l("Not verified yet"), **VERIFY_METHODS},
                                   _l("Choose how eligibility was verified."), "")
    questionnaire_on = DayField(_l("Payer's eligibility questionnaire completed on"), validators=[Optional()])
    questionnaire_where = StringField(_l("Where it was completed"), validators=[Text(200)])
    note = TextAreaField(_l("Note"), validators=[Text(1000)])

    def validate_medicaid_verified_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("The date cannot be in the future."))
        if field.data and not self.medicaid_verified_how.data:
            raise ValidationError(_("Say how eligibility was verified."))

    def validate_status(self, field):
        if field.data == "eligible" and not self.medicaid_verified_on.data:
            raise ValidationError(_("Record when Medicaid eligibility was verified before marking the member eligible."))

    def validate_medicaid_verified_how(self, field):
        if field.data and not self.medicaid_verified_on.data and not self.medicaid_verified_on.errors:
            raise ValidationError(_("Enter the date it was verified."))

    def validate_questionnaire_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_("The date cannot be in the future."))


class TemplateItemForm(VersionMixin, Form):
    name_en = StringField(_l("Document, in English"), validators=[InputRequired(_l("Enter the document's name in English.")),
                                                                Text(200)])
    name_es = StringField(_l("Document, in Spanish"), validators=[InputRequired(_l("Enter the document's name in Spanish.")),
                                                                Text(200)])
