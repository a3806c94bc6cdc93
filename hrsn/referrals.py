"""Referrals in: the queues by urgency, triage decisions with their history, and assignment."""
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_date, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from hrsn import audit, today
from hrsn.access import get_member_or_404, require, visible_members
from hrsn.contact.forms import choice
from hrsn.extensions import db
from hrsn.models import (LANGUAGES, TRIAGE_LABELS, Member, Payer, Referral, ServiceType, User, local_today,
                         name_key, urgency_rank)
from hrsn.models.intake import QUEUES, REFERRAL_STATUSES, SOURCES, TRIAGE_FROM, referral_service
from hrsn.render import render, wants_fragment

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

QUEUE_LABELS = {"new": _l("New"), "waitlist": _l("Waitlist"), "enrolled": _l("Enrolled"), "closed": _l("Closed")}
ACTIVE_STATUSES = ("new", "waitlist", "enrolled")
STAFF_ROLES = ("case_manager", "coordinator", "admin")
PER_PAGE = 25
MAX_LEN = _l("Use at most %(max)d characters.")


# Forms ---------------------------------------------------------------------------------------------

class TriageForm(FlaskForm):
    decision = choice(_l("Decision"), TRIAGE_LABELS, _l("Choose a decision."), radio=True)
    reason = TextAreaField(_l("Reason"), validators=[Length(max=1000, message=MAX_LEN)])
    redirect_to = StringField(_l("Organization the member is redirected to"),
                              validators=[Length(max=200, message=MAX_LEN)])

    def validate_reason(self, field):
        field.data = (field.data or "").strip()
        if self.decision.data in ("waitlist", "decline") and not field.data:
            raise ValidationError(_("Say why, in a few words."))

    def validate_redirect_to(self, field):
        field.data = (field.data or "").strip()
        if self.decision.data == "redirect" and not field.data:
            raise ValidationError(_("Name the organization the member is redirected to."))


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assign to"), validate_choice=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(u.id): u for u in staff}
        self.assignee_id.choices = [("", _("Choose a staff member…"))] + [
            (str(u.id), u.name) for u in staff]

    def validate_assignee_id(self, field):
        if str(field.data) not in self.staff:
            raise ValidationError(_("Choose a staff member from the list."))
        if current_user.role == "case_manager" and str(field.data) != str(current_user.id):
            raise ValidationError(_("A case manager can assign members only to themself."))

    @property
    def assignee(self) -> User:
        return self.staff[str(self.assignee_id.data)]


# Queries -------------------------------------------------------------------------------------------

def assignable_staff() -> list[User]:
    return list(db.session.scalars(db.select(User).where(User.active, User.role.in_(STAFF_ROLES))
                                   .order_by(User.name)))


def caseloads() -> dict[int, int]:
    """Members per staff member whose referral is still open (new, waitlist or enrolled)."""
    rows = db.session.execute(
        db.select(Member.assignee_id, func.count(func.distinct(Member.id)))
        .join(Referral, Referral.member_id == Member.id)
        .where(Member.assignee_id.is_not(None), Referral.status.in_(ACTIVE_STATUSES))
        .group_by(Member.assignee_id))
    return dict(rows.all())


class Filters:
    """The queue's filters and search, read from the query string and checked."""

    def __init__(self, args):
        queue = args.get("to_queue") or args.get("queue")
        self.queue = queue if queue in QUEUES else "new"
        page = args.get("page") or ""
        self.page = int(page) if page.isdigit() and not args.get("to_queue") and int(page) < 100_000 else 1
        self.q = (args.get("q") or "").strip()[:100]
        self.payer = args.get("payer") if (args.get("payer") or "").isdigit() else ""
        self.service = (args.get("service") or "")[:40]
        self.language = args.get("language") if args.get("language") in LANGUAGES else ""
        assignee = args.get("assignee") or ""
        self.assignee = assignee if assignee in ("me", "none") or assignee.isdigit() else ""

    def as_args(self, **changes) -> dict:
        values = {"queue": self.queue, "q": self.q, "payer": self.payer, "service": self.service,
                  "language": self.language, "assignee": self.assignee}
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def apply(self, query):
        if self.payer:
            query = query.where(Referral.payer_id == int(self.payer))
        if self.service:
            query = query.where(Referral.id.in_(
                db.select(referral_service.c.referral_id).join(ServiceType).where(ServiceType.code == self.service)))
        if self.language:
            query = query.where(Member.preferred_language == self.language)
        if self.assignee == "me":
            query = query.where(Member.assignee_id == current_user.id)
        elif self.assignee == "none":
            query = query.where(Member.assignee_id.is_(None))
        elif self.assignee:
            query = query.where(Member.assignee_id == int(self.assignee))
        if self.q:
            folded = f"%{name_key(self.q, '')}%"
            plain = f"%{self.q.replace(' ', '')}%"
            query = query.where(or_(Member.name_key.like(folded), Member.medicaid_id.ilike(plain),
                                    Referral.external_id.ilike(plain)))
        return query


