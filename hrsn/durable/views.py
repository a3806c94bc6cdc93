"""The admin's data page: the last verification and backup, the backup passphrase, and a restore."""
from pathlib import Path

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from hrsn.durable import archive, bp, verify
from hrsn.durable.forms import PassphraseForm, RestoreForm, RunForm
from hrsn.durable.rules import refusal_text
from hrsn.durable.sealed import Refused, new_key
from hrsn.extensions import db
from hrsn.models import CareRun
from hrsn.render import render


def _last(kind: str):
    return db.session.scalar(db.select(CareRun).where(CareRun.kind == kind).order_by(CareRun.id.desc()).limit(1))


def _archives():
    folder = archive.backup_folder()
    return folder, [{"name": p.name, "size": p.stat().st_size} for p in archive.archives(folder)[:40]]


def _page(passphrase_form=None, status=200):
    folder, found = _archives()
    last_verify = _last("verify")
    return render("durable/index.html", status=status, run_form=RunForm(), folder=folder, archives=found,
                  key_set=archive.stored_key() is not None, last_verify=last_verify,
                  verify_lines=verify.lines(last_verify.summary) if last_verify else [],
                  last_backup=archive.last_backup(), last_restore=_last("restore"),
                  passphrase_form=passphrase_form or PassphraseForm(key=archive.stored_key()))


@bp.get("/")
def index():
    return _page()


@bp.post("/verify")
def run_verify():
    if not RunForm().validate_on_submit():
        return _page(status=400)
    db.session.commit()                 # no write lock held while every file is read
    result = verify.run()
    verify.record(result, how="admin", user=current_user)
    db.session.commit()
    if result["ok"]:
        flash(_("Verification finished: everything checks."), "success")
    else:
        flash(_("Verification found problems: see the list below."), "error")
    return redirect(url_for("durable.index"))


@bp.post("/backup")
def run_backup():
    if not RunForm().validate_on_submit():
        return _page(status=400)
    try:
        path = archive.backup(how="admin", user=current_user)
    except Refused as error:
        db.session.rollback()
        flash(refusal_text(error), "error")
        return redirect(url_for("durable.index"))
    db.session.commit()
    flash(_("Backup written: %(name)s.", name=path.name), "success")
    return redirect(url_for("durable.index"))


@bp.post("/passphrase")
def set_passphrase():
    form = PassphraseForm(key=archive.stored_key())
    if not form.validate_on_submit():
        return _page(passphrase_form=form, status=422)
    archive.store_key(new_key(form.passphrase.data, n=current_app.config.get("BACKUP_SCRYPT_N")))
    from hrsn import audit
    audit.record("update", record_type="Setting", changes={"backup_passphrase": ["…", "…"]})
    db.session.commit()
    flash(_("Backup passphrase saved. Backups from now on need it to be restored."), "success")
    return redirect(url_for("durable.index"))


@bp.route("/restore", methods=["GET", "POST"])
def restore_page():
    folder, found = _archives()
    form = RestoreForm()
    form.archive.choices = [(a["name"], a["name"]) for a in found]
    current = archive.in_use()
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            opened = archive.open_archive(Path(folder) / form.archive.data, form.passphrase.data)
        except Refused as error:
            problem = refusal_text(error)
        else:
            try:
                if any(current.values()) and not form.replace.data:
                    raise Refused("not-empty")
                archive.restore(opened, confirmed=True, how="admin")
            except Refused as error:
                problem = refusal_text(error)
            else:
                logout_user()              # the accounts are now the archive's: sign in again
                flash(_("The archive was restored and verified. Sign in with an account of the restored data."),
                      "success")
                return redirect(url_for("auth.login"))
            finally:
                opened.close()
    status = 422 if request.method == "POST" else 200
    return render("durable/restore.html", status=status, form=form, folder=folder, current=current, problem=problem)
