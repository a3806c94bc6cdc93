"""Intake screens: the new-referral form with its duplicate check, adding a referral to a member on
file, correcting a referral, and the blank paper form."""
from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from hrsn import audit
from hrsn.auth import language_switched_in_form
from hrsn.access import get_member_or_404, require, visible_members
from hrsn.extensions import db
from hrsn.intake import bp
from hrsn.intake.duplicates import find_duplicates
from hrsn.members import TABS
from hrsn.intake.forms import NOTICE_SERVICES, RENT_SERVICES, UTILITY_SERVICES, AttachForm, IntakeForm, ReferralForm
from hrsn.models import LANGUAGES, Member, Referral, ServiceType, local_today
from hrsn.models.intake import SOURCES
from hrsn.render import render

MEMBER_FIELDS = ("first_name", "last_name", "dob", "medicaid_id", "phone", "email", "address", "city", "state",
                 "postal_code", "preferred_language", "interpreter_needed", "best_way_to_reach",
                 "best_time_to_reach", "household_size", "monthly_income_cents", "assignee_id")
REFERRAL_FIELDS = ("received_on", "source", "payer_id", "external_id", "rent_months_owed", "rent_per_month_cents",
                   "utility_owed_cents", "notice_date", "current_needs", "status")


def values(obj, names) -> dict:
    return {name: [None, audit._plain(getattr(obj, name))] for name in names if getattr(obj, name) is not None}


def needs_context(form) -> dict:
    chosen = form.chosen
    return {"form": form, "show_rent": bool(chosen & RENT_SERVICES), "show_utility": bool(chosen & UTILITY_SERVICES),
            "show_notice": bool(chosen & NOTICE_SERVICES)}


def may_assign_self() -> bool:
    return current_user.role in ("case_manager", "coordinator", "admin")


@bp.route("/new", methods=["GET", "POST"])
@require("intake")
def new():
    switched = language_switched_in_form()     # first: the form's choices are built in the new language
    form = IntakeForm()
    if request.method == "GET":
        form.received_on.data = local_today()
        form.assign_to_me.data = current_user.role == "case_manager"
    if switched:
        return new_page(form)
    if form.validate_on_submit():
        member = Member(created_by_id=current_user.id)
        form.apply_to(member)
        if form.assign_to_me.data and may_assign_self():
            member.assignee_id = current_user.id
        referral = Referral(member=member, status="new", taken_by_id=current_user.id)
        ReferralForm.apply_to(form, referral)
        db.session.add(member)
        try:
            db.session.flush()
        except IntegrityError:
            # Someone saved the same Medicaid ID a moment ago: say so, keep what was typed.
            db.session.rollback()
            form.medicaid_id.errors = [_("A member with this Medicaid ID is already on file. Add the referral "
                                         "to that member instead.")]
            return new_page(form, status=409)
        audit.record("create", member=member, obj=member, changes=values(member, MEMBER_FIELDS))
        audit.record("create", member=member, obj=referral,
                     changes=values(referral, REFERRAL_FIELDS) | {"services": [None, sorted(referral.service_codes)]})
        db.session.commit()
        flash(_("Referral saved for %(name)s.", name=member.full_name), "success")
        return redirect(url_for("members.show", member_id=member.id))
    return new_page(form, status=422 if form.errors else 200)


def visible_ids(members) -> set[int]:
    """Which of these members the user may open (a duplicate may be a colleague's member)."""
    if not members:
        return set()
    return set(db.session.scalars(visible_members().with_only_columns(Member.id)
                                  .where(Member.id.in_([m.id for m in members]))))


def new_page(form, status=200):
    existing = getattr(form.medicaid_id, "errors", None) and getattr(form, "existing_member", None)
    duplicates = find_duplicates(form.first_name.data, form.last_name.data, form.dob.data, form.medicaid_id.data) \
        if request.method == "POST" else []
    shown = ([existing] if existing else []) + list(duplicates)
    return render("intake/new.html", status=status, duplicates=duplicates, existing=existing, visible=visible_ids(shown),
                  sources=SOURCES, languages=LANGUAGES, **needs_context(form))


@bp.post("/needs")
@require("intake")
def needs():
    """The money and notice fields that apply to the services ticked so far (nothing is saved)."""
    form = ReferralForm()
    return render("intake/_needs.html", "intake/_needs.html", **needs_context(form))


