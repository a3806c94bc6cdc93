"""Triage screens: the queues, a referral with its decisions, and assignment (one by one or in a batch)."""
from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from hrsn import audit, database, params
from hrsn.access import may_see, require
from hrsn.extensions import db
from hrsn.models import LANGUAGES, Member, Payer, Referral, Role, ServiceType, local_today
from hrsn.models.intake import REFERRAL_STATUSES, SOURCES, TRIAGE_FROM
from hrsn.paging import paginate
from hrsn.referrals import bp
from hrsn.referrals.forms import AssignForm, TriageForm
from hrsn.referrals.rules import (QUEUE_LABELS, Filters, assignable_staff, caseloads, external_id_match, queue_counts,
                                  queue_page, redirect_choices, referral_for_change, referral_for_view)
from hrsn.render import changed, conflict_events, refused, render, wants_fragment

BATCH_PAGE = 25


@bp.route("/", methods=["GET", "POST"])
@database.only_reads
@require("referrals")
def index():
    """The queues. Searches are POSTed so that a name typed never ends up in a URL."""
    filters = Filters(request.values)
    match = external_id_match(filters) if request.method == "POST" else None
    if match is not None:
        target = url_for("referrals.show", referral_id=match.id)
        if wants_fragment():
            return render("referrals/_queue.html", headers={"HX-Redirect": target}, **_queue_context(filters))
        return redirect(target)
    return render("referrals/index.html", "referrals/_queue.html", **_queue_context(filters))


def _queue_context(filters) -> dict:
    counts = queue_counts(filters)      # the tabs' counts, the queue shown among them: its page needs no other
    return {"filters": filters, "page": queue_page(filters, counts[filters.queue]), "counts": counts,
            "queue_labels": QUEUE_LABELS, "sources": SOURCES, "languages": LANGUAGES,
            "payers": db.session.scalars(db.select(Payer).order_by(Payer.name)).all(),
            "services": db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order)).all(),
            "staff": assignable_staff()}


def _triage_context(referral, member, form=None, error=None, conflict=None) -> dict:
    if form is None:
        form = TriageForm(formdata=None)
        form.fill_version(referral)
    form.redirect_to.render_kw = {"list": f"redirect-options-{referral.id}", "autocomplete": "off"}
    return {"referral": referral, "member": member, "triage_form": form, "triage_error": error,
            "can_triage": referral.status in TRIAGE_FROM, "status_labels": REFERRAL_STATUSES, "conflict": conflict,
            "redirect_options": redirect_choices(referral) if referral.status in TRIAGE_FROM else []}


def _assign_context(referral, member, form=None, conflict=None) -> dict:
    staff = assignable_staff()
    if form is None:
        form = AssignForm(formdata=None, staff=staff)
        form.fill_version(member)
    return {"referral": referral, "member": member, "assign_form": form, "staff": staff, "caseloads": caseloads(),
            "conflict": conflict}


@bp.get("/<int:referral_id>")
def show(referral_id):
    referral, member = referral_for_view(referral_id)
    return render("referrals/show.html", tab="intake", sources=SOURCES,
                  **{**_triage_context(referral, member), **_assign_context(referral, member)})


@bp.get("/<int:referral_id>/summary")
def summary(referral_id):
    """The referral's heading and facts, reloaded after a decision."""
    referral, member = referral_for_change(referral_id)
    return render("referrals/_summary.html", "referrals/_summary.html", referral=referral, member=member,
                  sources=SOURCES)


def _answer(referral, member, partial, message, context):
    """After a decision or an assignment: the section again, or the queue when the member left the user's view."""
    if not may_see(member.id):
        flash(message, "success")
        target = url_for("referrals.index")
        if wants_fragment():
            return render(partial, partial, headers={"HX-Redirect": target}, **context)
        return redirect(target)
    return changed(partial, message=message, back_to=url_for("referrals.show", referral_id=referral.id),
                   events=("referralChanged", "memberChanged"), **context)


