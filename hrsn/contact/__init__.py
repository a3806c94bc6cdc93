"""The contact step: reach the member by the outreach rule, in their language, and record consent."""
from flask import Blueprint
from flask_babel import format_date, gettext as _, lazy_gettext as _l

from hrsn import admin, members, settings
from hrsn.models import consent_status

bp = Blueprint("contact", __name__)

settings.register("outreach_attempts", 3, _l("Outreach rule: attempts before unable to reach"), minimum=1, maximum=20)
settings.register("outreach_methods", 2, _l("Outreach rule: different methods before unable to reach"), minimum=1, maximum=6)
settings.register("outreach_days_between", 2, _l("Outreach rule: business days between attempts"), minimum=0, maximum=30)

if ("contact.templates", ) not in [link[:1] for link in admin.LINKS]:
    admin.LINKS.append(("contact.templates", _l("Message templates")))


@members.header_extra
def consent_in_header(member):
    return _("Consent"), consent_text(*consent_status(member))


def consent_text(status, consent) -> str:
    """The consent status in a few words, for the header and the Contact tab."""
    if status == "valid":
        value = (_("Valid until %(day)s", day=format_date(consent.expires_on)) if consent.expires_on
                 else _("Valid, no expiry date"))
    elif status == "expired":
        value = _("Expired on %(day)s", day=format_date(consent.expires_on))
    elif status == "withdrawn":
        value = _("Withdrawn on %(day)s", day=format_date(consent.withdrawn_on))
    elif status == "future":
        value = _("Starts on %(day)s", day=format_date(consent.given_on))
    else:
        value = _("None recorded")
    return value


from hrsn.contact import consent, messages, today, views  # noqa: E402,F401  (routes register on bp)
