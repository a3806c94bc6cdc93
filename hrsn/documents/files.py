"""Files on the Documents tab: uploads to a checklist item or to the member, new versions, and downloads that
go through the member access rule and into the audit trail."""
from flask import abort, request, send_file
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from hrsn import audit
from hrsn.access import get_member_or_404
from hrsn.documents import bp, storage
from hrsn.documents.forms import UploadForm
from hrsn.documents.views import changed, item_of, limit_mb, tab_context
from hrsn.extensions import db
from hrsn.models import Document, DocumentVersion
from hrsn.render import render

REFUSALS = {
    "empty": _l("The file is empty. Choose the file again."),
    "type": _l("Only PDF, JPEG, PNG and HEIC files are accepted; this file is something else, whatever its name says."),
    "truncated": _l("This PDF is incomplete (it may not have finished downloading). Save it again and upload it."),
    "size": _l("The file is larger than the %(n)d MB limit. Nothing was saved."),
    "missing": _l("Choose a file to upload."),
}


def receive(document=None):
    """Store the posted file; (version, None) or (None, (message, status))."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, (str(REFUSALS["missing"]), 422)
    try:
        stored = storage.store(upload.stream, limit_mb() * storage.MB)
    except storage.UploadRefused as refusal:
        reason = str(refusal)
        return None, (str(REFUSALS[reason]) % {"n": limit_mb()}, 413 if reason == "size" else 422)
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
    item = item_of(member, int(item_id)) if item_id.isdigit() else None
    form = UploadForm()
    partial = "documents/_item.html" if item else "documents/_files.html"
    version, (error, status) = receive() if form.validate_on_submit() else (None, (None, 422))
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
    return changed(member, partial, _("“%(name)s” uploaded.", name=version.original_name), item=item)


@bp.post("/members/<int:member_id>/documents/<int:document_id>/replace")
def replace(member_id, document_id):
    """A new version of a document; the old versions stay listed and downloadable."""
    member = get_member_or_404(member_id, "documents")
    document = db.session.get(Document, document_id)
    if document is None or document.member_id != member.id:
        abort(404)
    item = document.item
    partial = "documents/_item.html" if item else "documents/_files.html"
    version, (error, status) = receive(document) if UploadForm().validate_on_submit() else (None, (None, 422))
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
    return changed(member, partial, message, item=item)


@bp.get("/members/<int:member_id>/documents/files/<int:version_id>")
def download(member_id, version_id):
    """The file, looked up through the member (another member's id in the address finds nothing)."""
    member = get_member_or_404(member_id, "documents", log_view=False)
    version = db.session.scalar(db.select(DocumentVersion).join(Document).where(
        DocumentVersion.id == version_id, Document.member_id == member.id))
    if version is None:
        abort(404)
    try:
        handle = open(storage.path_of(version.stored_name), "rb")
    except OSError:
        abort(404)
    audit.record("download", member=member, obj=version, commit=True)
    return send_file(handle, mimetype=version.content_type, as_attachment=True,
                     download_name=version.original_name, max_age=0, etag=False, last_modified=None)


storage.UPLOAD_ENDPOINTS.update({"documents.upload", "documents.replace"})
