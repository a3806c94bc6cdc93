"""Scripted messages: the admin's template editor, the filled-in offer, and the seam for a future sender."""
from dataclasses import dataclass
from urllib.parse import quote

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, settings
from hrsn.access import require
from hrsn.contact import bp
from hrsn.contact.forms import TemplateForm
from hrsn.extensions import db
from hrsn.models import LANGUAGES, PLACEHOLDERS, MessageTemplate, ensure_templates, fill_template
from hrsn.render import render


@dataclass
class Offer:
    channel: str
    language: str
    language_label: str
    subject: str | None
    body: str
    link: str | None          # mailto: or sms:, for the case manager's own mail or phone app
    missing: list             # settings left empty that the message needs
    no_address: bool          # the member has no email address (or phone) on file


def offer_message(member, method, user) -> Offer | None:
    """The template for this method in the MEMBER's language, filled in; None for phone, mail..."""
    if method not in ("email", "text"):
        return None
    language = member.preferred_language if member.preferred_language in LANGUAGES else "en"
    templates = {(t.channel, t.language): t for t in ensure_templates()}
    db.session.commit()   # lazily created defaults are kept
    template = templates[(method, language)]
    values = {"member_first_name": member.first_name, "case_manager_name": user.name,
              "org_name": settings.get("org_name"), "org_phone": settings.get("org_phone"),
              "callback_hours": settings.get("callback_hours")}
    used = template.body + (template.subject or "")
    missing = [str(PLACEHOLDERS[key]) for key in ("org_phone", "callback_hours")
               if not values[key] and "{%s}" % key in used]
    subject = fill_template(template.subject, values) if method == "email" else None
    body = fill_template(template.body, values)
    if method == "email":
        link = f"mailto:{quote(member.email or '')}?subject={quote(subject or '')}&body={quote(body)}"
    else:
        digits = "".join(ch for ch in (member.phone or "") if ch.isdigit() or ch == "+")
        link = f"sms:{digits}?body={quote(body)}"
    no_address = not (member.email if method == "email" else member.phone)
    return Offer(method, language, str(LANGUAGES[language]), subject, body, link, missing, no_address)


# A sender delivers an attempt's message. Today the case manager sends it from their own mail or
# phone (the mailto:/sms: link), so the default sender does nothing; an SMTP or SMS gateway would
# implement send() and replace the entry for its channel.
class ManualSender:
    automatic = False

    def send(self, to: str | None, subject: str | None, body: str) -> None:
        return None


SENDERS = {"email": ManualSender(), "text": ManualSender()}


def deliver(contact, member) -> None:
    sender = SENDERS.get(contact.method)
    if sender is not None and contact.message_text and contact.direction == "outbound":
        sender.send(member.email if contact.method == "email" else member.phone,
                    contact.message_subject, contact.message_text)


# The admin's editor -------------------------------------------------------------------------------

@bp.get("/admin/message-templates")
@require("admin")
def templates():
    rows = ensure_templates()
    db.session.commit()
    return render("contact/templates.html", templates=rows, placeholders=PLACEHOLDERS, languages=LANGUAGES)


@bp.route("/admin/message-templates/<int:template_id>", methods=["GET", "POST"])
@require("admin")
def template_edit(template_id):
    template = db.session.get(MessageTemplate, template_id) or abort(404)
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        template.subject = (form.subject.data or "").strip() or None if template.channel.endswith("email") else None
        template.body = form.body.data.strip()
        template.updated_by_id = current_user.id
        audit.record("update", obj=template, changes=audit.changes(template))
        db.session.commit()
        flash(_("Template saved."), "success")
        return redirect(url_for("contact.templates"))
    return render("contact/template_edit.html", template=template, form=form, placeholders=PLACEHOLDERS,
                  languages=LANGUAGES, status=422 if form.errors else 200)
