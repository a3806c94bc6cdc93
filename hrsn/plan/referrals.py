"""Referrals on the plan: those received (intake's) and those made to other organizations, one table with its
summary; making a referral out (typed, or picked in the directory), and moving it through its lifecycle as an
htmx action on its row, each move kept in its history."""
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_fragment, owned
from hrsn.extensions import db
from hrsn.forms import clean_text
from hrsn.models import (CASELOAD_ROLES, DELIVERED_WHAT, OUT_NOT_DELIVERED, OUT_STATUSES, Barrier, ReferralOut, Service, User,
                         local_today, utcnow)
from hrsn.plan import bp, rules
from hrsn.plan.forms import MoveForm, ReferralOutForm
from hrsn.plan.views import AREA, for_work, tab_context
from hrsn.render import changed, conflict_events, edit_page, refused, render, wants_fragment

TEXTS = ("organization_name", "service_name", "shared_info", "phone", "address", "hours", "how_to_apply",
         "what_to_bring", "wait", "cost", "feedback_tip", "staff_note")
# What each status records, besides its day.
DAY_OF = {"started": "started_on", "delivered": "delivered_on", "receiving": "receiving_on", "ended": "ended_on"}
NEEDS_REASON = ("org_declined", "not_eligible", "not_appropriate")


def delivered_choices(referral) -> list[tuple[str, str]]:
    domain = referral.need.domain if referral.need else None
    picks = {**DELIVERED_WHAT.get(domain, {}), **DELIVERED_WHAT["*"]}
    return [(key, str(label)) for key, label in picks.items()]


def move_form_for(referral, form=None) -> MoveForm:
    if form is None:
        form = MoveForm(formdata=None, on=local_today())
        form.fill_version(referral)
    form.delivered_what.choices = delivered_choices(referral)
    return form


def referrals_context(member, **extra) -> dict:
    return {"member": member, "received": rules.received_of(member),
            "outs": rules.referrals_page(member, params.number("referrals", 1) or 1), "counts": rules.summary(member),
            **extra}


def delivered_labels(referral) -> list[str]:
    """What was delivered, in words, for the row (the form's choices, without drawing the form)."""
    return [label for key, label in delivered_choices(referral) if key in referral.delivered_codes]


def row_context(member, referral, form=None, **extra) -> dict:
    """A referral out's row; with `form` (a move answered back with what was typed) its form is drawn in it."""
    return {"member": member, "r": referral, "move_form": move_form_for(referral, form) if form is not None else None,
            **extra}


@bp.get("/members/<int:member_id>/plan/referrals")
def referrals(member_id):
    member = member_for_fragment(member_id, AREA)
    return render("plan/_referrals.html", "plan/_referrals.html", **referrals_context(member))


@bp.get("/members/<int:member_id>/plan/summary")
def summary(member_id):
    member = member_for_fragment(member_id, AREA)
    return render("plan/_summary.html", "plan/_summary.html", member=member, counts=rules.summary(member))


# Making a referral out -------------------------------------------------------------------------------------------

def staff_choices(referral) -> list[User]:
    return list(db.session.scalars(db.select(User).where(
        db.or_(db.and_(User.active, User.role.in_(CASELOAD_ROLES)), User.id == referral.owner_id))
        .order_by(User.name).limit(500)))


def picked_service(referral) -> Service | None:
    """The directory entry the referral starts from (?service=), or the one it was made to."""
    service_id = referral.service_id or params.number("service")
    return db.session.get(Service, service_id) if service_id else None


@bp.post("/members/<int:member_id>/plan/referrals/pick")
def pick(member_id):
    """A service picked in the directory's search: start a referral out to it."""
    member = for_work(member_id)
    service_id = params.number("service_id", source=request.form)
    if not service_id or db.session.get(Service, service_id) is None:
        abort(404)
    return redirect(url_for("plan.edit_referral", member_id=member.id, service=service_id,
                            need=params.number("need", source=request.form)))


