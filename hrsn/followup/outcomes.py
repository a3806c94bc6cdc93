"""Outcomes reported back to the payer (the list, its CSV, marking one reported), the coordinator's week, the
user's check-ins as a calendar, and the admin's templates and payer settings."""
import csv
import hashlib
import io
from datetime import timezone

from flask import Response, abort, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user
from wtforms import StringField

from hrsn import audit, params
from hrsn.access import member_for_change, require
from hrsn.extensions import db
from hrsn.followup import bp, rules
from hrsn.followup.forms import DeadlineForm, ReportedForm, TemplateForm
from hrsn.forms import Text, clean_text
from hrsn.models import (CLOSING_REASONS, Episode, FollowupTemplate, Payer, PayerDeadline, PayerOutcomeWord,
                         Role, ServiceType, User, local_today, utcnow)
from hrsn.render import changed, edit_page, refused, render


# Outcomes not yet reported back ---------------------------------------------------------------------

@bp.get("/outcomes")
@require("contact")
def outcomes():
    page = rules.unreported_page(current_user, params.page())
    audit.view_list("outcomes")
    return render("followup/outcomes.html", page=page, form=ReportedForm(formdata=None, reported_on=local_today()))


@bp.get("/outcomes.csv")
@require("contact")
def outcomes_csv():
    """Every outcome not reported yet, in the columns a payer's platform is updated from."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["payer", "payer_referral_id", "medicaid_id", "last_name", "first_name", "closed_on", "reason",
                     "payer_words", "summary"])
    rows = db.session.execute(rules.unreported(current_user)).unique().all()
    for episode, external_id, payer, words in rows:
        m = episode.member
        writer.writerow([payer or "", external_id or "", m.medicaid_id or "", _cell(m.last_name), _cell(m.first_name),
                         episode.closed_on.isoformat(), episode.close_reason, words or "", _cell(episode.summary)])
    audit.record_now("export", record_type="outcomes", changes={"rows": [None, len(rows)]})
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=outcomes-to-report.csv"})


def _cell(text) -> str:
    """A spreadsheet never runs what a cell holds: a leading = + - @ is quoted away."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@bp.post("/outcomes/<int:episode_id>/reported")
@require("contact")
def reported(episode_id):
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        abort(404)
    member = member_for_change(episode.member_id, "contact", closed_ok=True)
    form = ReportedForm(prefix=f"e{episode.id}")
    back = url_for("followup.outcomes")
    if not form.validate_on_submit() or episode.closed_on is None:
        return refused("followup/outcomes.html", "followup/_outcome_row.html", status=422,
                       page_context=lambda: {"page": rules.unreported_page(current_user, 1)},
                       row=(episode, None, None, None), row_form=form)
    if form.is_stale(episode) or episode.reported_on is not None:
        error = _("This outcome was changed meanwhile; reload the list.")
        return refused("followup/outcomes.html", "followup/_outcome_row.html", status=409, message=error,
                       page_context=lambda: {"page": rules.unreported_page(current_user, 1)},
                       row=(episode, None, None, None), row_form=form, error=error)
    if form.reported_on.data > local_today() or form.reported_on.data < episode.closed_on:
        form.reported_on.errors = [_("The date reported falls between the closing date and today.")]
        return refused("followup/outcomes.html", "followup/_outcome_row.html", status=422,
                       page_context=lambda: {"page": rules.unreported_page(current_user, 1)},
                       row=(episode, None, None, None), row_form=form)
    episode.reported_on, episode.reported_by_id = form.reported_on.data, current_user.id
    audit.record("update", member=member, obj=episode,
                 changes={"reported_on": [None, episode.reported_on.isoformat()]})
    db.session.commit()
    return changed("followup/_outcome_row.html", message=_("Marked as reported to the payer."),
                   events=("outcomeReported",), back_to=back, row=(episode, None, None, None), done=True)


# The coordinator's week ------------------------------------------------------------------------------

