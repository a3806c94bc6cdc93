"""The Documents tab: the checklist and its files, asking the member for what is missing, other files,
landlords and utilities, eligibility; downloads through the access rule; the admin's checklist templates."""
from datetime import timedelta

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import format_date, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy import func

from hrsn import audit, today
from hrsn.access import get_member_or_404, require, visible_members
from hrsn.contact.messages import offer_message
from hrsn.documents import bp
from hrsn.documents import storage
from hrsn.documents.checklist import build_checklist, ensure_checklist_defaults, missing, request_message
from hrsn.documents.forms import EligibilityForm, TemplateItemForm, ThirdPartyForm, UploadForm, WaiveForm
from hrsn.extensions import db
from hrsn.members import TABS
from hrsn.models import (CHECKLIST_STATUSES, ChecklistItem, ChecklistTemplateItem, ContactAttempt, Document,
                         DocumentVersion, EligibilityCheck, Member, MemberThirdParty, ServiceType, ThirdParty, utcnow)
from hrsn.render import render, wants_fragment

REFUSALS = {
    "empty": _l("The file is empty. Choose the file again."),
    "type": _l("Only PDF, JPEG, PNG and HEIC files are accepted; this file is something else, whatever its name says."),
    "truncated": _l("This PDF is incomplete (it may not have finished downloading). Save it again and upload it."),
    "size": _l("The file is larger than the %(n)d MB limit. Nothing was saved."),
    "missing": _l("Choose a file to upload."),
}


# The tab -------------------------------------------------------------------------------------------

def documents_of(member):
    return db.session.scalars(db.select(Document).where(Document.member_id == member.id)
                              .order_by(Document.created_at.desc(), Document.id.desc())).all()


def links_of(member):
    return db.session.scalars(db.select(MemberThirdParty).where(MemberThirdParty.member_id == member.id)
                              .order_by(MemberThirdParty.id)).all()


def eligibility_history(member):
    return db.session.scalars(db.select(EligibilityCheck).where(EligibilityCheck.member_id == member.id)
                              .order_by(EligibilityCheck.recorded_at.desc(), EligibilityCheck.id.desc())).all()


def tab_context(member, **overrides) -> dict:
    items = build_checklist(member)
    db.session.commit()     # a checklist built just now is kept
    linked = links_of(member)
    linked_ids = {link.third_party_id for link in linked}
    context = {
        "member": member, "tab": "documents", "tabs": TABS, "items": items, "missing": missing(items),
        "statuses": CHECKLIST_STATUSES, "documents": [d for d in documents_of(member) if d.item_id is None],
        "upload_form": UploadForm(formdata=None), "waive_form": WaiveForm(formdata=None),
        "links": linked, "others": [p for p in db.session.scalars(db.select(ThirdParty).order_by(ThirdParty.name))
                                    if p.id not in linked_ids],
        "party_form": ThirdPartyForm(formdata=None), "eligibility": eligibility_history(member),
        "eligibility_form": EligibilityForm(formdata=None), "limit_mb": _limit_mb(),
    }
    context.update(overrides)
    return context


def _limit_mb() -> int:
    from hrsn import settings
    return settings.get("upload_max_mb")


@bp.get("/members/<int:member_id>/documents")
def tab(member_id):
    member = get_member_or_404(member_id, "documents")
    return render("documents/tab.html", **tab_context(member))


def _item(member, item_id) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.member_id != member.id:
        abort(404)
    return item


def _changed(member, partial, message, item=None, **overrides):
    """After a change: the updated part (a checklist item's row when `item`) for htmx, with an event for the
    rest of the tab; else back to the tab."""
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("documents.tab", member_id=member.id))
    return render("documents/tab.html", partial, headers={"HX-Trigger": "documentsChanged"}, item=item,
                  **tab_context(member, saved=message, saved_item=item.id if item else None, **overrides))


# The checklist -------------------------------------------------------------------------------------

@bp.post("/members/<int:member_id>/documents/items/<int:item_id>/move")
def move(member_id, item_id):
    member = get_member_or_404(member_id, "documents")
    item = _item(member, item_id)
    to = request.form.get("to", "")
    form = WaiveForm() if to == "waived" else None
    if form is not None and not form.validate_on_submit():
        return render("documents/tab.html", "documents/_item.html", status=422, item=item,
                      **tab_context(member, waive_form=form, waiving=item.id))
    before = item.status
    try:
        item.move(to, current_user, form.reason.data if form else None)
    except ValueError:
        return render("documents/tab.html", "documents/_item.html", status=409, item=item,
                      **tab_context(member, item_error=(item.id, _("This step is not possible from “%(status)s”.",
                                                                   status=item.status_label))))
    audit.record("update", member=member, obj=item, changes={"status": [before, item.status],
                                                             "waived_reason": [None, item.waived_reason]}
                 if to == "waived" else {"status": [before, item.status]})
    db.session.commit()
    return _changed(member, "documents/_item.html",
                    _("“%(item)s” is now %(status)s.", item=item.name, status=item.status_label), item=item)


