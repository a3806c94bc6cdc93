"""The admin's message templates: the email and text messages to members, in English and Spanish."""
from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn.access import require
from hrsn.contact import bp
from hrsn.contact.forms import TemplateForm
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.models import LANGUAGES, PLACEHOLDERS, MessageTemplate
from hrsn.render import edit_page, render


@bp.get("/admin/message-templates")
@require("admin")
def templates():
    rows = db.session.scalars(db.select(MessageTemplate).order_by(MessageTemplate.channel, MessageTemplate.language))
    return render("contact/templates.html", templates=rows.all(), placeholders=PLACEHOLDERS, languages=LANGUAGES)


@bp.route("/admin/message-templates/<int:template_id>", methods=["GET", "POST"])
@require("admin")
def template_edit(template_id):
    template = db.get_or_404(MessageTemplate, template_id)
    form = TemplateForm(obj=template if request.method == "GET" else None)

    def apply():
        template.subject = clean_or_none(form.subject.data) if template.channel.endswith("email") else None
        template.body = form.body.data.strip()
        template.updated_by_id = current_user.id
    return edit_page(template, form, "contact/template_edit.html", apply=apply, back_to=url_for("contact.templates"),
                     message=_("Template saved."), template=template, placeholders=PLACEHOLDERS, languages=LANGUAGES)