@bp.get("/week")
@require("contact")
def week():
    """Each staff member's check-ins due this week and overdue, and caseloads; coordinators see everyone and may
    reassign from here, others see their own line only."""
    staff = params.number("staff")
    coordinator = current_user.role in (Role.COORDINATOR, Role.ADMIN)
    if not coordinator:
        staff = current_user.id
    rows = rules.week_rows(params.page()) if coordinator else None
    items = rules.week_items(staff, params.number("items", 1) or 1) if staff else None
    chosen = db.session.get(User, staff) if staff else None
    assignees = db.session.scalars(db.select(User).where(User.active.is_(True), User.role.in_(
        [str(r) for r in (Role.CASE_MANAGER, Role.COORDINATOR, Role.ADMIN)])).order_by(User.name)).all() \
        if coordinator else []
    return render("followup/week.html", rows=rows, items=items, chosen=chosen, coordinator=coordinator,
                  assignees=assignees, week_end=rules.week_end())


@bp.post("/week/reassign/<int:member_id>")
@require("assign")
def reassign(member_id):
    member = member_for_change(member_id, "assign")
    to = params.number("assignee", source=request.form)
    user = db.session.get(User, to) if to else None
    if user is None or not user.active or not user.takes_caseload:
        abort(400)
    before = member.assignee_id
    member.assignee_id = user.id
    audit.record("update", member=member, obj=member, changes={"assignee_id": [before, user.id]})
    db.session.commit()
    return changed("followup/_reassigned.html", message=_("The member is reassigned."), events=("memberChanged",),
                   back_to=url_for("followup.week", staff=before), user=user)


# The calendar ---------------------------------------------------------------------------------------

# A calendar application asks for the feed every few minutes and it seldom changes: each user's latest file is kept
# with the fingerprint of what it was made from (the check-ins' rows, the address its links use and the language),
# and sent again while that is the same, or answered 304 when the application already has it.
_FEEDS: dict[int, tuple[str, bytes]] = {}


@bp.get("/check-ins.ics")
@require("contact")
def calendar():
    """The user's check-ins still to do, as an iCalendar file: initials and a link only, never a name."""
    rows = rules.my_open_check_ins(current_user)
    fingerprint = hashlib.sha256(repr((request.host_url, str(get_locale()), [tuple(r) for r in rows])).encode())
    tag = fingerprint.hexdigest()[:32]
    kept = _FEEDS.get(current_user.id)
    body = kept[1] if kept is not None and kept[0] == tag else _feed(rows)
    _FEEDS[current_user.id] = (tag, body)
    audit.record_now("download", record_type="check-ins calendar")
    response = Response(body, mimetype="text/calendar",
                        headers={"Content-Disposition": "attachment; filename=check-ins.ics"})
    response.set_etag(tag)
    return response.make_conditional(request)


def _feed(rows) -> bytes:
    from icalendar import Calendar, Event
    cal = Calendar()
    cal.add("prodid", "-//HRSN case desk//check-ins//EN")
    cal.add("version", "2.0")
    stamp = utcnow()
    for row in rows:
        event = Event()
        event.add("uid", f"check-in-{row.id}@{request.host}")
        event.add("summary", _("Check-in: %(initials)s", initials=f"{row.first or ''}{row.last or ''}".upper()))
        event.add("dtstart", row.due_on)
        event.add("dtstamp", (row.changed_at or stamp).replace(tzinfo=timezone.utc))
        event.add("url", url_for("followup.tab", member_id=row.member_id, case=row.case_id, _external=True))
        cal.add_component(event)
    return cal.to_ical()


# Admin: templates and payer settings ------------------------------------------------------------------