@bp.post("/<int:referral_id>/triage")
def triage(referral_id):
    referral, member = referral_for_change(referral_id)
    form = TriageForm()
    partial = "referrals/_triage.html"
    if referral.status not in TRIAGE_FROM:
        error = _("This referral is %(status)s and can no longer be triaged.", status=referral.status_label)
        return refused(partial, partial, status=409, message=error,
                       **_triage_context(referral, member, form, error))
    if not form.validate_on_submit():
        return refused(partial, partial, status=422, **_triage_context(referral, member, form))
    if form.version.data and form.is_stale(referral):
        events = conflict_events(referral, form)
        return refused(partial, partial, status=409, **_triage_context(referral, member, form, conflict=events))
    before = referral.status
    try:
        decision = referral.decide(form.decision.data, current_user, form.reason.data, form.redirect_to.data)
    except ValueError:
        form.decision.errors = [_("The referral is already %(status)s.", status=referral.status_label)]
        return refused(partial, partial, status=422, **_triage_context(referral, member, form))
    if decision.to_status == "enrolled" and member.assignee_id is None and current_user.role == Role.CASE_MANAGER:
        member.assignee_id = current_user.id        # whoever accepts an unassigned referral takes it on
        audit.record("update", member=member, obj=member, changes={"assignee_id": [None, current_user.id]})
    audit.record("update", member=member, obj=referral, changes={
        "status": [before, referral.status], "decision": [None, decision.decision],
        "reason": [None, decision.reason], "redirect_to": [None, decision.redirect_to]})
    db.session.commit()
    return _answer(referral, member, partial, _("Decision saved: %(decision)s.", decision=decision.label),
                   _triage_context(referral, member))


@bp.post("/<int:referral_id>/assign")
def assign_member(referral_id):
    referral, member = referral_for_change(referral_id)
    staff = assignable_staff()
    form = AssignForm(staff=staff)
    partial = "referrals/_assign.html"
    if not form.validate_on_submit():
        return refused(partial, partial, status=422, **_assign_context(referral, member, form))
    if form.version.data and form.is_stale(member):
        events = conflict_events(member, form)
        return refused(partial, partial, status=409, **_assign_context(referral, member, form, conflict=events))
    assignee = form.assignee
    if member.assignee_id != assignee.id:
        audit.record("update", member=member, obj=member, changes={"assignee_id": [member.assignee_id, assignee.id]})
        member.assignee_id = assignee.id
        db.session.commit()
    return _answer(referral, member, partial, _("Assigned to %(name)s.", name=assignee.name),
                   _assign_context(referral, member))


@bp.route("/assign", methods=["GET", "POST"])
@require("assign")
def assign():
    """The coordinator's view: unassigned referrals a page at a time, each staff member's languages and caseload."""
    show_all = params.number("all") == 1
    staff = assignable_staff()
    form = AssignForm(staff=staff)
    query = (db.select(Referral).join(Referral.member)
             .where(Member.assignee_id.is_(None), Referral.status == "new")
             .options(joinedload(Referral.member), joinedload(Referral.payer), selectinload(Referral.services))
             .order_by(Referral.urgency_rank, Referral.received_on, Referral.id))
    if not show_all:
        query = query.where(Referral.received_on >= local_today() - timedelta(days=7))
    chosen_error = None
    if request.method == "POST":
        chosen = db.session.scalars(query.where(Referral.id.in_(
            [int(i) for i in request.form.getlist("referral") if i.isascii() and i.isdigit() and len(i) < 10]))).all()
        if not chosen:
            chosen_error = _("Tick at least one referral to assign.")
        if form.validate_on_submit() and chosen:
            for referral in chosen:
                audit.record("update", member=referral.member, obj=referral.member,
                             changes={"assignee_id": [None, form.assignee.id]})
                referral.member.assignee_id = form.assignee.id
            db.session.commit()
            flash(ngettext("Assigned %(num)d referral to %(name)s.", "Assigned %(num)d referrals to %(name)s.",
                           len(chosen), name=form.assignee.name), "success")
            return redirect(url_for("referrals.assign", **({"all": "1"} if show_all else {})))
        form.validate()
    page = paginate(query, page=params.page(), per_page=BATCH_PAGE)
    return render("referrals/assign.html", status=422 if request.method == "POST" else 200, page=page,
                  form=form, staff=staff, caseloads=caseloads(), show_all=show_all, chosen_error=chosen_error,
                  chosen=set(request.form.getlist("referral")), languages=LANGUAGES)
