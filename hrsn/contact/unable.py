"""Members marked unable to reach: the list to report back to each payer, its CSV, and marking one reported."""
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import require, rule_of, visible, visible_to
from hrsn.contact import bp
from hrsn.contact.rules import MARK_LINE, UNABLE_REASON, payer_words, unable_marks
from hrsn.extensions import db
from hrsn.models import Member, Payer, PayerOutcomeWord, Referral, UnableToReach, local_today
from hrsn.paging import paginate_by_id
from hrsn.render import render
from hrsn.sheets import csv_response
from hrsn.statements import built_once

PER_PAGE = 50


@built_once
def _listed(sees: str):
    return (db.select(UnableToReach.id).where(visible_to(UnableToReach.member_id, sees))
            .order_by(UnableToReach.reported_on.is_not(None), UnableToReach.marked_on.desc(), UnableToReach.id.desc()))


_LINES = db.select(UnableToReach).where(UnableToReach.id.in_(db.bindparam("ids", expanding=True))).options(*MARK_LINE)


@bp.get("/contact/unable-to-reach")
@require("contact")
def unable_list():
    """Marks not yet reported first, the latest first: the page's ids sorted alone, then its lines loaded (each
    statement built once per kind of rule, the user bound when it runs)."""
    page = paginate_by_id(_listed(rule_of(current_user)), _LINES, page=params.page(), per_page=PER_PAGE, values={})
    audit.view_list("UnableToReach")
    return render("contact/unable_list.html", page=page, payer_words=payer_words(page.items))


@bp.get("/contact/unable-to-reach.csv")
@require("contact")
def unable_csv():
    """The marks not yet reported, for the payers, as CSV (with ?all=1 every mark, reported ones too): the columns
    only, read in one query."""
    everything = params.number("all") == 1
    query = (
        db.select(Member.first_name, Member.last_name, Member.medicaid_id, Member.dob, Payer.name.label("payer"),
                  PayerOutcomeWord.words, Referral.external_id, Referral.received_on, UnableToReach.marked_on,
                  UnableToReach.attempts, UnableToReach.methods, UnableToReach.reported_on)
        .join(Member, Member.id == UnableToReach.member_id)
        .outerjoin(Referral, Referral.id == UnableToReach.referral_id).outerjoin(Payer, Payer.id == Referral.payer_id)
        .outerjoin(PayerOutcomeWord, db.and_(PayerOutcomeWord.payer_id == Payer.id,
                                             PayerOutcomeWord.reason == UNABLE_REASON))
        .where(visible(UnableToReach.member_id))
        .order_by(UnableToReach.marked_on, UnableToReach.id))
    if not everything:
        query = query.where(UnableToReach.reported_on.is_(None))
    marks = db.session.execute(query).all()
    header = [_("Member"), _("Medicaid ID"), _("Date of birth"), _("Payer"), _("Outcome in the payer's words"),
              _("Referral ID"), _("Referral received"), _("Marked unable to reach"), _("Attempts"), _("Methods"),
              _("Reported to the payer")]
    rows = ((f"{first} {last}", medicaid_id, dob, payer or "", words or "", external_id or "", received_on or "",
             marked_on, attempts, methods, reported_on or "")
            for first, last, medicaid_id, dob, payer, words, external_id, received_on, marked_on, attempts, methods,
            reported_on in marks)
    audit.record_now("export", record_type="UnableToReach", changes={"rows": [None, len(marks)]})
    return csv_response(header, rows, "unable-to-reach-all.csv" if everything else "unable-to-reach.csv")


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
