"""The rest of the plan around needs and referrals: care team and supports, the member's preferences, benefits
already received and barriers, care-team meetings, secondary staff, the review cycle and the supervisor's
sign-off."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_fragment, owned
from hrsn.extensions import db
from hrsn.forms import clean_text
from hrsn.models import (CASELOAD_ROLES, Barrier, Benefit, CareMeeting, MemberStaff, PlanPreferences, Role, Support,
                         User, local_today, plan_of, utcnow)
from hrsn.plan import bp, rules
from hrsn.plan.forms import (BarrierForm, BenefitForm, MeetingForm, PreferencesForm, ReviewForm, StaffForm,
                             SupportForm)
from hrsn.plan.views import AREA, for_work, tab_context
from hrsn.render import changed, edit_page, refused, render

SIGNERS = (Role.COORDINATOR, Role.ADMIN)


def staff_form(member, form=None) -> StaffForm:
    form = form or StaffForm(formdata=None)
    if current_user.role not in SIGNERS:
        return form                       # only a coordinator or an administrator adds staff: nothing to offer
    taken = {row.user_id for row in rules.staff_of(member)} | {member.assignee_id}
    users = db.session.scalars(db.select(User).where(User.active, User.role.in_(CASELOAD_ROLES))
                               .order_by(User.name).limit(500))
    form.user_id.offer([u for u in users if u.id not in taken], lambda u: u.name)
    return form


def team_context(member, staff_form_=None, **extra) -> dict:
    return {"member": member, "supports": rules.supports_page(member, params.number("supports", 1) or 1),
            "preferences": rules.preferences_of(member),
            "staff": rules.staff_of(member), "staff_form": staff_form(member, staff_form_),
            "may_sign": current_user.role in SIGNERS, **extra}


def extras_context(member, **forms) -> dict:
    plan = rules.plan_row(member)
    review_form = forms.get("review_form")
    if review_form is None:
        review_form = ReviewForm(formdata=None, next_check_in_on=plan.next_check_in_on if plan else None)
        if plan is not None:
            review_form.fill_version(plan)
    return {"member": member, "benefits": rules.benefits_page(member, params.number("benefits", 1) or 1),
            "barriers": rules.barriers_page(member, params.number("barriers", 1) or 1),
            "meetings": rules.meetings_page(member, params.number("meetings", 1) or 1),
            "benefit_form": forms.get("benefit_form") or BenefitForm(formdata=None),
            "barrier_form": forms.get("barrier_form") or BarrierForm(formdata=None),
            "meeting_form": forms.get("meeting_form") or MeetingForm(formdata=None, held_on=local_today()),
            "review_form": review_form, "may_sign": current_user.role in SIGNERS}


@bp.get("/members/<int:member_id>/plan/team")
def team(member_id):
    member = member_for_fragment(member_id, AREA)
    return render("plan/_team.html", "plan/_team.html", **team_context(member))


@bp.get("/members/<int:member_id>/plan/extras")
def extras(member_id):
    member = member_for_fragment(member_id, AREA)
    return render("plan/_extras.html", "plan/_extras.html", **extras_context(member))


def _saved(member, message, **forms):
    return changed("plan/_extras.html", message=message, events=("planChanged",),
                   back_to=url_for("plan.tab", member_id=member.id, _anchor="plan-extras"),
                   **extras_context(member, **forms))


def _added(member, record, fields, message, touch=True):
    """A new row of the plan's lists, kept and audited; the plan marked changed (`touch`)."""
    audit.add(record, member=member, fields=fields)
    if touch:
        rules.touch(member.id)
    db.session.commit()
    return _saved(member, message)


def _ended(member, record, column, message, touch=True):
    """A row of the plan's lists marked ended or resolved today (once), audited."""
    if getattr(record, column) is None:
        setattr(record, column, local_today())
        audit.record("update", member=member, obj=record, changes={column: [None, audit.plain(local_today())]})
        if touch:
            rules.touch(member.id)
        db.session.commit()
    return _saved(member, message)


def _refused(member, **forms):
    return refused("plan/tab.html", "plan/_extras.html", status=422, page_context=lambda: tab_context(member),
                   **extras_context(member, **forms))


@bp.route("/members/<int:member_id>/plan/supports/new", methods=["GET", "POST"], defaults={"support_id": None})
@bp.route("/members/<int:member_id>/plan/supports/<int:support_id>/edit", methods=["GET", "POST"])
def edit_support(member_id, support_id):
    member = for_work(member_id)
    support = owned(Support, support_id, member) if support_id else Support(member_id=member.id)
    form = SupportForm(obj=support if support_id and request.method == "GET" else None)

    def apply():
        support.name, support.role = clean_text(form.name.data), form.role.data
        support.relation, support.contact = clean_text(form.relation.data) or None, clean_text(form.contact.data) or None
        support.sharing_allowed = bool(form.sharing_allowed.data)
        rules.touch(member.id)
    return edit_page(support, form, "plan/support_form.html", apply=apply, member=member, tab="plan",
                     back_to=url_for("plan.tab", member_id=member.id, _anchor="plan-team"),
                     message=_("Saved."), support=support if support_id else None)


