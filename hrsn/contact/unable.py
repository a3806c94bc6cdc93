"""Members marked unable to reach: the list to report back to each payer, its CSV, and marking one reported."""
import csv
import io

from flask import Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import require
from hrsn.contact import bp
from hrsn.contact.rules import unable_marks
from hrsn.extensions import db
from hrsn.models import UnableToReach, local_today
from hrsn.render import render

PER_PAGE = 50


def _listed():
    return unable_marks(current_user).order_by(UnableToReach.reported_on.is_not(None), UnableToReach.marked_on.desc(),
                                               UnableToReach.id.desc())


@bp.get("/contact/unable-to-reach")
@require("contact")
def unable_list():
    page = db.paginate(_listed(), page=params.page(), per_page=PER_PAGE, error_out=False)
    audit.view_list("UnableToReach")
    return render("contact/unable_list.html", page=page)


def spreadsheet_cell(value) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula is defused with a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/contact/unable-to-reach.csv")
@require("contact")
def unable_csv():
    """The list for the payers, as CSV."""
    marks = db.session.scalars(unable_marks(current_user).order_by(UnableToReach.marked_on, UnableToReach.id)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Member"), _("Medicaid ID"), _("Date of birth"), _("Payer"), _("Referral ID"),
                     _("Referral received"), _("Marked unable to reach"), _("Attempts"), _("Methods"),
                     _("Reported to the payer")])
    for mark in marks:
        referral, member = mark.referral, mark.member
        writer.writerow([spreadsheet_cell(v) for v in (
            member.full_name, member.medicaid_id, member.dob, referral.payer.name if referral and referral.payer else "",
            referral.external_id if referral else "", referral.received_on if referral else "",
            mark.marked_on, mark.attempts, mark.methods, mark.reported_on or "")])
    audit.record_now("export", record_type="UnableToReach", changes={"rows": [None, len(marks)]})
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=unable-to-reach.csv"})


@bp.post("/contact/unable-to-reach/<int:mark_id>/reported")
@require("contact")
def reported(mark_id):
    mark = db.session.scalar(unable_marks(current_user).where(UnableToReach.id == mark_id))
    if mark is None:
        abort(404)
    if mark.reported_on is None:
        mark.reported_on, mark.reported_by_id = local_today(), current_user.id
        audit.record("update", member=mark.member, obj=mark, changes=audit.changes(mark))
        db.session.commit()
        flash(_("Marked as reported to the payer."), "success")
    return redirect(url_for("contact.unable_list"))