@bp.route("/members/<int:member_id>/plan/referrals/new", methods=["GET", "POST"], defaults={"referral_id": None})
@bp.route("/members/<int:member_id>/plan/referrals/<int:referral_id>/edit", methods=["GET", "POST"])
def edit_referral(member_id, referral_id):
    """Make a referral out, or correct one. Without consent that covers the organization it is saved only once
    the warning given to the member is confirmed, and that warning is kept on the referral."""
    member = for_work(member_id)
    referral = owned(ReferralOut, referral_id, member) if referral_id else ReferralOut(member_id=member.id)
    form = ReferralOutForm(obj=referral if referral_id and request.method == "GET" else None)
    form.need_id.offer(rules.member_needs(member), blank=_("No need chosen"),
                       describe=lambda n: f"{n.domain_label} · {n.status_label}")
    form.owner_id.offer(staff_choices(referral), lambda u: u.name, blank=_("The member's case manager"))
    service = picked_service(referral)
    if request.method == "POST":
        covered, warning = rules.consent_covers(member, clean_text(form.organization_name.data))
        if not form.consent_checked.data:
            warning = warning or _("The consent was not checked.")
        elif covered:
            warning = ""
        form.consent_problem = warning

    def fill(form):
        if referral_id:
            form.need_id.data, form.owner_id.data = str(referral.need_id or ""), str(referral.owner_id or "")
            form.feedback_helped.data = {True: "yes", False: "no"}.get(referral.feedback_helped, "")
            form.consent_warned.data = bool(referral.consent_warning)
            form.barriers.data = rules.open_barriers_of(referral)
            return
        form.made_on.data = local_today()
        form.need_id.data = str(params.number("need") or "")
        form.owner_id.data = str(current_user.id)
        if service is not None:
            form.organization_name.data, form.service_name.data = service.organization.name, service.name
            for key, value in rules.directory_prefill(service, str(member.preferred_language or "en")).items():
                getattr(form, key).data = value

    def apply():
        before_barriers = rules.open_barriers_of(referral) if referral_id else []
        for name in TEXTS:
            setattr(referral, name, clean_text(getattr(form, name).data) or None)
        referral.made_on, referral.method = form.made_on.data, form.method.data
        referral.expected_start_on = form.expected_start_on.data
        referral.need_id = form.need_id.record.id if form.need_id.record else None
        referral.owner_id = form.owner_id.record.id if form.owner_id.record else None
        referral.feedback_helped = {"yes": True, "no": False}.get(form.feedback_helped.data)
        referral.consent_checked = bool(form.consent_checked.data)
        if form.consent_problem and form.consent_problem != referral.consent_warning:
            referral.consent_warning, referral.consent_warned_at = form.consent_problem[:500], utcnow()
        elif not form.consent_problem and not referral_id:
            referral.consent_warning = None
        if not referral_id:
            referral.created_by_id = current_user.id
            if service is not None:
                referral.service_id, referral.organization_id = service.id, service.organization_id
            referral.begin("sent", current_user, on=referral.made_on)
            db.session.add(referral)
        db.session.flush()
        sync_barriers(member, referral, set(form.barriers.data or ()))
        rules.touch(member.id)
        after = sorted(form.barriers.data or ())
        return {"barriers": [before_barriers, after]} if referral_id and before_barriers != after else {}
    return edit_page(referral, form, "plan/referral_form.html", apply=apply, fill=fill, member=member, tab="plan",
                     back_to=url_for("plan.tab", member_id=member.id, _anchor="plan-referrals"),
                     message=_("Referral saved.") if referral_id else _("Referral out recorded."),
                     referral=referral if referral_id else None, service=service)


def sync_barriers(member, referral, kinds: set[str]) -> None:
    """The referral's barriers as ticked: a new one added, one no longer ticked marked resolved (kept)."""
    rows = {b.kind: b for b in db.session.scalars(db.select(Barrier).where(Barrier.referral_out_id == referral.id))}
    for kind in kinds:
        if kind in rows:
            rows[kind].resolved_on = None
        else:
            db.session.add(Barrier(member_id=member.id, referral_out_id=referral.id, kind=kind))
    for kind, row in rows.items():
        if kind not in kinds and row.resolved_on is None:
            row.resolved_on = local_today()


# Moving a referral out -------------------------------------------------------------------------------------------

def move_problems(referral, form) -> dict:
    """What the lifecycle refuses besides the move itself: each field's message."""
    problems, to = {}, form.to.data
    if form.on.data and form.on.data < referral.made_on:
        problems["on"] = _("This cannot be before the referral was made (%(day)s).", day=referral.made_on.isoformat())
    if form.confirmed_on.data and form.confirmed_on.data < referral.made_on:
        problems["confirmed_on"] = _("The outcome cannot be confirmed before the referral was made (%(day)s).",
                                     day=referral.made_on.isoformat())
    if form.confirmed_on.data and not form.confirmed_how.data:
        problems["confirmed_how"] = _("Say who confirmed the outcome.")
    if to in NEEDS_REASON and not clean_text(form.reason.data):
        problems["reason"] = _("Say why (for example: no capacity).")
    if to == "delivered" and not (form.delivered_what.data or clean_text(form.delivered_note.data)):
        problems["delivered_what"] = _("Say what was actually delivered.")
    if to == "waitlisted" and form.expected_start_on.data and form.expected_start_on.data < referral.made_on:
        problems["expected_start_on"] = _("The expected start cannot be before the referral was made.")
    return problems


