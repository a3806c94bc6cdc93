"""Messages to a member from the admin's templates, always in the member's language, with a link that opens them
in the case manager's own mail or messages app. Every step that writes to a member goes through here."""
from dataclasses import dataclass
from urllib.parse import quote

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import LANGUAGES, PLACEHOLDERS, MessageTemplate, fill_template

# The settings a message may need; an empty one leaves a blank the staff should see before sending.
ORG_PLACEHOLDERS = ("org_name", "org_phone", "callback_hours")


def member_language(member) -> str:
    return member.preferred_language if member.preferred_language in LANGUAGES else "en"


@dataclass
class Message:
    channel: str            # email or text (the template's own channel may be docs_email...)
    language: str
    subject: str | None
    body: str
    link: str
    missing: list           # labels of settings left empty that the message uses
    no_address: bool        # the member has no email address (or phone) on file

    @property
    def language_label(self) -> str:
        return str(LANGUAGES[self.language])


def link_for(member, medium: str, subject: str | None, body: str) -> str:
    """A mailto: or sms: link that opens the message, addressed to the member."""
    if medium == "email":
        return f"mailto:{quote(member.email or '')}?subject={quote(subject or '')}&body={quote(body)}"
    digits = "".join(ch for ch in (member.phone or "") if ch.isdigit() or ch == "+")
    return f"sms:{digits}?body={quote(body)}"


def compose(member, template_channel: str, user, **values) -> Message | None:
    """The admin's template for this channel in the member's language, filled in; None when there is none."""
    language = member_language(member)
    template = db.session.scalar(db.select(MessageTemplate).where(MessageTemplate.channel == template_channel,
                                                                   MessageTemplate.language == language))
    if template is None:
        return None
    medium = "email" if template_channel.endswith("email") else "text"
    filled = {"member_first_name": member.first_name, "case_manager_name": user.name,
              **{key: settings.get(key) for key in ORG_PLACEHOLDERS}, **values}
    used = template.body + (template.subject or "")
    missing = [str(PLACEHOLDERS[key]) for key in ORG_PLACEHOLDERS if not filled[key] and "{%s}" % key in used]
    subject = fill_template(template.subject, filled) if medium == "email" else None
    body = fill_template(template.body, filled)
    return Message(medium, language, subject, body, link_for(member, medium, subject, body), missing,
                   not (member.email if medium == "email" else member.phone))