@bp.post("/duplicates")
@require("intake")
def duplicates():
    """Members already on file who may be the person being typed in; each shown is an audited view."""
    form = IntakeForm()
    found = find_duplicates(form.first_name.data, form.last_name.data, form.dob.data,
                            (request.form.get("medicaid_id") or "")[:40])
    visible = visible_ids(found)
    for member in found:
        audit.record("view", member=member, record_type="duplicate check")
    db.session.commit()
    return render("intake/_duplicates.html", "intake/_duplicates.html", duplicates=found, visible=visible)


@bp.route("/members/<int:member_id>/referral", methods=["GET", "POST"])
@require("intake")
def attach(member_id):
    """Add a referral to a member on file (found as a duplicate, or coming back years later); only to a member
    the user may see: a duplicate assigned to a colleague is theirs (or a coordinator's) to add to."""
    member = get_member_or_404(member_id, "intake")
    switched = language_switched_in_form()
    form = AttachForm()
    if request.method == "GET":
        form.received_on.data = local_today()
    if request.form.get("from_intake") or switched:
        # Came from the intake form's duplicate warning: show what was typed for review, unsaved.
        return render("intake/attach.html", member=member, **needs_context(form))
    if form.validate_on_submit():
        referral = Referral(status="new", taken_by_id=current_user.id)
        form.apply_to(referral)
        referral.member = member
        db.session.add(referral)
        db.session.flush()
        audit.record("create", member=member, obj=referral,
                     changes=values(referral, REFERRAL_FIELDS) | {"services": [None, sorted(referral.service_codes)]})
        db.session.commit()
        flash(_("Referral added to the record of %(name)s.", name=member.full_name), "success")
        return redirect(url_for("members.show", member_id=member.id))
    return render("intake/attach.html", status=422 if form.errors else 200, member=member, **needs_context(form))


@bp.route("/referrals/<int:referral_id>/edit", methods=["GET", "POST"])
@require("intake")
def edit_referral(referral_id):
    """Correct what was recorded on a referral; the audit trail keeps the before and after."""
    referral = db.session.get(Referral, referral_id) or abort(404)
    member = get_member_or_404(referral.member_id, "intake", log_view=False)
    form = AttachForm(obj=referral if request.method == "GET" else None)
    if request.method == "GET":
        form.payer_id.data = str(referral.payer_id or "")
        form.services.data = sorted(referral.service_codes)
        form.rent_months_owed.data = "" if referral.rent_months_owed is None else str(referral.rent_months_owed)
        form.rent_per_month.data = cents_text(referral.rent_per_month_cents)
        form.utility_owed.data = cents_text(referral.utility_owed_cents)
        audit.record("view", member=member, obj=referral, commit=True)
    elif form.validate_on_submit():
        before = sorted(referral.service_codes)
        form.apply_to(referral)
        diff = audit.changes(referral)
        if sorted(referral.service_codes) != before:
            diff["services"] = [before, sorted(referral.service_codes)]
        if diff:
            audit.record("update", member=member, obj=referral, changes=diff)
        db.session.commit()
        flash(_("Referral corrected.") if diff else _("Nothing was changed."), "success")
        return redirect(url_for("members.show", member_id=member.id))
    return render("intake/edit_referral.html", status=422 if form.errors else 200, member=member,
                  referral=referral, tab="intake", tabs=TABS, **needs_context(form))


def cents_text(cents) -> str:
    return "" if cents is None else (f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}")


@bp.get("/blank.pdf")
@require("intake")
def blank_pdf():
    """The intake form on paper, in English or Spanish (?lang=es), for intake away from the laptop."""
    from hrsn.pdf import blank_intake_pdf
    lang = request.args.get("lang", "")
    if lang not in LANGUAGES:
        lang = "en"
    with force_locale(lang):
        services = [s.label(lang) for s in db.session.scalars(
            db.select(ServiceType).where(ServiceType.active).order_by(ServiceType.sort_order, ServiceType.id))]
        data = blank_intake_pdf(services=services, sources=[str(v) for v in SOURCES.values()],
                                languages=[str(v) for v in LANGUAGES.values()])
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="intake-form-{lang}.pdf"'
    return response
