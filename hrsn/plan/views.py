"""The member's Plan tab: needs, goals and their progress, the organization's own cases, and the contexts each
part of the tab is drawn from. Referrals out are in referrals.py, the printed plan in printout.py."""
from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_change, member_for_fragment, member_for_view, owned
from hrsn.extensions import db
from hrsn.forms import clean_text
from hrsn.models import Goal, Member, Need, PlanCopy, add_goal_progress, local_today
from hrsn.plan import bp, rules
from hrsn.plan.forms import PRIORITIES, GoalForm, NeedForm, ProgressForm
from hrsn.render import changed, edit_page, refused, render

AREA = "plan"


def for_work(member_id):
    return (member_for_view if request.method == "GET" else member_for_change)(member_id, AREA)


def write_in_get(member_id):
    """The member again, in a transaction that holds the write lock: for the rare GET that writes (a download
    recorded, a screening turned into needs). A GET's own transaction only reads, and could not write safely."""
    db.session.rollback()
    connection = db.session.connection(execution_options={"hrsn_write": True})
    if connection.dialect.name == "postgresql":
        # SQLite's write lock already makes two such GETs for one member take turns; PostgreSQL's row lock does
        # (the second then reads what the first wrote: the screening applied, the copy recorded). FOR NO KEY
        # UPDATE: rows that refer to the member (an audit event of a view) are still written meanwhile.
        db.session.execute(db.select(Member.id).where(Member.id == member_id).with_for_update(key_share=True))
    return member_for_fragment(member_id, AREA)


# What each part of the tab is drawn from -------------------------------------------------------------------------

def needs_context(member, **extra) -> dict:
    return {"member": member, "needs": rules.needs_page(member, params.number("needs", 1) or 1),
            "own_cases": rules.own_cases(member), **extra}


def goals_context(member, **extra) -> dict:
    return {"member": member, "goals": rules.goals_page(member, params.number("goals", 1) or 1),
            "progress_form": ProgressForm(formdata=None), **extra}


def goal_context(member, goal, progress_form=None, **extra) -> dict:
    return {"member": member, "goal": goal, "progress_form": progress_form or ProgressForm(formdata=None), **extra}


_LATEST_COPY = (db.select(PlanCopy).where(PlanCopy.member_id == db.bindparam("member_id"), PlanCopy.kind == "member")
                .order_by(PlanCopy.at.desc(), PlanCopy.id.desc()).limit(1))


def header_context(member, **extra) -> dict:
    latest = db.session.scalar(_LATEST_COPY, {"member_id": member.id})
    return {"member": member, "plan": rules.plan_row(member), "latest_copy": latest, **extra}


def tab_context(member) -> dict:
    from hrsn.plan.extras import extras_context, team_context
    from hrsn.plan.referrals import referrals_context
    return {"tab": "plan", **header_context(member), **needs_context(member), **goals_context(member),
            **referrals_context(member), **team_context(member), **extras_context(member)}


@bp.get("/members/<int:member_id>/plan")
def tab(member_id):
    member = member_for_view(member_id, AREA)
    if rules.screenings_to_apply(member):
        # Positive screening domains become needs, once (the screening is then marked applied). A GET reads in a
        # deferred transaction: this rare write takes the write lock in a transaction of its own.
        member = write_in_get(member_id)
        for need in rules.apply_screenings(member, current_user):
            audit.add(need, member=member, fields=["domain", "source", "screening_id", "source_on"])
        db.session.commit()
    return render("plan/tab.html", **tab_context(member))


@bp.get("/members/<int:member_id>/plan/needs")
def needs(member_id):
    member = member_for_fragment(member_id, AREA)
    return render("plan/_needs.html", "plan/_needs.html", **needs_context(member))


@bp.get("/members/<int:member_id>/plan/goals")
def goals(member_id):
    member = member_for_fragment(member_id, AREA)
    return render("plan/_goals.html", "plan/_goals.html", **goals_context(member))


@bp.get("/members/<int:member_id>/plan/header")
def header(member_id):
    member = member_for_fragment(member_id, AREA)
    return render("plan/_header.html", "plan/_header.html", **header_context(member))


# Needs ----------------------------------------------------------------------------------------------------------