@bp.get("/members/<int:member_id>/documents/missing")
def missing_summary(member_id):
    member = get_member_or_404(member_id, "documents", log_view=False)
    return render("documents/tab.html", "documents/_request.html", **tab_context(member))


@bp.post("/members/<int:member_id>/documents/request")
def ask(member_id):
    """Ask the member for what is still missing: a contact in the member's language; needed items become requested."""
    member = get_member_or_404(member_id, "documents")
    channel = request.form.get("channel")
    items = missing(build_checklist(member))
    if channel not in ("email", "text") or not items:
        error = _("Choose email or text message.") if items else _("Nothing is missing.")
        return render("documents/tab.html", "documents/_request.html", status=422,
                      **tab_context(member, request_error=error))
    subject, body = request_message(member, items, current_user, channel)
    contact = ContactAttempt(member_id=member.id, author_id=current_user.id, at=utcnow(), method=channel,
                             direction="outbound", outcome="message_sent", minutes=5, activity="navigation",
                             message_subject=subject, message_text=body,
                             note=_("Asked for %(n)d missing documents.", n=len(items)))
    db.session.add(contact)
    for item in items:
        if item.status == "needed":
            item.move("requested", current_user)
    db.session.flush()
    audit.record("create", member=member, obj=contact, changes={"method": [None, channel],
                                                                "items": [None, [i.name_en for i in items]]})
    db.session.commit()
    offer = offer_message(member, channel, current_user)
    link = _link(member, channel, subject, body) if offer else None
    return _changed(member, "documents/_request.html", _("The request was logged on the Contact tab."),
                    sent_text=body, sent_link=link, sent_channel=channel)


def _link(member, channel, subject, body):
    from urllib.parse import quote
    if channel == "email":
        return f"mailto:{quote(member.email or '')}?subject={quote(subject or '')}&body={quote(body)}"
    digits = "".join(ch for ch in (member.phone or "") if ch.isdigit() or ch == "+")
    return f"sms:{digits}?body={quote(body)}"


# Files ---------------------------------------------------------------------------------------------

def _receive(member, item=None, document=None):
    """Store the posted file; (version, None) or (None, (message, status))."""
    if request.files.get("file") is None or not request.files["file"].filename:
        return None, (str(REFUSALS["missing"]), 422)
    upload = request.files["file"]
    try:
        stored = storage.store(upload.stream, _limit_mb() * storage.MB)
    except storage.UploadRefused as refusal:
        reason = str(refusal)
        return None, (str(REFUSALS[reason]) % {"n": _limit_mb()}, 413 if reason == "size" else 422)
    number = (document.current.number + 1) if document is not None else 1
    version = DocumentVersion(number=number, stored_name=stored.stored_name, content_type=stored.content_type,
                              size=stored.size, sha256=stored.sha256, uploaded_by_id=current_user.id,
                              original_name=storage.display_name(upload.filename, f"document.{stored.stored_name[-3:]}"))
    return version, (None, 200)


@bp.post("/members/<int:member_id>/documents/upload")
def upload(member_id):
    """A file for a checklist item (which then counts as received) or for the member's record."""
    member = get_member_or_404(member_id, "documents")
    item_id = request.form.get("item_id", "")
    item = _item(member, int(item_id)) if item_id.isdigit() else None
    form = UploadForm()
    partial = "documents/_item.html" if item else "documents/_files.html"
    version, (error, status) = _receive(member) if form.validate_on_submit() else (None, (None, 422))
    if version is None:
        return render("documents/tab.html", partial, status=status, item=item, **tab_context(
            member, upload_form=form, upload_error=(item.id if item else "member", error)))
    document = Document(member_id=member.id, item_id=item.id if item else None, created_by_id=current_user.id,
                        title=(form.title.data or "").strip() or (item.name if item else version.original_name))
    document.versions.append(version)
    db.session.add(document)
    if item is not None and item.status in ("needed", "requested"):
        before = item.status
        item.move("received", current_user)
        audit.record("update", member=member, obj=item, changes={"status": [before, "received"]})
    db.session.flush()
    audit.record("create", member=member, obj=version, changes={
        "document": [None, document.id], "original_name": [None, version.original_name],
        "content_type": [None, version.content_type], "size": [None, version.size]})
    db.session.commit()
    message = _("“%(name)s” uploaded.", name=version.original_name)
    return _changed(member, partial, message, item=item)


