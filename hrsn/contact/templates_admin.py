"""The admin's message templates: the email and text messages to members, in English and Spanish."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit
from hrsn.access import require
from hrsn.contact import bp
from hrsn.contact.forms import TemplateForm
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.models import LANGUAGES, PLACEHOLDERS, MessageTemplate
from hrsn.render import conflict_events, render


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
    conflict, status = None, 200
    if request.method == "GET":
        form.fill_version(template)
    elif not form.validate_on_submit():
        status = 422
    elif form.is_stale(template):
        conflict, status = conflict_events(template, form), 409
    else:
        template.subject = clean_or_none(form.subject.data) if template.channel.endswith("email") else None
        template.body = form.body.data.strip()
        template.updated_by_id = current_user.id
        audit.record("update", obj=template, changes=audit.changes(template))
        db.session.commit()
        flash(_("Template saved."), "success")
        return redirect(url_for("contact.templates"))
    return render("contact/template_edit.html", template=template, form=form, placeholders=PLACEHOLDERS,
                  languages=LANGUAGES, conflict=conflict, status=status)
