"""The weekly timesheet: a staff member's time (from contacts, and added by hand), submitted to lock the week,
reopened by a coordinator with a reason."""
from datetime import date, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import require
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.models import TIME_ACTIVITIES, Payer, Timesheet, TimeEntry, User, local_today, week_of
from hrsn.paging import paginate
from hrsn.render import conflict_events, edit_page, refused, render
from hrsn.reports import bp
from hrsn.reports.forms import SubmitForm, TimeEntryForm, UnlockForm
from hrsn.reports.rules import (PER_PAGE, caseload_of, may_unlock, payer_of_member, sees_everyones_time, staff_choices,
                                timesheet_of, week_entries, week_locked, week_totals)


def _whose() -> User:
    """The staff member whose week is asked for: one's own unless a coordinator names another."""
    staff_id = params.number("staff")
    if staff_id is None or staff_id == current_user.id:
        return current_user
    if not sees_everyones_time(current_user):
        audit.refusal(403, "time")
        abort(403)
    staff = db.session.get(User, staff_id)
    return staff if staff is not None else abort(404)


def _week() -> date:
    raw = request.values.get("week", "")
    try:
        return week_of(date.fromisoformat(raw))
    except ValueError:
        return week_of(local_today())


def _offer(form: TimeEntryForm, staff: User) -> TimeEntryForm:
    form.member_id.offer(caseload_of(staff.id), lambda m: m.full_name, blank=_("No member"))
    form.payer_id.offer(db.session.scalars(db.select(Payer).where(Payer.active.is_(True)).order_by(Payer.name)),
                        lambda p: p.name, blank=_("No payer"))
    return form


def week_context(staff: User, week: date, form=None, **extra) -> dict:
    sheet = timesheet_of(staff.id, week)
    page = paginate(week_entries(staff.id, week), page=params.page(), per_page=PER_PAGE)
    submit, unlock_form = SubmitForm(formdata=None), UnlockForm(formdata=None)
    if sheet is not None:
        submit.fill_version(sheet)
        unlock_form.fill_version(sheet)
    return {"staff": staff, "week": week, "sheet": sheet, "entries": page, "totals": week_totals(staff.id, week),
            "days": [week + timedelta(days=i) for i in range(7)], "activities": TIME_ACTIVITIES,
            "form": form or _offer(TimeEntryForm(formdata=None, day=local_today() if week_of(local_today()) == week
                                                 else week), staff),
            "submit_form": submit, "unlock_form": unlock_form, "staff_list": staff_choices(current_user),
            "may_unlock": may_unlock(current_user), "previous": week - timedelta(days=7),
            "next": week + timedelta(days=7), **extra}


@bp.get("/time")
@require("time")
def week():
    staff, week_start = _whose(), _week()
    audit.view_list("TimeEntry")
    return render("reports/timesheet.html", **week_context(staff, week_start))


def _done(message, back_to: str):
    """These forms are whole-page posts (no fragment to swap): the sentence is flashed and the week shown again."""
    flash(str(message), "success")
    return redirect(back_to)


def _back(staff: User, week_start: date) -> str:
    return url_for("reports.week", staff=staff.id, week=week_start.isoformat())


def _apply(entry: TimeEntry, form: TimeEntryForm) -> None:
    entry.day, entry.minutes, entry.activity = form.day.data, form.minutes.number, form.activity.data
    entry.member_id = form.member_id.record.id if form.member_id.record else None
    chosen = form.payer_id.record.id if form.payer_id.record else None
    entry.payer_id = chosen or (payer_of_member(entry.member_id) if entry.member_id else None)
    entry.note = clean_or_none(form.note.data)


def _locked_error(form: TimeEntryForm, staff: User) -> bool:
    if form.day.data and week_locked(staff.id, form.day.data):
        form.day.errors = [*form.day.errors, _("That week was submitted and is locked; a coordinator can reopen it.")]
        return True
    return False