@bp.post("/members/<int:member_id>/documents/<int:document_id>/replace")
def replace(member_id, document_id):
    """A new version of a document; the old versions stay listed and downloadable."""
    member = get_member_or_404(member_id, "documents")
    document = db.session.get(Document, document_id)
    if document is None or document.member_id != member.id:
        abort(404)
    item = document.item
    partial = "documents/_item.html" if item else "documents/_files.html"
    version, (error, status) = _receive(member, document=document) if UploadForm().validate_on_submit() \
        else (None, (None, 422))
    if version is None:
        return render("documents/tab.html", partial, status=status, item=item, **tab_context(
            member, upload_error=(f"doc-{document.id}", error)))
    document.versions.insert(0, version)
    db.session.flush()
    audit.record("update", member=member, obj=version, changes={
        "document": [document.id, document.id], "version": [version.number - 1, version.number],
        "original_name": [None, version.original_name]})
    db.session.commit()
    message = _("New version of “%(title)s” uploaded; the earlier ones are kept.", title=document.title)
    return _changed(member, partial, message, item=item)


@bp.get("/members/<int:member_id>/documents/files/<int:version_id>")
def download(member_id, version_id):
    member = get_member_or_404(member_id, "documents", log_view=False)
    version = db.session.get(DocumentVersion, version_id)
    if version is None or version.document.member_id != member.id:
        abort(404)
    try:
        path = storage.path_of(version.stored_name)
        handle = open(path, "rb")
    except OSError:
        abort(404)
    audit.record("download", member=member, obj=version, commit=True)
    return send_file(handle, mimetype=version.content_type, as_attachment=True,
                     download_name=version.original_name, max_age=0, etag=False, last_modified=None)


for endpoint in ("documents.upload", "documents.replace"):
    storage.UPLOAD_ENDPOINTS.add(endpoint)


# Third parties -------------------------------------------------------------------------------------

@bp.post("/members/<int:member_id>/third-parties")
def add_party(member_id):
    member = get_member_or_404(member_id, "documents")
    form = ThirdPartyForm()
    if not form.validate_on_submit():
        return render("documents/tab.html", "documents/_parties.html", status=422,
                      **tab_context(member, party_form=form, adding=True))
    party = ThirdParty(created_by_id=current_user.id)
    form.apply_to(party)
    db.session.add(party)
    db.session.flush()
    db.session.add(MemberThirdParty(member_id=member.id, third_party_id=party.id, linked_by_id=current_user.id))
    audit.record("create", member=member, obj=party, changes={"name": [None, party.name], "kind": [None, party.kind]})
    db.session.commit()
    return _changed(member, "documents/_parties.html", _("%(name)s added and linked.", name=party.name))


@bp.post("/members/<int:member_id>/third-parties/link")
def link_party(member_id):
    member = get_member_or_404(member_id, "documents")
    party_id = request.form.get("third_party_id", "")
    party = db.session.get(ThirdParty, int(party_id)) if party_id.isdigit() else None
    if party is None:
        return render("documents/tab.html", "documents/_parties.html", status=422,
                      **tab_context(member, link_error=_("Choose someone from the list.")))
    exists = db.session.scalar(db.select(MemberThirdParty).where(MemberThirdParty.member_id == member.id,
                                                                 MemberThirdParty.third_party_id == party.id))
    if exists is None:
        link = MemberThirdParty(member_id=member.id, third_party_id=party.id, linked_by_id=current_user.id)
        db.session.add(link)
        db.session.flush()
        audit.record("create", member=member, obj=link, changes={"third_party_id": [None, party.id]})
        db.session.commit()
    return _changed(member, "documents/_parties.html", _("%(name)s linked.", name=party.name))


@bp.post("/members/<int:member_id>/third-parties/<int:link_id>/unlink")
def unlink_party(member_id, link_id):
    member = get_member_or_404(member_id, "documents")
    link = db.session.get(MemberThirdParty, link_id)
    if link is None or link.member_id != member.id:
        abort(404)
    name = link.third_party.name
    audit.record("update", member=member, obj=link, changes={"third_party_id": [link.third_party_id, None]})
    db.session.delete(link)
    db.session.commit()
    return _changed(member, "documents/_parties.html", _("%(name)s unlinked; their details are kept.", name=name))