@bp.route("/members/<int:member_id>/plan/preferences", methods=["GET", "POST"])
def edit_preferences(member_id):
    member = for_work(member_id)
    preferences = rules.preferences_of(member) or PlanPreferences(member_id=member.id)
    form = PreferencesForm(obj=preferences if request.method == "GET" and preferences.id else None)

    def apply():
        for name in ("contact_how", "contact_when", "language", "what_matters", "where_to_find"):
            setattr(preferences, name, clean_text(getattr(form, name).data) or None)
        rules.touch(member.id)
    return edit_page(preferences, form, "plan/preferences_form.html", apply=apply, member=member, tab="plan",
                     back_to=url_for("plan.tab", member_id=member.id, _anchor="plan-team"),
                     message=_("Preferences saved."))


@bp.post("/members/<int:member_id>/plan/benefits")
def add_benefit(member_id):
    member = for_work(member_id)
    form = BenefitForm()
    if not form.validate_on_submit():
        return _refused(member, benefit_form=form)
    benefit = Benefit(member_id=member.id, program=form.program.data, detail=clean_text(form.detail.data) or None,
                      since_on=form.since_on.data)
    return _added(member, benefit, ["program", "detail", "since_on"], _("Benefit added."))


@bp.post("/members/<int:member_id>/plan/benefits/<int:benefit_id>/end")
def end_benefit(member_id, benefit_id):
    member = for_work(member_id)
    return _ended(member, owned(Benefit, benefit_id, member), "ended_on", _("The benefit is marked ended."))


@bp.post("/members/<int:member_id>/plan/barriers")
def add_barrier(member_id):
    member = for_work(member_id)
    form = BarrierForm()
    if not form.validate_on_submit():
        return _refused(member, barrier_form=form)
    barrier = Barrier(member_id=member.id, kind=form.kind.data, note=clean_text(form.note.data) or None)
    return _added(member, barrier, ["kind", "note"], _("Barrier added."))


@bp.post("/members/<int:member_id>/plan/barriers/<int:barrier_id>/resolve")
def resolve_barrier(member_id, barrier_id):
    member = for_work(member_id)
    return _ended(member, owned(Barrier, barrier_id, member), "resolved_on", _("The barrier is marked resolved."),
                  touch=False)


@bp.post("/members/<int:member_id>/plan/meetings")
def add_meeting(member_id):
    member = for_work(member_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _refused(member, meeting_form=form)
    meeting = CareMeeting(member_id=member.id, held_on=form.held_on.data, attendees=clean_text(form.attendees.data),
                          decisions=clean_text(form.decisions.data) or None, by_id=current_user.id)
    return _added(member, meeting, ["held_on", "attendees", "decisions"], _("Care-team meeting logged."), touch=False)


@bp.post("/members/<int:member_id>/plan/staff")
def add_staff(member_id):
    """Secondary staff beside the case manager (a housing navigator); a coordinator's or admin's decision."""
    member = for_work(member_id)
    if current_user.role not in SIGNERS:
        audit.refusal(403, AREA)
        abort(403)
    form = staff_form(member, StaffForm())
    if not form.validate_on_submit():
        return refused("plan/tab.html", "plan/_team.html", status=422, page_context=lambda: tab_context(member),
                       **team_context(member, form))
    row = MemberStaff(member_id=member.id, user_id=form.user_id.record.id, role=clean_text(form.role.data) or None,
                      added_by_id=current_user.id)
    db.session.add(row)
    audit.record("create", member=member, record_type="MemberStaff", record_id=row.user_id,
                 changes={"user_id": [None, row.user_id], "role": [None, row.role]})
    db.session.commit()
    return changed("plan/_team.html", message=_("Staff member added to the care team."), events=("planChanged",),
                   back_to=url_for("plan.tab", member_id=member.id, _anchor="plan-team"), **team_context(member))


@bp.post("/members/<int:member_id>/plan/review")
def review(member_id):
    """The plan reviewed with the member: the next review is due the setting's months from today; optionally
    the next check-in's day."""
    member = for_work(member_id)
    plan = plan_of(member.id)
    db.session.flush()
    form = ReviewForm()
    if not form.validate_on_submit():
        return _refused(member, review_form=form)
    if form.is_stale(plan):
        return refused("plan/tab.html", "plan/_extras.html", status=409,
                       message=_("Someone else changed this plan meanwhile; nothing was changed."),
                       page_context=lambda: tab_context(member), **extras_context(member))
    before = (plan.review_due_on, plan.next_check_in_on)
    plan.reviewed_on, plan.reviewed_by_id = local_today(), current_user.id
    plan.review_due_on = rules.review_due_after(local_today())
    plan.next_check_in_on = form.next_check_in_on.data or plan.next_check_in_on
    plan.changed_at = utcnow()
    audit.record("update", member=member, obj=plan, changes={
        "review_due_on": [audit.plain(before[0]), audit.plain(plan.review_due_on)],
        "next_check_in_on": [audit.plain(before[1]), audit.plain(plan.next_check_in_on)]})
    db.session.commit()
    return _saved(member, _("Plan reviewed; next review due %(day)s.", day=plan.review_due_on.isoformat()))


@bp.post("/members/<int:member_id>/plan/sign-off")
def sign_off(member_id):
    member = for_work(member_id)
    if current_user.role not in SIGNERS:
        audit.refusal(403, AREA)
        abort(403)
    plan = plan_of(member.id)
    plan.signed_off_at, plan.signed_off_by_id = utcnow(), current_user.id
    db.session.flush()
    audit.record("update", member=member, obj=plan, changes={"signed_off_by_id": [None, current_user.id]})
    db.session.commit()
    return _saved(member, _("Plan signed off."))