def visible_referrals():
    """Referrals of the members the signed-in user may see."""
    visible = visible_members().with_only_columns(Member.id)
    return db.select(Referral).join(Referral.member).where(Referral.member_id.in_(visible))


def queue_page(filters: Filters):
    query = (filters.apply(visible_referrals())
             .where(Referral.status.in_(QUEUES[filters.queue]))
             .options(joinedload(Referral.member).joinedload(Member.assignee), joinedload(Referral.payer),
                      selectinload(Referral.services))
             .order_by(urgency_rank(), Referral.received_on, Referral.id))
    return db.paginate(query, page=filters.page, per_page=PER_PAGE, error_out=False)


def queue_counts(filters: Filters) -> dict[str, int]:
    query = filters.apply(visible_referrals()).with_only_columns(Referral.status, func.count(Referral.id)) \
        .group_by(Referral.status)
    by_status = dict(db.session.execute(query).all())
    return {queue: sum(by_status.get(s, 0) for s in statuses) for queue, statuses in QUEUES.items()}


def referral_or_404(referral_id, area="referrals", log_view=True) -> tuple[Referral, Member]:
    referral = db.session.get(Referral, referral_id) or abort(404)
    member = get_member_or_404(referral.member_id, area, log_view=log_view)
    return referral, member


# Views ---------------------------------------------------------------------------------------------

@bp.route("/", methods=["GET", "POST"])
@require("referrals")
def index():
    """The queues. Searches are POSTed so that a name typed never ends up in a URL."""
    filters = Filters(request.values)
    payers = db.session.scalars(db.select(Payer).order_by(Payer.name)).all()
    services = db.session.scalars(db.select(ServiceType).order_by(ServiceType.sort_order, ServiceType.id)).all()
    return render("referrals/index.html", "referrals/_queue.html", filters=filters, page=queue_page(filters),
                  counts=queue_counts(filters), queue_labels=QUEUE_LABELS, payers=payers, services=services,
                  staff=assignable_staff(), languages=LANGUAGES, sources=SOURCES)


def show_context(referral, member, **overrides) -> dict:
    staff = assignable_staff()
    context = {"referral": referral, "member": member, "sources": SOURCES, "can_triage": referral.status in TRIAGE_FROM,
               "triage_form": TriageForm(formdata=None), "assign_form": AssignForm(formdata=None, staff=staff),
               "staff": staff, "caseloads": caseloads(), "status_labels": REFERRAL_STATUSES}
    context.update(overrides)
    return context


@bp.get("/<int:referral_id>")
def show(referral_id):
    referral, member = referral_or_404(referral_id)
    return render("referrals/show.html", **show_context(referral, member))


def after_change(referral, member, message, partial):
    """Answer a change: the updated section for htmx, else a redirect; and, when the member has left the
    user's view (e.g. a case manager waitlisted an unassigned referral), the queue instead."""
    still_visible = db.session.scalar(visible_members().with_only_columns(Member.id).where(Member.id == member.id))
    flash(message, "success")
    if not still_visible:
        target = url_for("referrals.index")
        if wants_fragment():
            return render(partial, status=200, headers={"HX-Redirect": target}, **show_context(referral, member))
        return redirect(target)
    if not wants_fragment():
        return redirect(url_for("referrals.show", referral_id=referral.id))
    return render("referrals/show.html", partial, headers={"HX-Trigger": "memberChanged"}, flashed=True,
                  **show_context(referral, member))