@bp.route("/members/<int:member_id>/plan/needs/new", methods=["GET", "POST"], defaults={"need_id": None})
@bp.route("/members/<int:member_id>/plan/needs/<int:need_id>/edit", methods=["GET", "POST"])
def edit_need(member_id, need_id):
    member = for_work(member_id)
    need = owned(Need, need_id, member) if need_id else Need(member_id=member.id)
    form = NeedForm(obj=need if need_id and request.method == "GET" else None)
    form.offer_sources(need.source if need_id else None)

    def fill(form):
        form.priority.data = str(need.priority or 2)

    def apply():
        before = need.status
        need.domain, need.priority = form.domain.data, int(form.priority.data)
        need.description, need.staff_note = clean_text(form.description.data) or None, \
            clean_text(form.staff_note.data) or None
        need.status, need.source = form.status.data, form.source.data
        if not need_id:
            need.identified_on, need.created_by_id = local_today(), current_user.id
        if before != need.status or not need_id:
            need.status_on = local_today()
        rules.touch(member.id)
    return edit_page(need, form, "plan/need_form.html", apply=apply, fill=fill if need_id else None, member=member,
                     tab="plan", back_to=url_for("plan.tab", member_id=member.id, _anchor="plan-needs"),
                     message=_("Need saved.") if need_id else _("Need added."), need=need if need_id else None,
                     priorities=PRIORITIES)


@bp.post("/members/<int:member_id>/plan/needs/<int:need_id>/met")
def need_met(member_id, need_id):
    """The need is met (offered when the organization's own assistance for it completes)."""
    member = for_work(member_id)
    need = owned(Need, need_id, member)
    if need.status != "met":
        before = need.status
        need.status, need.status_on = "met", local_today()
        audit.record("update", member=member, obj=need, changes={"status": [before, "met"]})
        rules.touch(member.id)
        db.session.commit()
    return changed("plan/_needs.html", message=_("The need is marked met."), events=("needsChanged",),
                   back_to=url_for("plan.tab", member_id=member.id), **needs_context(member))


# Goals ----------------------------------------------------------------------------------------------------------

def offer_needs(member, form) -> None:
    form.needs.choices = [(str(n.id), f"{n.domain_label}{' · ' + n.description[:60] if n.description else ''}")
                          for n in rules.member_needs(member)]


@bp.route("/members/<int:member_id>/plan/goals/new", methods=["GET", "POST"], defaults={"goal_id": None})
@bp.route("/members/<int:member_id>/plan/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def edit_goal(member_id, goal_id):
    member = for_work(member_id)
    goal = owned(Goal, goal_id, member) if goal_id else Goal(member_id=member.id)
    form = GoalForm(obj=goal if goal_id and request.method == "GET" else None)
    offer_needs(member, form)

    def fill(form):
        form.needs.data = [str(n.id) for n in goal.needs]
        if not goal_id and params.number("need"):
            form.needs.data = [str(params.number("need"))]

    def apply():
        before = [n.id for n in goal.needs]
        chosen = {int(v) for v in form.needs.data or ()}
        goal.needs = [n for n in rules.member_needs(member) if n.id in chosen]
        if goal.status != form.status.data or not goal_id:
            goal.status_on = local_today()
        goal.text, goal.target_on, goal.status = clean_text(form.text.data), form.target_on.data, form.status.data
        if not goal_id:
            goal.created_by_id = current_user.id
        rules.touch(member.id)
        after = sorted(chosen)
        return {"needs": [before, after]} if goal_id and sorted(before) != after else {}
    return edit_page(goal, form, "plan/goal_form.html", apply=apply, fill=fill, member=member, tab="plan",
                     back_to=url_for("plan.tab", member_id=member.id, _anchor="plan-goals"),
                     message=_("Goal saved.") if goal_id else _("Goal added."), goal=goal if goal_id else None)


@bp.post("/members/<int:member_id>/plan/goals/<int:goal_id>/progress")
def add_progress(member_id, goal_id):
    member = for_work(member_id)
    goal = owned(Goal, goal_id, member)
    form = ProgressForm()
    if not form.validate_on_submit():
        return refused("plan/tab.html", "plan/_goal.html", status=422, page_context=lambda: tab_context(member),
                       **goal_context(member, goal, form))
    note = add_goal_progress(goal, clean_text(form.text.data), source="conversation", by=current_user)
    db.session.flush()
    audit.add(note, member=member, fields=["goal_id", "text", "source"])
    db.session.commit()
    db.session.refresh(goal)
    return changed("plan/_goal.html", message=_("Progress note added."), events=("planChanged",),
                   back_to=url_for("plan.tab", member_id=member.id, _anchor=f"goal-{goal.id}"),
                   **goal_context(member, goal))

