"""The member's Follow-up tab: each case's check-ins (done by a contact logged as that check-in, rescheduled or
skipped), re-applying a template to a case, closing the member's episode with a reason and reopening it."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from hrsn import audit, params
from hrsn.access import member_for_change, member_for_fragment, member_for_view, owned
from hrsn.extensions import db
from hrsn.followup import bp, rules
from hrsn.followup.forms import CloseForm, CompleteForm, ReopenForm, RescheduleForm, SkipForm
from hrsn.forms import clean_or_none, clean_text
from hrsn.models import (OPEN_NEEDS, Case, CheckIn, ContactAttempt, Episode, Goal, Need, add_goal_progress, add_need,
                         current_episode, generate_schedule, local_today, reengagement_progress, set_need_status,
                         utcnow)
from hrsn.render import changed, conflict_events, refused, render

WORK = "contact"        # follow-up is done by the roles that work with the member; finance only reads the tab
EVENTS = ("checkInChanged",)


def for_work(member_id, closed_ok=False):
    if not current_user.can(WORK):
        audit.refusal(403, "followup")
        abort(403)
    if request.method == "GET":
        return member_for_view(member_id, "case")
    return member_for_change(member_id, "case", closed_ok=closed_ok)


# The tab's statements, built once: the member's or the case's id bound when they run.
_CASE_CHOSEN = db.select(Case).where(Case.member_id == db.bindparam("member_id"), Case.id == db.bindparam("case_id"))
_CASE_NEWEST = (db.select(Case).where(Case.member_id == db.bindparam("member_id"))
                .order_by(Case.status == "closed", Case.opened_on.desc(), Case.id.desc()).limit(1))
_CASES = (db.select(Case).where(Case.member_id == db.bindparam("member_id"))
          .order_by(Case.opened_on.desc(), Case.id.desc()).limit(20))


def chosen_case(member, case_id=None):
    """The case asked for, else the member's newest open case, else their newest."""
    return db.session.scalar(_CASE_CHOSEN if case_id else _CASE_NEWEST, {"member_id": member.id, "case_id": case_id})


def check_in_of(member, check_in_id) -> CheckIn:
    return owned(CheckIn, check_in_id, member)


# What each part of the tab is drawn from ----------------------------------------------------------

def schedule_context(member, case, **extra) -> dict:
    schedule = rules.schedule_page(case, params.number("checkins", 1) or 1) if case else None
    return {"member": member, "case": case, "schedule": schedule, "today": local_today(), **extra}


def closing_context(member, close_form=None, reopen_form=None, **extra) -> dict:
    episode = current_episode(member.id)
    closed = episode is not None and episode.closed
    context = {"member": member, "episode": episode, "closed": closed,
               "episodes": rules.episodes_page(member, params.number("episodes", 1) or 1), **extra}
    if closed:
        if reopen_form is None:
            reopen_form = ReopenForm(formdata=None)
            reopen_form.fill_version(episode)
        context["reopen_form"] = reopen_form
    else:
        items = rules.closing_items(member)
        if close_form is None:
            close_form = CloseForm(formdata=None, closed_on=local_today())
            close_form.version.data = str(episode.version) if episode else "0"
        close_form.carry.choices = [(item["key"], item["label"]) for item in items]
        context.update(close_form=close_form, items=items, reengagement=reengagement_progress(member.id))
    return context


def tab_context(member, case=None) -> dict:
    case = case or chosen_case(member, params.number("case"))
    cases = db.session.scalars(_CASES, {"member_id": member.id}).all()
    return {"tab": "followup", "cases": cases, **schedule_context(member, case), **closing_context(member)}


@bp.get("/members/<int:member_id>/followup")
def tab(member_id):
    member = member_for_view(member_id, "case")
    context = tab_context(member)
    if params.number("case") and context["case"] is None:
        abort(404)
    return render("followup/tab.html", **context)


@bp.get("/members/<int:member_id>/followup/<int:case_id>/schedule")
def schedule(member_id, case_id):
    """The case's check-ins alone, as they reload after a change."""
    member = member_for_fragment(member_id, "case")
    case = owned(Case, case_id, member)
    return render("followup/tab.html", "followup/_schedule.html", page_context=lambda: tab_context(member, case),
                  **schedule_context(member, case))