def apply_move(referral, form) -> dict:
    to, day = form.to.data, form.on.data
    referral.move(to, current_user, clean_text(form.reason.data) or None, on=day)
    if to in DAY_OF:
        setattr(referral, DAY_OF[to], day)
    if to == "delivered" and referral.started_on is None:
        referral.started_on = day
    if to == "waitlisted":
        referral.expected_start_on = form.expected_start_on.data or referral.expected_start_on
    if to == "delivered":
        referral.delivered_what = ",".join(form.delivered_what.data or ()) or None
        referral.delivered_note = clean_text(form.delivered_note.data) or referral.delivered_note
    if clean_text(form.reason.data) and to in OUT_NOT_DELIVERED:
        referral.reason = clean_text(form.reason.data)
    if form.confirmed_on.data:
        referral.confirmed_on, referral.confirmed_how = form.confirmed_on.data, form.confirmed_how.data
    return audit.changes(referral)            # read before anything is flushed


@bp.post("/members/<int:member_id>/plan/referrals/<int:referral_id>/move")
def move(member_id, referral_id):
    member = for_work(member_id)
    referral = rules.referral_out(member, referral_id)
    if referral is None:
        abort(404)
    form = move_form_for(referral, MoveForm())
    partial = "plan/_out_row.html"

    def answer(status, message=None, **extra):
        return refused("plan/tab.html", partial, status=status, message=message,
                       page_context=lambda: tab_context(member), **row_context(member, referral, form, **extra))
    if not form.validate_on_submit():
        return answer(422, _("The status was not changed: see the form."))
    if form.is_stale(referral):
        return answer(409, _("Someone else changed this referral meanwhile; nothing was changed."),
                      conflict=conflict_events(referral, form))
    if form.to.data not in referral.allowed():
        error = _("This referral is “%(status)s”: it cannot become “%(to)s” from here.", status=referral.status_label,
                  to=OUT_STATUSES[form.to.data])
        return answer(409, error, move_error=error)
    problems = move_problems(referral, form)
    if problems:
        for name, message in problems.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        return answer(422, next(iter(problems.values())))
    changes = apply_move(referral, form)
    audit.record("update", member=member, obj=referral, changes=changes)
    rules.touch(member.id)
    db.session.commit()
    referral = rules.referral_out(member, referral.id)
    return changed(partial, message=_("Referral now: %(status)s.", status=referral.status_label),
                   events=("referralOutChanged",), back_to=url_for("plan.tab", member_id=member.id,
                                                                    _anchor=f"out-{referral.id}"),
                   **row_context(member, referral))


@bp.get("/members/<int:member_id>/plan/referrals/<int:referral_id>/move")
def move_form(member_id, referral_id):
    """The form that moves a referral out, drawn when its row's "Change the status" is opened, or the Plan tab with
    it open (without htmx). It carries the version the row was drawn from (`version`): a change someone made since
    is refused on saving, with what they changed, as on any other form. The form alone is part of the tab already
    viewed (as its other parts reloaded); the whole tab is a view of the record."""
    member = member_for_fragment(member_id, AREA) if wants_fragment() else for_work(member_id)
    referral = rules.referral_out(member, referral_id)
    if referral is None or not referral.allowed():
        abort(404)
    form = move_form_for(referral)
    version = params.number("version")
    if version is not None:
        form.version.data = str(version)
    return render("plan/tab.html", "plan/_out_move.html", page_context=lambda: tab_context(member), member=member,
                  r=referral, f=form, open_move=referral.id)


@bp.get("/members/<int:member_id>/plan/referrals/find")
def find(member_id):
    """The directory's search inside the plan: each service found starts a referral out to it."""
    from hrsn.directory.search import Pick, search_context      # the directory's documented hook for other steps
    member = for_work(member_id)
    return render("plan/find.html", member=member, tab="plan",
                  **search_context(pick=Pick("plan.pick", member.id, _("Refer the member")),
                                   area=member.postal_code or ""))
