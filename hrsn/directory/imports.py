"""Loading a county or 2-1-1 list in HSDS files: upload, a preview of every row, then the import applied on
confirmation; and the whole directory exported as the same files."""
import json
import os
import re
import secrets
import time
import zipfile
from datetime import date

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, storage
from hrsn.access import require
from hrsn.directory import bp
from hrsn.directory.hsds import read_upload, write_zip
from hrsn.directory.sync import MODELS, SPECS, Plan, plan
from hrsn.directory.sync_apply import apply, load_existing
from hrsn.extensions import db
from hrsn.render import render

TOKEN = re.compile(r"[0-9a-f]{32}")
STAGED_FOR = 24 * 3600      # seconds a preview may wait for its confirmation
SHOWN = 300          # rows of each kind listed in the preview (the counts are always whole)


def _staged(token: str):
    """The staged upload of this user (a zip of what was sent) and its file names; 404 for anyone else's."""
    if not TOKEN.fullmatch(token or ""):
        abort(404)
    folder = storage.uploads_dir() / ".imports"
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.zip"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        abort(404)
    if meta.get("user_id") != current_user.id:
        abort(404)
    with zipfile.ZipFile(data_path) as archive:
        files = [(info.filename.split("/", 1)[1], archive.read(info)) for info in archive.infolist()]
    return files, meta, (meta_path, data_path)


def _stage(files) -> str:
    """Keep what was sent until it is confirmed, inside the private uploads folder (a preview left unconfirmed
    for a day is cleared away when the next one is staged)."""
    token = secrets.token_hex(16)
    folder = storage.uploads_dir() / ".imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    for old in folder.iterdir():
        if time.time() - old.stat().st_mtime > STAGED_FOR:
            old.unlink(missing_ok=True)
    with zipfile.ZipFile(folder / f"{token}.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for i, (name, content) in enumerate(files):
            archive.writestr(f"{i}/{storage.display_name(name, 'upload.csv')}", content)
    (folder / f"{token}.json").write_text(json.dumps({"user_id": current_user.id,
                                                      "names": [name for name, _c in files]}))
    return token


def _preview(result, token=None, names=(), status=200):
    return render("directory/import.html", "directory/_preview.html", status=status, result=result, token=token,
                  names=names, shown=SHOWN, models=MODELS)


@bp.route("/import", methods=["GET", "POST"])
@require("directory_edit")
def import_file():
    """Upload (a zip, or the CSV files) and see what the import would do; nothing changes yet."""
    if request.method == "GET":
        return _preview(None)
    files = [(f.filename or "upload.csv", f.read()) for f in request.files.getlist("files") if f and f.filename]
    if not files:
        return _preview(Plan(errors=[("—", None, _("Choose a zip file or the CSV files to import."))]), status=422)
    result = plan(read_upload(files))
    names = [name for name, _c in files]
    token = _stage(files) if result.applicable else None
    return _preview(result, token, names, status=200 if not result.errors else 422)


@bp.post("/import/<token>")
@require("directory_edit")
def import_apply(token):
    """Apply the previewed import in one transaction, after checking it again against the directory as it is."""
    files, meta, paths = _staged(token)
    result = plan(read_upload(files))
    if not result.applicable:
        return _preview(result, None, meta["names"], status=409)
    counts = apply(result, current_user)
    db.session.commit()
    for path in paths:
        os.unlink(path)
    flash(_("Import done: %(new)d new rows, %(changed)d changed.", new=counts["new"], changed=counts["changed"]),
          "success")
    return redirect(url_for("directory.index"))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def export_tables() -> dict:
    """The directory as HSDS rows: every table, references by HSDS id, our additions in hrsn_ columns."""
    found = Plan()
    load_existing(found)
    tables = {}
    for table in MODELS:
        spec = SPECS[table]
        tables[table] = [{"id": hsds_id, **{column: _cell(row.get(ours)) for column, ours, _f in spec.fields},
                          **{column: _cell(row.get(ours)) for column, ours, _p, _r in spec.refs}}
                         for hsds_id, row in found.existing[table].items()]
    for row in tables["schedule"]:
        row["freq"] = "WEEKLY" if row["byday"] else ""
    tables["address"] = [{"id": row["address_hsds_id"], "location_id": hsds_id, "address_type": "physical",
                          **{c: _cell(row.get(c)) for c in ("address_1", "address_2", "city", "state_province",
                                                             "postal_code", "country")}}
                         for hsds_id, row in found.existing["location"].items() if row.get("address_hsds_id")]
    return tables


@bp.get("/export.zip")
@require("directory")
def export():
    content = write_zip(export_tables())
    audit.record_now("export", record_type="Directory")
    response = make_response(content)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = f'attachment; filename="directory-hsds-{date.today().isoformat()}.zip"'
    return response