@bp.get("/admin/followup-templates")
@require("admin")
def templates():
    rows = db.session.execute(db.select(ServiceType, FollowupTemplate)
                              .outerjoin(FollowupTemplate, FollowupTemplate.service_type_id == ServiceType.id)
                              .order_by(ServiceType.sort_order, ServiceType.id)).all()
    payers = db.session.execute(db.select(Payer, PayerDeadline).outerjoin(PayerDeadline,
                                                                          PayerDeadline.payer_id == Payer.id)
                                .order_by(Payer.name)).all()
    return render("followup/templates.html", rows=rows, payers=payers)


@bp.route("/admin/followup-templates/<int:service_type_id>", methods=["GET", "POST"])
@require("admin")
def template_edit(service_type_id):
    service = db.session.get(ServiceType, service_type_id) or abort(404)
    template = db.session.scalar(db.select(FollowupTemplate).where(FollowupTemplate.service_type_id == service.id)) \
        or FollowupTemplate(service_type_id=service.id, style="fixed", count_from="opened", active=True)
    form = TemplateForm(obj=template if template.id and request.method == "GET" else None)

    def fill(form):
        form.closing_month.data = str(template.closing_month or "")

    def apply():
        template.style, template.count_from = form.style.data, form.count_from.data
        template.check_in_months = (", ".join(str(m) for m in sorted(_months(form))) or None) \
            if form.style.data == "fixed" else None
        template.closing_month, template.active = form.closing_month.number, bool(form.active.data)
    if request.method == "POST" and form.validate_on_submit():
        problems = rules.template_problems(form)
        if problems:
            form.check_in_months.errors = list(problems)
            return render("followup/template_form.html", form=form, service=service, status=422)
    return edit_page(template, form, "followup/template_form.html", apply=apply, fill=fill,
                     back_to=url_for("followup.templates"), message=_("The template is saved. Schedules already "
                                                                       "made stay as they are."), service=service)


def _months(form):
    from hrsn.models import parse_months
    return parse_months(form.check_in_months.data)


@bp.route("/admin/payer-followup/<int:payer_id>", methods=["GET", "POST"])
@require("admin")
def payer_settings(payer_id):
    """A payer's deadlines and the words its referral platform uses for each closing reason."""
    payer = db.session.get(Payer, payer_id) or abort(404)
    deadline = db.session.scalar(db.select(PayerDeadline).where(PayerDeadline.payer_id == payer.id)) \
        or PayerDeadline(payer_id=payer.id, first_contact_days=rules.FIRST_CONTACT_DAYS,
                         outreach_days=rules.OUTREACH_DAYS)
    words = {w.reason: w for w in db.session.scalars(db.select(PayerOutcomeWord)
                                                     .where(PayerOutcomeWord.payer_id == payer.id))}

    class Form(DeadlineForm):
        pass
    for reason, label in CLOSING_REASONS.items():
        setattr(Form, f"words_{reason}", StringField(label, validators=[Text(200)]))
    form = Form(obj=deadline if deadline.id and request.method == "GET" else None)

    def fill(form):
        form.first_contact_days.data = str(deadline.first_contact_days)
        form.outreach_days.data = str(deadline.outreach_days)
        for reason in CLOSING_REASONS:
            getattr(form, f"words_{reason}").data = words[reason].words if reason in words else ""

    def apply():
        changes = {}
        deadline.first_contact_days = form.first_contact_days.number
        deadline.outreach_days = form.outreach_days.number
        for reason in CLOSING_REASONS:
            text = clean_text(getattr(form, f"words_{reason}").data)
            row = words.get(reason)
            if row is None and text:
                db.session.add(PayerOutcomeWord(payer_id=payer.id, reason=reason, words=text))
                changes[f"words_{reason}"] = [None, text]
            elif row is not None and row.words != text:
                changes[f"words_{reason}"] = [row.words, text or None]
                if text:
                    row.words = text
                else:
                    db.session.delete(row)
        return changes
    return edit_page(deadline, form, "followup/payer_form.html", apply=apply, fill=fill,
                     back_to=url_for("followup.templates"), message=_("The payer's follow-up settings are saved."),
                     payer=payer)