@bp.post("/members/<int:member_id>/followup/<int:case_id>/reapply")
def reapply(member_id, case_id):
    """Apply the service's current template to this case again: open check-ins are replaced, done and skipped
    ones stay."""
    member = for_work(member_id)
    case = owned(Case, case_id, member)
    partial = "followup/_schedule.html"
    if case.status == "closed":
        error = _("This case is closed: its schedule cannot change.")
        return refused("followup/tab.html", partial, status=409, message=error,
                       page_context=lambda: tab_context(member, case), **schedule_context(member, case, error=error))
    added = generate_schedule(case, current_user, replace=True)
    if not added and not rules.schedule_page(case).total:
        error = _("This service has no active follow-up template to apply.")
        return refused("followup/tab.html", partial, status=409, message=error,
                       page_context=lambda: tab_context(member, case), **schedule_context(member, case, error=error))
    audit.record("update", member=member, obj=case, changes={"schedule": [None, "re-applied"]})
    db.session.commit()
    return changed(partial, message=_("The template is applied again: %(n)d check-ins scheduled.", n=len(added)),
                   events=EVENTS, back_to=url_for("followup.tab", member_id=member.id, case=case.id),
                   **schedule_context(member, case))


def _check_in_change(member, check_in, form, apply, message):
    """Reschedule or skip: the form checked, the version checked, the rule checked, then saved."""
    case = check_in.case
    partial = "followup/_schedule.html"

    def refuse(status, error=None, conflict=None):
        return refused("followup/tab.html", partial, status=status, message=error,
                       page_context=lambda: tab_context(member, case),
                       **schedule_context(member, case, error=error, failed=check_in.id, failed_form=form,
                                          conflict=conflict))
    if not form.validate_on_submit():
        return refuse(422)
    if form.is_stale(check_in):
        return refuse(409, _("Someone else changed this check-in meanwhile."), conflict_events(check_in, form))
    error = apply()
    if error:
        return refuse(422, error)
    check_in.changed_by_id, check_in.changed_at = current_user.id, utcnow()
    with db.session.no_autoflush:
        changes = audit.changes(check_in)
    audit.record("update", member=member, obj=check_in, changes=changes)
    db.session.commit()
    return changed(partial, message=message, events=EVENTS,
                   back_to=url_for("followup.tab", member_id=member.id, case=case.id), **schedule_context(member, case))


@bp.post("/members/<int:member_id>/check-ins/<int:check_in_id>/reschedule")
def reschedule(member_id, check_in_id):
    member = for_work(member_id)
    check_in = check_in_of(member, check_in_id)
    form = RescheduleForm(prefix=f"r{check_in.id}")

    def apply():
        problem = rules.reschedule_problem(check_in, form.due_on.data)
        if problem:
            form.due_on.errors = [*form.due_on.errors, problem]
            return problem
        check_in.due_on, check_in.status = form.due_on.data, "rescheduled"
        check_in.reason = clean_text(form.reason.data)
    return _check_in_change(member, check_in, form, apply, _("The check-in is rescheduled."))


@bp.post("/members/<int:member_id>/check-ins/<int:check_in_id>/skip")
def skip(member_id, check_in_id):
    member = for_work(member_id)
    check_in = check_in_of(member, check_in_id)
    form = SkipForm(prefix=f"s{check_in.id}")

    def apply():
        if not check_in.open:
            return _("This check-in is %(status)s: only a check-in still due can be skipped.",
                     status=check_in.status_label.lower())
        check_in.status, check_in.reason = "skipped", clean_text(form.reason.data)
    return _check_in_change(member, check_in, form, apply, _("The check-in is skipped."))