@bp.route("/members/<int:member_id>/third-parties/<int:party_id>/edit", methods=["GET", "POST"])
def edit_party(member_id, party_id):
    member = get_member_or_404(member_id, "documents", log_view=False)
    party = db.session.get(ThirdParty, party_id)
    if party is None or not any(link.member_id == member.id for link in party.links):
        abort(404)
    form = ThirdPartyForm(obj=party if request.method == "GET" else None)
    if request.method == "GET":
        form.preferred_contact.data = party.preferred_contact or ""
    elif form.validate_on_submit():
        form.apply_to(party)
        audit.record("update", member=member, obj=party, changes=audit.changes(party))
        db.session.commit()
        flash(_("%(name)s saved.", name=party.name), "success")
        return redirect(url_for("documents.tab", member_id=member.id))
    return render("documents/party_edit.html", member=member, party=party, form=form, tab="documents", tabs=TABS,
                  status=422 if form.errors else 200)


# Eligibility ---------------------------------------------------------------------------------------

@bp.post("/members/<int:member_id>/eligibility")
def eligibility(member_id):
    member = get_member_or_404(member_id, "documents")
    form = EligibilityForm()
    if not form.validate_on_submit():
        return render("documents/tab.html", "documents/_eligibility.html", status=422,
                      **tab_context(member, eligibility_form=form))
    check = EligibilityCheck(member_id=member.id, recorded_by_id=current_user.id, status=form.status.data,
                             medicaid_verified_on=form.medicaid_verified_on.data,
                             medicaid_verified_how=form.medicaid_verified_how.data or None,
                             questionnaire_on=form.questionnaire_on.data,
                             questionnaire_where=(form.questionnaire_where.data or "").strip() or None,
                             note=(form.note.data or "").strip() or None)
    db.session.add(check)
    db.session.flush()
    audit.record("create", member=member, obj=check, changes={k: [None, audit._plain(getattr(check, k))] for k in (
        "status", "medicaid_verified_on", "medicaid_verified_how", "questionnaire_on", "questionnaire_where")})
    db.session.commit()
    return _changed(member, "documents/_eligibility.html", _("Eligibility recorded: %(status)s.", status=check.status_label))


# The admin's checklist templates -------------------------------------------------------------------

@bp.route("/admin/checklists", methods=["GET", "POST"])
@require("admin")
def templates():
    ensure_checklist_defaults()
    db.session.commit()
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
            audit.record("create", obj=row, changes={"service_code": [None, adding_to], "name_en": [None, row.name_en]})
            db.session.commit()
            flash(_("Document added to the checklist."), "success")
            return redirect(url_for("documents.templates"))
    rows = db.session.scalars(db.select(ChecklistTemplateItem).order_by(ChecklistTemplateItem.sort_order,
                                                                        ChecklistTemplateItem.id)).all()
    by_service = {s.code: [r for r in rows if r.service_code == s.code] for s in services}
    return render("documents/templates.html", services=services, by_service=by_service, form=form,
                  adding_to=adding_to, status=422 if form.errors else 200)


@bp.post("/admin/checklists/<int:row_id>/toggle")
@require("admin")
def toggle_template(row_id):
    row = db.session.get(ChecklistTemplateItem, row_id) or abort(404)
    row.active = not row.active
    audit.record("update", obj=row, changes=audit.changes(row))
    db.session.commit()
    flash(_("Checklist updated. Members' checklists already made are not changed."), "success")
    return redirect(url_for("documents.templates"))


# Today ---------------------------------------------------------------------------------------------

@today.provider
def documents_awaited(user):
    """The user's members from whom documents were asked more than three days ago and have not arrived."""
    if not user.can("documents") or user.role == "admin":
        return None
    since = utcnow() - timedelta(days=3)
    rows = db.session.execute(
        db.select(Member, func.count(ChecklistItem.id), func.min(ChecklistItem.updated_at))
        .join(ChecklistItem, ChecklistItem.member_id == Member.id)
        .where(Member.assignee_id == user.id, Member.id.in_(visible_members(user).with_only_columns(Member.id)),
               ChecklistItem.status == "requested", ChecklistItem.updated_at < since)
        .group_by(Member.id).order_by(func.min(ChecklistItem.updated_at)).limit(10)).all()
    items = [today.Item(member=member, url=url_for("documents.tab", member_id=member.id),
                        text=ngettext("%(num)d document asked for on %(day)s", "%(num)d documents asked for since %(day)s",
                                      count, day=format_date(oldest)),
                        late=oldest < utcnow() - timedelta(days=7))
             for member, count, oldest in rows]
    return today.Section("documents", _("Documents still awaited"), items)