@bp.post("/time/entries")
@require("time")
def add_entry():
    staff, week_start = _whose(), _week()
    form = _offer(TimeEntryForm(), staff)
    valid = form.validate_on_submit()
    if not valid or _locked_error(form, staff):
        return refused("reports/timesheet.html", None, status=422, **week_context(staff, week_start, form=form))
    entry = TimeEntry(staff_id=staff.id, source="manual", created_by_id=current_user.id)
    _apply(entry, form)
    audit.add(entry, member=entry.member if entry.member_id else None,
              fields=("staff_id", "day", "minutes", "activity", "member_id", "payer_id", "note"))
    db.session.commit()
    return _done(_("Time added."), _back(staff, week_of(entry.day)))


@bp.route("/time/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@require("time")
def edit_entry(entry_id):
    entry = db.session.get(TimeEntry, entry_id)
    if entry is None or not entry.by_hand:
        abort(404)
    if entry.staff_id != current_user.id and not sees_everyones_time(current_user):
        audit.refusal(403, "time")
        abort(403)
    staff, was = entry.staff, entry.day
    if week_locked(staff.id, was):
        return refused("reports/entry_form.html", None, status=409, entry=entry, form=None, locked=True,
                       message=_("That week was submitted and is locked; a coordinator can reopen it."))
    form = _offer(TimeEntryForm(obj=entry if request.method == "GET" else None), staff)

    def fill(form):
        form.minutes.data = str(entry.minutes)
        form.member_id.data = str(entry.member_id or "")
        form.payer_id.data = str(entry.payer_id or "")

    if request.method == "POST" and _locked_error(form, staff):
        form.validate_on_submit()
        form.day.errors = [*form.day.errors, _("That week was submitted and is locked; a coordinator can reopen it.")]
        return refused("reports/entry_form.html", None, status=422, entry=entry, form=form)
    return edit_page(entry, form, "reports/entry_form.html", apply=lambda: _apply(entry, form), fill=fill, entry=entry,
                     back_to=_back(staff, week_of(form.day.data or was)), message=_("Time saved."), member=entry.member)


@bp.post("/time/submit")
@require("time")
def submit():
    staff, week_start = _whose(), _week()
    sheet, form = timesheet_of(staff.id, week_start), SubmitForm()
    if sheet is not None and (form.is_stale(sheet) or sheet.locked):
        message = _("This week was already submitted.") if sheet.locked else \
            _("Someone changed this timesheet meanwhile; look at it again before submitting.")
        return refused("reports/timesheet.html", None, status=409, message=message,
                       **week_context(staff, week_start, conflict=conflict_events(sheet, form)))
    if sheet is None:
        sheet = Timesheet(staff_id=staff.id, week_start=week_start)
        sheet.begin("open", current_user)
        db.session.add(sheet)
    sheet.move("submitted", current_user)
    sheet.submitted_minutes = week_totals(staff.id, week_start)["total"]
    db.session.flush()
    audit.record("update", obj=sheet, changes={"status": ["open", "submitted"],
                                               "submitted_minutes": [None, sheet.submitted_minutes]})
    db.session.commit()
    return _done(_("Week submitted; its time is locked."), _back(staff, week_start))


@bp.post("/time/unlock")
@require("time")
def unlock():
    if not may_unlock(current_user):
        audit.refusal(403, "time")
        abort(403)
    staff, week_start = _whose(), _week()
    sheet, form = timesheet_of(staff.id, week_start), UnlockForm()
    if sheet is None or not sheet.locked:
        return refused("reports/timesheet.html", None, status=409, message=_("This week is not locked."),
                       **week_context(staff, week_start))
    if not form.validate_on_submit():
        return refused("reports/timesheet.html", None, status=422, **week_context(staff, week_start, unlock_form=form))
    if form.is_stale(sheet):
        return refused("reports/timesheet.html", None, status=409, message=_("Someone changed this timesheet meanwhile."),
                       **week_context(staff, week_start, conflict=conflict_events(sheet, form)))
    step = sheet.move("open", current_user, form.reason.data)
    db.session.flush()
    audit.record("update", obj=sheet, changes={"status": ["submitted", "open"], "reason": [None, step.note]})
    db.session.commit()
    return _done(_("Week reopened."), _back(staff, week_start))
