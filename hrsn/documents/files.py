"""Files on the Documents tab: uploads to a checklist item or to the member, new versions, and downloads that
go through the member access rule and into the audit trail."""
from contextlib import contextmanager

from flask import abort, request, send_file
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from hrsn import audit, params, storage
from hrsn.access import member_for_change, member_for_fragment, owned
from hrsn.documents import bp
from hrsn.documents.forms import UploadForm
from hrsn.documents.rules import limit_mb
from hrsn.documents.views import done, files_context, item_context, tab_context
from hrsn.extensions import db
from hrsn.forms import clean_text
from hrsn.models import MISSING_STATUSES, ChecklistItem, Document, DocumentVersion
from hrsn.render import refused, render

REFUSALS = {
    "empty": _l("The file is empty. Choose the file again."),
    "type": _l("Only PDF, JPEG, PNG and HEIC files are accepted; this file is something else, whatever its name says."),
    "truncated": _l("This PDF is incomplete (it may not have finished downloading). Save it again and upload it."),
    "size": _l("The file is larger than the %(n)d MB limit. Nothing was saved."),
    "missing": _l("Choose a file to upload."),
    "disk": _l("The desk's disk is full or cannot be written, so the file was not saved. Tell your administrator."),
}
STATUS = {"size": 413, "disk": 507}


def receive(document=None):
    """Store the posted file; (version, None) or (None, (message, status))."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, (str(REFUSALS["missing"]), 422)
    try:
        stored = storage.store(upload.stream, limit_mb() * storage.MB)
    except storage.UploadRefused as refusal:
        reason = str(refusal)
        return None, (str(REFUSALS[reason]) % {"n": limit_mb()}, STATUS.get(reason, 422))
    number = (document.current.number + 1) if document is not None else 1
    version = DocumentVersion(number=number, stored_name=stored.stored_name, content_type=stored.content_type,
                              size=stored.size, sha256=stored.sha256, uploaded_by_id=current_user.id,
                              original_name=storage.display_name(upload.filename, f"document.{stored.stored_name[-3:]}"))
    return version, (None, 200)


@contextmanager
def kept_with_its_row(version):
    """The stored file stays only if its row is committed: no file without its row, whatever fails."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        storage.discard(version.stored_name)
        raise


@bp.post("/members/<int:member_id>/documents/upload")
def upload(member_id):
    """A file for a checklist item (which then counts as received) or for the member's record."""
    member = member_for_change(member_id, "documents")
    item_id = params.number("item_id", source=request.form)
    item = owned(ChecklistItem, item_id, member) if item_id else None
    form = UploadForm()
    version, (error, status) = receive() if form.validate_on_submit() else (None, (None, 422))
    if version is None:
        where = item.id if item else "member"
        return _part(member, item, refused, status=status, message=error, upload_form=form,
                     upload_error=(where, error))
    with kept_with_its_row(version):
        document = Document(member_id=member.id, item_id=item.id if item else None, created_by_id=current_user.id,
                            title=clean_text(form.title.data) or (item.name if item else version.original_name))
        document.versions.append(version)
        db.session.add(document)
        if item is not None and item.status in MISSING_STATUSES:
            before = item.status
            item.move("received", current_user)
            audit.record("update", member=member, obj=item, changes={"status": [before, "received"]})
        db.session.flush()
        audit.record("create", member=member, obj=version, changes={
            "document": [None, document.id], "original_name": [None, version.original_name],
            "content_type": [None, version.content_type], "size": [None, version.size],
            "sha256": [None, version.sha256]})
        db.session.commit()
    return _part(member, item, done, message=_("File uploaded."))


def _part(member, item, answer, message, status=None, **extra):
    """The checklist item's row when the file belongs to one, else the member's other documents."""
    if item is not None:
        context = item_context(member, item, saved_item=item.id, **extra)
        partial = "documents/_item.html"
    else:
        context, partial = files_context(member, **extra), "documents/_files.html"
    if answer is done:
        return done(partial, member, message, context)
    return refused("documents/tab.html", partial, status=status, message=message,
                   page_context=lambda: tab_context(member), **context)


@bp.post("/members/<int:member_id>/documents/<int:document_id>/replace")
def replace(member_id, document_id):
    """A new version of a document; the old versions stay listed and downloadable."""
    member = member_for_change(member_id, "documents")
    document = owned(Document, document_id, member)
    item = document.item
    version, (error, status) = receive(document) if UploadForm().validate_on_submit() else (None, (None, 422))
    if version is None:
        return _part(member, item, refused, status=status, message=error, upload_error=(f"doc-{document.id}", error))
    with kept_with_its_row(version):
        document.versions.insert(0, version)
        db.session.flush()
        audit.record("update", member=member, obj=version, changes={
            "document": [document.id, document.id], "version": [version.number - 1, version.number],
            "original_name": [None, version.original_name]})
        db.session.commit()
    return _part(member, item, done, message=_("New version uploaded; the earlier ones are kept."))


@bp.get("/members/<int:member_id>/documents/files/<int:version_id>")
def download(member_id, version_id):
    """The file, looked up through the member (another member's id in the address finds nothing)."""
    member = member_for_fragment(member_id, "documents")
    version = db.session.scalar(db.select(DocumentVersion).join(Document).where(
        DocumentVersion.id == version_id, Document.member_id == member.id))
    if version is None:
        abort(404)
    try:
        intact = storage.sha256_of(version.stored_name) == version.sha256
        handle = open(storage.path_of(version.stored_name), "rb")
    except OSError:
        abort(404)
    if not intact:
        # Changed on disk since it was uploaded: not sent; the trail keeps it and the admin sees it on Today.
        handle.close()
        audit.record_now("altered", member=member, record_type="DocumentVersion", record_id=version.id)
        return render("errors/error.html", "errors/_error.html", status=409, code=409,
                      title=_("This file was changed"),
                      message=_("The file on disk is no longer the one uploaded, so it is not sent. "
                                "Your administrator is told."))
    audit.record_now("download", member=member, record_type="DocumentVersion", record_id=version.id)
    return send_file(handle, mimetype=version.content_type, as_attachment=True,
                     download_name=storage.download_name(version.original_name, version.content_type),
                     max_age=0, etag=False, last_modified=None)

