"""Forms of the directory: an organization, a service, a flag saying an entry is out of date."""
import re

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from hrsn.extensions import db
from hrsn.forms import (Form, MultiCheckboxField, Text, VersionMixin, check_email, check_phone, choice, clean_or_none,
                        clean_text)
from hrsn.models import (NEED_DOMAINS, SERVICE_STATUSES, ContactPerson, Payer, Phone, ServiceArea, ServiceCategory,
                         ServiceLanguage, ServiceType)

# Languages offered in the form's list (ISO 639-1, the codes HSDS files use); others are typed as codes.
COMMON_LANGUAGES = ("en", "es", "vi", "zh", "ru", "uk", "ar", "so", "ko", "tl", "fr", "ja", "fa", "pt", "am", "ro")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def check_website(form, field):
    text = clean_text(field.data)
    if text and not re.fullmatch(r"https?://\S+\.\S+", text):
        raise ValidationError(_("Enter a web address starting with https://"))


class OrganizationForm(VersionMixin, Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the organization's name.")), Text(200)])
    alternate_name = StringField(_l("Also known as"), validators=[Text(200)])
    description = TextAreaField(_l("What it does"), validators=[Text(4000)])
    website = StringField(_l("Website"), validators=[Text(500), check_website])
    email = StringField(_l("Email"), validators=[Text(254), check_email])
    phone = StringField(_l("Main phone"), render_kw={"type": "tel"}, validators=[check_phone])
    contact_name = StringField(_l("Contact person"), validators=[Text(200)])
    contact_title = StringField(_l("Contact person's role"), validators=[Text(200)])
    contact_email = StringField(_l("Contact person's email"), validators=[Text(254), check_email])
    preferred_partner = BooleanField(_l("Preferred partner"))
    payers = MultiCheckboxField(_l("Enrolled with these payers"), coerce=str, validate_choice=False)
    hrsn_services = MultiCheckboxField(_l("HRSN services it provides"), coerce=str, validate_choice=False)

    def fill_choices(self) -> None:
        self.payers.choices = [(str(p.id), p.name) for p in db.session.scalars(db.select(Payer).order_by(Payer.name))]
        self.hrsn_services.choices = [(s.code, s.name) for s in db.session.scalars(
            db.select(ServiceType).order_by(ServiceType.sort_order))]

    def fill_from(self, organization) -> None:
        phone = organization.phones[0] if organization.phones else None
        contact = organization.contacts[0] if organization.contacts else None
        self.phone.data = phone.number if phone else ""
        self.contact_name.data, self.contact_title.data, self.contact_email.data = (
            (contact.name, contact.title, contact.email) if contact else ("", "", ""))
        self.payers.data = [str(p.id) for p in organization.payers]
        self.hrsn_services.data = [s.code for s in organization.hrsn_services]

    def apply_to(self, organization) -> dict:
        """Copy the form onto the organization; returns the changes the trail cannot see on its own columns."""
        organization.set_name(clean_text(self.name.data))
        for name in ("alternate_name", "description", "website", "email"):
            setattr(organization, name, clean_or_none(getattr(self, name).data))
        organization.preferred_partner = bool(self.preferred_partner.data)
        before = {"payers": [p.name for p in organization.payers],
                  "hrsn_services": [s.code for s in organization.hrsn_services]}
        organization.payers = list(db.session.scalars(db.select(Payer).where(
            Payer.id.in_([int(v) for v in self.payers.data or [] if v.isdigit()])).order_by(Payer.name)))
        organization.hrsn_services = list(db.session.scalars(db.select(ServiceType).where(
            ServiceType.code.in_(self.hrsn_services.data or [])).order_by(ServiceType.sort_order)))
        after = {"payers": [p.name for p in organization.payers],
                 "hrsn_services": [s.code for s in organization.hrsn_services]}
        self._apply_phone_and_contact(organization)
        return {key: [before[key], after[key]] for key in before if before[key] != after[key]}

    def _apply_phone_and_contact(self, organization) -> None:
        phone = organization.phones[0] if organization.phones else None
        number = clean_or_none(self.phone.data)
        if number and phone is None:
            db.session.add(Phone(organization=organization, number=number, type="voice"))
        elif phone is not None:
            phone.number = number or phone.number
        contact = organization.contacts[0] if organization.contacts else None
        name = clean_or_none(self.contact_name.data)
        if contact is None and (name or self.contact_email.data):
            contact = ContactPerson(organization=organization)
            db.session.add(contact)
        if contact is not None:
            contact.name, contact.title = name, clean_or_none(self.contact_title.data)
            contact.email = clean_or_none(self.contact_email.data)


class ServiceForm(VersionMixin, Form):
    name = StringField(_l("Service name"), validators=[DataRequired(_l("Enter the service's name.")), Text(200)])
    description = TextAreaField(_l("What it offers"), validators=[Text(4000)])
    categories = MultiCheckboxField(_l("Needs it meets"), choices=list(NEED_DOMAINS.items()), validate_choice=False)
    status = choice(_l("Status"), SERVICE_STATUSES, _l("Choose a status from the list."), "active")
    accepting_referrals = BooleanField(_l("Accepting referrals now"), default=True)
    eligibility_description = TextAreaField(_l("Who is eligible"), validators=[Text(2000)])
    application_process = TextAreaField(_l("How to apply"), validators=[Text(2000)])
    documents_to_bring = TextAreaField(_l("What to bring"), validators=[Text(1000)])
    fees_description = StringField(_l("Cost"), validators=[Text(500)])
    wait_time = StringField(_l("Wait or capacity"), validators=[Text(200)])
    languages = MultiCheckboxField(_l("Languages spoken"), validate_choice=False)
    other_languages = StringField(_l("Other languages (ISO codes, separated by commas)"), validators=[Text(100)])
    interpretation_services = StringField(_l("Interpreters"), validators=[Text(500)])
    areas = TextAreaField(_l("Area served (ZIP codes, counties or “statewide”, one per line)"),
                          validators=[Text(4000)])
    phone = StringField(_l("Phone"), render_kw={"type": "tel"}, validators=[check_phone])
    url = StringField(_l("Web page"), validators=[Text(500), check_website])
    email = StringField(_l("Email"), validators=[Text(254), check_email])
    referral_process = TextAreaField(_l("How we refer"), validators=[Text(2000)])
    follow_up_process = TextAreaField(_l("How we follow up"), validators=[Text(2000)])
    staff_tips = TextAreaField(_l("Tips for staff"), validators=[Text(2000)])

    def fill_choices(self) -> None:
        from hrsn.directory.search import language_name
        self.languages.choices = [(code, language_name(code)) for code in COMMON_LANGUAGES]

    def validate_other_languages(self, field):
        for code in self.typed_codes():
            if not LANGUAGE_CODE.fullmatch(code):
                raise ValidationError(_("“%(code)s” is not a language code; use two or three letters, like vi.",
                                        code=code))

    def typed_codes(self) -> list[str]:
        return [c.strip().lower() for c in clean_text(self.other_languages.data).replace(";", ",").split(",")
                if c.strip()]

    def fill_from(self, service) -> None:
        codes = [lang.code for lang in service.languages]
        self.categories.data = service.domains
        self.languages.data = [c for c in codes if c in COMMON_LANGUAGES]
        self.other_languages.data = ", ".join(c for c in codes if c not in COMMON_LANGUAGES)
        self.areas.data = "\n".join(area.name for area in service.areas)
        self.phone.data = service.phones[0].number if service.phones else ""

    def apply_to(self, service) -> dict:
        """Copy the form onto the service; returns the changes to its lists (languages, areas, needs)."""
        service.name = clean_text(self.name.data)
        for name in ("description", "eligibility_description", "application_process", "documents_to_bring",
                     "fees_description", "wait_time", "interpretation_services", "url", "email", "referral_process",
                     "follow_up_process", "staff_tips"):
            setattr(service, name, clean_or_none(getattr(self, name).data))
        service.status, service.accepting_referrals = self.status.data, bool(self.accepting_referrals.data)
        changes = {}
        domains = [d for d in NEED_DOMAINS if d in (self.categories.data or [])]
        if domains != service.domains:
            changes["categories"] = [service.domains, domains]
            service.categories = [ServiceCategory(domain=d) for d in domains]
        changes |= self._apply_rows(service, "languages", [c for c in dict.fromkeys(
            [*(self.languages.data or []), *self.typed_codes()])], lambda row: row.code,
            lambda code: ServiceLanguage(service=service, code=code))
        areas = [" ".join(line.split()) for line in re.split(r"[\n;]", clean_text(self.areas.data)) if line.strip()]
        changes |= self._apply_rows(service, "areas", list(dict.fromkeys(areas)), lambda row: row.name,
                                    lambda name: _area(service, name))
        self._apply_phone(service)
        return changes

    @staticmethod
    def _apply_rows(service, name, wanted, key, make) -> dict:
        """Keep the rows still wanted (with their HSDS ids), remove the others, add the new ones."""
        rows = list(getattr(service, name))
        have = [key(row) for row in rows]
        if have == wanted:
            return {}
        for row in rows:
            if key(row) not in wanted:
                db.session.delete(row)
        for value in wanted:
            if value not in have:
                db.session.add(make(value))
        return {name: [have, wanted]}

    def _apply_phone(self, service) -> None:
        number = clean_or_none(self.phone.data)
        phone = service.phones[0] if service.phones else None
        if number and phone is None:
            db.session.add(Phone(service=service, organization_id=service.organization_id, number=number,
                                 type="voice"))
        elif phone is not None and number:
            phone.number = number


def _area(service, name: str) -> ServiceArea:
    area = ServiceArea(service=service)
    area.set_name(name)
    return area


class FlagForm(Form):
    note = TextAreaField(_l("What is out of date?"), validators=[DataRequired(_l("Say what looks out of date.")),
                                                                Text(1000)])
    service_id = HiddenField()


class VersionForm(VersionMixin, Form):
    """A state button (verify, resolve) that carries the version it was shown with."""
