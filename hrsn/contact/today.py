"""What the contact step puts on Today, and the list of members to report back to the payer."""
import csv
import io

from flask import Response, abort, flash, g, redirect, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from hrsn import audit, today
from hrsn.access import require, visible_members
from hrsn.contact import bp
from hrsn.extensions import db
from hrsn.models import ContactAttempt, Member, Referral, UnableToReach, local_today, outreach_progress
from hrsn.models.contact import OutreachRule
from hrsn.render import render

# Referral statuses in which the member is still to be reached.
OUTREACH_STATUSES = ("new", "enrolled")


def my_open_outreach(user):
    """(member, progress) for the user's members still being reached, computed once per request."""
    cache = g.setdefault("_open_outreach", {})
    if user.id not in cache:
        cache[user.id] = _open_outreach(user)
    return cache[user.id]


def _open_outreach(user):
    open_referral = db.select(Referral.id).where(Referral.member_id == Member.id,
                                                 Referral.status.in_(OUTREACH_STATUSES)).exists()
    query = (visible_members(user).where(Member.assignee_id == user.id, open_referral)
             .options(selectinload(Member.referrals)))
    members = [m for m in db.session.scalars(query) if m.status in OUTREACH_STATUSES]
    if not members:
        return []
    ids = [m.id for m in members]
    contacts, marks = {}, {}
    for contact in db.session.scalars(db.select(ContactAttempt).where(ContactAttempt.member_id.in_(ids))):
        contacts.setdefault(contact.member_id, []).append(contact)
    for mark in db.session.scalars(db.select(UnableToReach).where(UnableToReach.member_id.in_(ids))):
        marks[mark.referral_id] = mark
    rule = OutreachRule.current()
    result = []
    for member in members:
        progress = outreach_progress(member, rule, contacts.get(member.id, []),
                                     marks.get(member.latest_referral.id) or False)
        if progress.open:
            result.append((member, progress))
    return result


def _url(member):
    return url_for("contact.tab", member_id=member.id)


@today.provider
def attempts_due(user):
    if not user.can("contact"):
        return None
    day = local_today()
    section = today.Section("outreach-due", _("Outreach attempts due"))
    for member, progress in my_open_outreach(user):
        if progress.met or progress.next_due is None or progress.next_due > day:
            continue
        number = progress.attempts + 1
        if progress.next_due < day:
            text = _("Attempt %(n)d was due %(day)s", n=number, day=format_date(progress.next_due))
        else:
            text = _("Attempt %(n)d is due today", n=number)
        section.items.append(today.Item(member, text, _url(member), late=progress.next_due < day))
    section.items.sort(key=lambda item: not item.late)
    return section


@today.provider
def ready_unable(user):
    if not user.can("contact"):
        return None
    items = [today.Item(member, _("%(a)d attempts by %(m)d methods: the outreach rule is met",
                                  a=progress.attempts, m=progress.methods), _url(member))
             for member, progress in my_open_outreach(user) if progress.can_mark_unable]
    return today.Section("ready-unable", _("Ready to mark unable to reach"), items)


def _unreported(user):
    return (db.select(UnableToReach).join(Member, Member.id == UnableToReach.member_id)
            .where(Member.id.in_(visible_members(user).with_only_columns(Member.id))))


@today.provider
def to_report(user):
    if not user.can("contact"):
        return None
    marks = db.session.scalars(_unreported(user).where(UnableToReach.reported_on.is_(None))
                               .order_by(UnableToReach.marked_on).limit(20)).all()
    if not marks:
        return None
    items = [today.Item(mark.member, _("Unable to reach since %(day)s", day=format_date(mark.marked_on)),
                        url_for("contact.unable_list")) for mark in marks]
    return today.Section("unable-report", _("Unable to reach: report back to the payer"), items,
                         more_url=url_for("contact.unable_list"))


@bp.get("/contact/unable-to-reach")
@require("contact")
def unable_list():
    marks = db.session.scalars(_unreported(current_user).order_by(
        UnableToReach.reported_on.is_not(None), UnableToReach.marked_on.desc()).limit(500)).all()
    audit.record("view", record_type="UnableToReach", commit=True)
    return render("contact/unable_list.html", marks=marks)


@bp.get("/contact/unable-to-reach.csv")
@require("contact")
def unable_csv():
    """The list for the payer, as CSV (cells that a spreadsheet would run as formulas are defused)."""
    marks = db.session.scalars(_unreported(current_user).order_by(UnableToReach.marked_on)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Member"), _("Medicaid ID"), _("Date of birth"), _("Payer"), _("Referral ID"),
                     _("Referral received"), _("Marked unable to reach"), _("Attempts"), _("Methods"),
                     _("Reported to the payer")])
    for mark in marks:
        referral, member = mark.referral, mark.member
        writer.writerow([_cell(v) for v in (
            member.full_name, member.medicaid_id, member.dob, referral.payer.name if referral and referral.payer else "",
            referral.external_id if referral else "", referral.received_on if referral else "",
            mark.marked_on, mark.attempts, mark.methods, mark.reported_on or "")])
    audit.record("export", record_type="UnableToReach", changes={"rows": [None, len(marks)]}, commit=True)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=unable-to-reach.csv"})


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.post("/contact/unable-to-reach/<int:mark_id>/reported")
@require("contact")
def reported(mark_id):
    mark = db.session.scalar(_unreported(current_user).where(UnableToReach.id == mark_id)) or abort(404)
    if mark.reported_on is None:
        mark.reported_on, mark.reported_by_id = local_today(), current_user.id
        audit.record("update", member=mark.member, obj=mark, changes=audit.changes(mark))
        db.session.commit()
        flash(_("Marked as reported to the payer."), "success")
    return redirect(url_for("contact.unable_list"))