@bp.route("/members/<int:member_id>/check-ins/<int:check_in_id>/complete", methods=["GET", "POST"])
def complete(member_id, check_in_id):
    """Log the contact that completes the check-in (prefilled as one); from the tab or from Today's line."""
    member = for_work(member_id)
    check_in = check_in_of(member, check_in_id)
    if request.method == "GET":
        form = CompleteForm(formdata=None)
        form.fill_version(check_in)
        offer_plan(form, member)
        return render("followup/complete.html", "followup/_complete.html", member=member, check_in=check_in,
                      form=form, tab="followup")
    form = CompleteForm()
    offer_plan(form, member)
    page = "followup/complete.html"
    partial = "followup/_complete.html"
    if not form.validate_on_submit():
        return refused(page, partial, status=422, member=member, check_in=check_in, form=form, tab="followup")
    if form.is_stale(check_in) or not check_in.open:
        error = _("This check-in was changed meanwhile (now: %(status)s).", status=check_in.status_label.lower())
        return refused(page, partial, status=409, message=error, member=member, check_in=check_in, form=form,
                       error=error, conflict=conflict_events(check_in, form), tab="followup")
    contact = ContactAttempt(member_id=member.id, at=form.at_utc, method=form.method.data,
                             direction=form.direction.data, outcome=form.outcome.data,
                             minutes=form.minutes.number or 0, activity=form.activity.data,
                             note=clean_or_none(form.note.data), author_id=current_user.id)
    audit.add(contact, member=member, fields=("at", "method", "direction", "outcome", "minutes", "activity", "note"),
              changes={"check_in": [None, check_in.id]})
    check_in.status, check_in.contact_id, check_in.done_on = "done", contact.id, local_today()
    check_in.changed_by_id, check_in.changed_at = current_user.id, utcnow()
    with db.session.no_autoflush:
        changes = audit.changes(check_in)
    audit.record("update", member=member, obj=check_in, changes=changes)
    plan_changed = write_to_plan(form, member, check_in)
    db.session.commit()
    return changed(partial, message=_("The check-in is done and its contact logged."),
                   events=(*EVENTS, "contactLogged", *(("planChanged",) if plan_changed else ())),
                   back_to=url_for("followup.tab", member_id=member.id, case=check_in.case_id),
                   member=member, check_in=check_in, form=None, done=True, tab="followup")


def offer_plan(form, member) -> None:
    """The member's open needs and the goals they are working on, for what a check-in may write to the plan."""
    needs = db.session.scalars(db.select(Need).where(Need.member_id == member.id, Need.status.in_(OPEN_NEEDS))
                               .order_by(Need.priority, Need.id).limit(50)).all()
    goals = db.session.scalars(db.select(Goal).where(Goal.member_id == member.id, Goal.status == "active")
                               .order_by(Goal.id).limit(50)).all()
    form.offer_plan(needs, goals)


def write_to_plan(form, member, check_in) -> bool:
    """What the check-in found, on the member's plan: a need met, a goal's progress, a new need. True when the
    plan changed (it is then due for review)."""
    need = form.need_met.record
    if need is not None:
        before = need.status
        set_need_status(need, "met")
        audit.record("update", member=member, obj=need, changes={"status": [before, "met"],
                                                                 "check_in": [None, check_in.id]})
    if form.goal.record is not None:
        note = add_goal_progress(form.goal.record, clean_text(form.progress.data), source_id=check_in.id,
                                 by=current_user)
        audit.add(note, member=member, fields=("goal_id", "text", "source"))
    if form.new_need_domain.data:
        found = add_need(member.id, form.new_need_domain.data, by=current_user, source_on=local_today(),
                         description=clean_or_none(form.new_need.data), source="check-in")
        audit.add(found, member=member, fields=("domain", "description", "source"))
    return bool(need is not None or form.goal.record is not None or form.new_need_domain.data)


# Closing and reopening ------------------------------------------------------------------------------

@bp.get("/members/<int:member_id>/followup/closing")
def closing(member_id):
    member = member_for_fragment(member_id, "case")
    return render("followup/tab.html", "followup/_closing.html", page_context=lambda: tab_context(member),
                  **closing_context(member))


