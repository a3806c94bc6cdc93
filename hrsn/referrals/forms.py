"""Forms of triage: a decision with its reason, and the staff member a referral's member is assigned to."""
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from hrsn.forms import Form, Text, VersionMixin, choice, clean_text
from hrsn.models import TRIAGE_LABELS, Role, User


class TriageForm(VersionMixin, Form):
    decision = choice(_l("Decision"), TRIAGE_LABELS, _l("Choose a decision."), radio=True)
    reason = TextAreaField(_l("Reason"), validators=[Text(1000)])
    redirect_to = StringField(_l("Organization the member is redirected to"), validators=[Text(200)])

    def validate_reason(self, field):
        field.data = clean_text(field.data)
        if self.decision.data in ("waitlist", "decline") and not field.data:
            raise ValidationError(_("Say why, in a few words."))

    def validate_redirect_to(self, field):
        field.data = clean_text(field.data)
        if self.decision.data == "redirect" and not field.data:
            raise ValidationError(_("Name the organization the member is redirected to."))


class AssignForm(VersionMixin, Form):
    assignee_id = SelectField(_l("Assign to"), validate_choice=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(u.id): u for u in staff}
        self.assignee_id.choices = [("", _("Choose a staff member…"))] + [(str(u.id), u.name) for u in staff]

    def validate_assignee_id(self, field):
        if str(field.data) not in self.staff:
            raise ValidationError(_("Choose a staff member from the list."))
        if current_user.role == Role.CASE_MANAGER and str(field.data) != str(current_user.id):
            raise ValidationError(_("A case manager can assign members only to themself."))

    @property
    def assignee(self) -> User:
        return self.staff[str(self.assignee_id.data)]
