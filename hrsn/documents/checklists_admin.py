"""The admin's checklist templates: for each service, the documents it needs, named in English and Spanish."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from hrsn import audit
from hrsn.access import require
from hrsn.documents import bp
from hrsn.documents.forms import TemplateItemForm
from hrsn.extensions import db
from hrsn.models import ChecklistTemplateItem, ServiceType
from hrsn.render import edit_page, render


@bp.route("/admin/checklists", methods=["GET", "POST"])
@require("admin")
def templates():
    services = db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order, ServiceType.id)).all()
    form, adding_to = TemplateItemForm(), request.form.get("service_code")
    if request.method == "POST":
        if adding_to not in {s.code for s in services}:
            abort(400)
        if form.validate_on_submit():
            last = db.session.scalar(db.select(db.func.max(ChecklistTemplateItem.sort_order))
                                     .where(ChecklistTemplateItem.service_code == adding_to)) or 0
            row = ChecklistTemplateItem(service_code=adding_to, name_en=form.name_en.data.strip(),
                                        name_es=form.name_es.data.strip(), sort_order=last + 1)
            db.session.add(row)
            db.session.flush()
            audit.record("create", obj=row, changes={"service_code": [None, adding_to], "name_en": [None, row.name_en],
                                                     "name_es": [None, row.name_es]})
            db.session.commit()
            flash(_("Document added to the checklist."), "success")
            return redirect(url_for("documents.templates"))
    rows = db.session.scalars(db.select(ChecklistTemplateItem).order_by(ChecklistTemplateItem.sort_order,
                                                                        ChecklistTemplateItem.id)).all()
    by_service = {s.code: [r for r in rows if r.service_code == s.code] for s in services}
    return render("documents/templates.html", services=services, by_service=by_service, form=form,
                  adding_to=adding_to, status=422 if form.errors else 200)


@bp.route("/admin/checklists/<int:row_id>/edit", methods=["GET", "POST"])
@require("admin")
def edit_template(row_id):
    """Rename a document in both languages; checklists already made keep the name they were made with."""
    row = db.get_or_404(ChecklistTemplateItem, row_id)
    form = TemplateItemForm(obj=row if request.method == "GET" else None)

    def apply():
        row.name_en, row.name_es = form.name_en.data.strip(), form.name_es.data.strip()
    service = db.session.scalar(db.select(ServiceType).where(ServiceType.code == row.service_code))
    return edit_page(row, form, "documents/template_edit.html", apply=apply, back_to=url_for("documents.templates"),
                     message=_("Checklist updated. Members' checklists already made are not changed."),
                     row=row, service=service)


@bp.post("/admin/checklists/<int:row_id>/toggle")
@require("admin")
def toggle_template(row_id):
    row = db.get_or_404(ChecklistTemplateItem, row_id)
    row.active = not row.active
    audit.record("update", obj=row, changes=audit.changes(row))
    db.session.commit()
    flash(_("Checklist updated. Members' checklists already made are not changed."), "success")
    return redirect(url_for("documents.templates"))