@bp.post("/members/<int:member_id>/close")
def close(member_id):
    """Close the member's episode: a reason, a summary, a date; whatever is still open must be resolved first or
    carried on purpose; unable to reach only once the outreach rule is met again since the last contact."""
    member = for_work(member_id, closed_ok=True)
    episode = current_episode(member.id)
    form = CloseForm()
    partial = "followup/_closing.html"

    def refuse(status, error=None, conflict=None):
        return refused("followup/tab.html", partial, status=status, message=error,
                       page_context=lambda: tab_context(member),
                       **closing_context(member, close_form=form, error=error, conflict=conflict))
    if episode is not None and episode.closed:
        return refuse(409, _("This member's record is already closed."))
    if not form.validate_on_submit():
        return refuse(422)
    if str(form.version.data or "") != (str(episode.version) if episode else "0"):
        return refuse(409, _("Someone else changed this member's episode meanwhile."),
                      conflict_events(episode, form) if episode else [])
    items = {item["key"]: item for item in rules.closing_items(member)}
    carried = [key for key in (form.carry.data or []) if key in items]
    left = [item["label"] for key, item in items.items() if key not in carried]
    if left:
        error = _("Resolve these first, or tick them to carry them into the closed record: %(items)s.",
                  items="; ".join(left))
        form.carry.errors = [error]
        return refuse(422, error)
    if form.closed_on.data > local_today():
        form.closed_on.errors = [_("The closing date cannot be in the future.")]
        return refuse(422, form.closed_on.errors[0])
    if form.reason.data == "unable_to_reach":
        progress = reengagement_progress(member.id)
        if not progress["met"]:
            error = _("Not yet: since the last time the member was reached, %(a)d of %(need)d attempts by %(m)d of "
                      "%(methods)d methods were made. Make a new round of attempts first.",
                      a=progress["attempts"], need=progress["rule"].attempts, m=progress["methods"],
                      methods=progress["rule"].methods)
            form.reason.errors = [error]
            return refuse(422, error)
    if episode is None:
        episode = Episode(member_id=member.id, number=1, opened_on=min(rules.first_day(member), form.closed_on.data))
        db.session.add(episode)
    elif form.closed_on.data < episode.opened_on:
        form.closed_on.errors = [_("The closing date cannot be before the episode opened.")]
        return refuse(422, form.closed_on.errors[0])
    episode.closed_on, episode.close_reason = form.closed_on.data, form.reason.data
    episode.summary, episode.closed_by_id = clean_text(form.summary.data), current_user.id
    episode.carried = [{"kind": items[k]["kind"], "id": items[k]["id"], "label": str(items[k]["label"])}
                       for k in carried] or None
    try:
        db.session.flush()
    except (IntegrityError, StaleDataError):    # another closing of the same member won the race
        db.session.rollback()
        return refuse(409, _("Someone else changed this member's episode meanwhile."))
    audit.record("update", member=member, obj=episode,
                 changes={"closed_on": [None, episode.closed_on.isoformat()],
                          "close_reason": [None, episode.close_reason],
                          "carried": [None, carried or None]})
    db.session.commit()
    return changed(partial, message=_("The member's record is closed."), events=("memberChanged", "memberClosed"),
                   back_to=url_for("followup.tab", member_id=member.id), **closing_context(member))


@bp.post("/members/<int:member_id>/reopen")
def reopen(member_id):
    member = for_work(member_id, closed_ok=True)
    episode = current_episode(member.id)
    form = ReopenForm()
    partial = "followup/_closing.html"
    if episode is None or not episode.closed:
        error = _("This member's record is open.")
        return refused("followup/tab.html", partial, status=409, message=error,
                       page_context=lambda: tab_context(member),
                       **closing_context(member, error=error))
    if not form.validate_on_submit():
        return refused("followup/tab.html", partial, status=422, page_context=lambda: tab_context(member),
                       **closing_context(member, reopen_form=form))
    if form.is_stale(episode):
        error = _("Someone else changed this member's episode meanwhile.")
        return refused("followup/tab.html", partial, status=409, message=error,
                       page_context=lambda: tab_context(member),
                       **closing_context(member, reopen_form=form, error=error,
                                         conflict=conflict_events(episode, form)))
    new = Episode(member_id=member.id, number=episode.number + 1, opened_on=local_today(),
                  open_reason=clean_text(form.reason.data), opened_by_id=current_user.id)
    try:
        audit.add(new, member=member, fields=("number", "opened_on", "open_reason"))
    except IntegrityError:          # someone reopened it at the same moment: their episode stands
        db.session.rollback()
        error = _("Someone else changed this member's episode meanwhile.")
        return refused("followup/tab.html", partial, status=409, message=error,
                       page_context=lambda: tab_context(member), **closing_context(member, error=error))
    db.session.commit()
    return changed(partial, message=_("The member's record is open again, as a new episode."),
                   events=("memberChanged", "memberClosed"), back_to=url_for("followup.tab", member_id=member.id),
                   **closing_context(member))