@bp.post("/<int:referral_id>/triage")
def triage(referral_id):
    referral, member = referral_or_404(referral_id)
    form = TriageForm()
    if referral.status not in TRIAGE_FROM:
        return render("referrals/show.html", "referrals/_triage.html", status=409, **show_context(
            referral, member, triage_form=form,
            triage_error=_("This referral is %(status)s and can no longer be triaged.", status=referral.status_label)))
    if form.validate_on_submit():
        before = referral.status
        try:
            decision = referral.decide(form.decision.data, current_user, form.reason.data, form.redirect_to.data)
        except ValueError:
            form.decision.errors = [_("The referral is already %(status)s.", status=referral.status_label)]
        else:
            if decision.to_status == "enrolled" and member.assignee_id is None and current_user.role == "case_manager":
                member.assignee_id = current_user.id        # whoever accepts an unassigned referral takes it on
                audit.record("update", member=member, obj=member, changes={"assignee_id": [None, current_user.id]})
            db.session.flush()
            audit.record("update", member=member, obj=referral, changes={
                "status": [before, referral.status], "decision": [None, decision.decision],
                "reason": [None, decision.reason], "redirect_to": [None, decision.redirect_to]})
            db.session.commit()
            return after_change(referral, member, _("Decision saved: %(decision)s.", decision=decision.label),
                                "referrals/_triage.html")
    return render("referrals/show.html", "referrals/_triage.html", status=422,
                  **show_context(referral, member, triage_form=form))


@bp.post("/<int:referral_id>/assign")
def assign_member(referral_id):
    referral, member = referral_or_404(referral_id)
    staff = assignable_staff()
    form = AssignForm(staff=staff)
    if not form.validate_on_submit():
        return render("referrals/show.html", "referrals/_assign.html", status=422,
                      **show_context(referral, member, assign_form=form))
    assignee = form.assignee
    if member.assignee_id != assignee.id:
        audit.record("update", member=member, obj=member, changes={"assignee_id": [member.assignee_id, assignee.id]})
        member.assignee_id = assignee.id
        db.session.commit()
    return after_change(referral, member, _("Assigned to %(name)s.", name=assignee.name), "referrals/_assign.html")


@bp.route("/assign", methods=["GET", "POST"])
@require("assign")
def assign():
    """The coordinator's view: this week's unassigned referrals, each staff member's languages and caseload."""
    show_all = request.values.get("all") == "1"
    staff = assignable_staff()
    form = AssignForm(staff=staff)
    query = (db.select(Referral).join(Referral.member)
             .where(Member.assignee_id.is_(None), Referral.status == "new")
             .options(joinedload(Referral.member), joinedload(Referral.payer), selectinload(Referral.services))
             .order_by(urgency_rank(), Referral.received_on, Referral.id))
    if not show_all:
        query = query.where(Referral.received_on >= local_today() - timedelta(days=7))
    referrals = db.session.scalars(query).all()
    chosen_error = None
    if request.method == "POST":
        by_id = {str(r.id): r for r in referrals}
        chosen = [by_id[i] for i in request.form.getlist("referral") if i in by_id]
        if not chosen:
            chosen_error = _("Tick at least one referral to assign.")
        if form.validate_on_submit() and chosen:
            assignee = form.assignee
            for referral in chosen:
                member = referral.member
                if member.assignee_id != assignee.id:
                    audit.record("update", member=member, obj=member,
                                 changes={"assignee_id": [member.assignee_id, assignee.id]})
                    member.assignee_id = assignee.id
            db.session.commit()
            flash(ngettext("Assigned %(num)d referral to %(name)s.", "Assigned %(num)d referrals to %(name)s.",
                           len(chosen), name=assignee.name), "success")
            return redirect(url_for("referrals.assign", **({"all": "1"} if show_all else {})))
        form.validate()
    return render("referrals/assign.html", status=422 if request.method == "POST" else 200, referrals=referrals,
                  form=form, staff=staff, caseloads=caseloads(), show_all=show_all, chosen_error=chosen_error,
                  chosen=set(request.form.getlist("referral")), languages=LANGUAGES)


# Today ---------------------------------------------------------------------------------------------

@today.provider
def referrals_waiting(user):
    if user.role in ("coordinator", "admin"):
        title, condition = _("Unassigned referrals"), Member.assignee_id.is_(None)
        more = url_for("referrals.assign", all="1")
    elif user.role == "case_manager":
        title, condition = _("My new referrals to triage"), Member.assignee_id == user.id
        more = url_for("referrals.index", queue="new", assignee="me")
    else:
        return None
    query = (visible_referrals().where(Referral.status == "new", condition)
             .options(joinedload(Referral.member)).order_by(urgency_rank(), Referral.received_on).limit(8))
    items = []
    for referral in db.session.scalars(query):
        urgency = referral.urgency()
        items.append(today.Item(member=referral.member, url=url_for("referrals.show", referral_id=referral.id),
                                text=_("received %(day)s · %(urgency)s", day=format_date(referral.received_on),
                                       urgency=_urgency_text(urgency)), late=urgency == "urgent"))
    return today.Section("referrals", title, items, more)


def _urgency_text(urgency):
    from hrsn.models import URGENCY_LABELS
    return str(URGENCY_LABELS[urgency])
