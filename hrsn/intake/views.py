"""Intake screens: the member's Intake tab and its corrections, the new-referral form with its duplicate check,
adding a referral to a member on file, correcting a referral, and the blank paper form."""
from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from hrsn import audit, params, throttle
from hrsn.access import member_for_change, member_for_view, require
from hrsn.auth.views import language_switched_in_form
from hrsn.extensions import db
from hrsn.forms import money_text
from hrsn.intake import bp
from hrsn.intake.forms import AttachForm, IntakeForm, MemberForm, ReferralForm
from hrsn.intake.rules import MEMBER_FIELDS, REFERRAL_FIELDS, find_duplicates, visible_ids
from hrsn.models import LANGUAGES, Member, Referral, Role, ServiceType, add_checklist_items, local_today
from hrsn.models.intake import REACH_METHODS, SOURCES
from hrsn.render import edit_page, render, triggers


def needs_context(form) -> dict:
    return {"form": form, **form.asked}


def referral_created(member, referral) -> None:
    """What every new referral brings: its audit event and the documents its services need."""
    db.session.flush()
    audit.record("create", member=member, obj=referral, changes=audit.created(referral, REFERRAL_FIELDS)
                 | {"services": [None, sorted(referral.service_codes)]})
    add_checklist_items(member, referral)


# What the tab shows of each referral (its payer, who took it, its services), loaded with the referrals.
REFERRALS_SHOWN = (selectinload(Member.referrals).options(joinedload(Referral.payer), joinedload(Referral.taken_by),
                                                          selectinload(Referral.services)),)


@bp.get("/members/<int:member_id>")
def tab(member_id):
    member = member_for_view(member_id, "intake", load=REFERRALS_SHOWN)
    return render("intake/tab.html", member=member, tab="intake", reach_methods=REACH_METHODS, sources=SOURCES)


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(member_id):
    """Correct the member's details; the audit trail keeps the before and after."""
    member = (member_for_view if request.method == "GET" else member_for_change)(member_id, "intake")
    latest = member.latest_referral
    form = MemberForm(obj=member if request.method == "GET" else None, member=member,
                      payer=latest.payer if latest else None)

    def fill(form):
        form.household_size.data = "" if member.household_size is None else str(member.household_size)
        form.monthly_income.data = money_text(member.monthly_income_cents)
    return edit_page(member, form, "intake/edit_member.html", apply=lambda: form.apply_to(member), fill=fill,
                     member=member, back_to=url_for("intake.tab", member_id=member.id),
                     message=_("Member details saved."), tab="intake")


def saved(member, message):
    flash(message, "success")
    return redirect(url_for("intake.tab", member_id=member.id))


@bp.route("/intake/new", methods=["GET", "POST"])
@require("intake")
def new():
    switched = language_switched_in_form()     # first: the form's choices are built in the new language
    form = IntakeForm()
    if request.method == "GET":
        form.received_on.data = local_today()
        form.assign_to_me.data = current_user.role == Role.CASE_MANAGER
    if switched or not form.validate_on_submit():
        return new_page(form, status=422 if form.errors and not switched else 200)
    member = Member(created_by_id=current_user.id)
    form.apply_to(member)
    if form.assign_to_me.data and current_user.takes_caseload:
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
    audit.record("create", member=member, obj=member, changes=audit.created(member, MEMBER_FIELDS))
    referral_created(member, referral)
    db.session.commit()
    return saved(member, _("Referral saved."))


def new_page(form, status=200):
    existing = getattr(form.medicaid_id, "errors", None) and getattr(form, "existing_member", None)
    duplicates = find_duplicates(form.first_name.data, form.last_name.data, form.dob.data, form.medicaid_id.data) \
        if request.method == "POST" else []
    shown = ([existing] if existing else []) + list(duplicates)
    return render("intake/new.html", status=status, duplicates=duplicates, existing=existing, visible=visible_ids(shown),
                  sources=SOURCES, languages=LANGUAGES, **needs_context(form))


@bp.post("/intake/needs")
@require("intake")
def needs():
    """The money and notice fields that apply to the services ticked so far (nothing is saved)."""
    return render("intake/_needs.html", "intake/_needs.html", **needs_context(ReferralForm()))


@bp.post("/intake/duplicates")
@require("intake")
def duplicates():
    """Members already on file who may be the person being typed in; each shown is an audited view, and the
    checks one user may make are limited (they could otherwise be used to probe who is on file)."""
    checks = (f"user:{current_user.id}:duplicates", throttle.DUPLICATE_CHECKS)
    if throttle.blocked(checks):
        audit.refusal(429, "duplicate check")
        abort(429)
    form = IntakeForm()
    found = find_duplicates(form.first_name.data, form.last_name.data, form.dob.data,
                            params.text("medicaid_id", 40, source=request.form))
    for member in found:
        audit.record("view", member=member, record_type="duplicate check")
    throttle.hit(checks)
    db.session.commit()
    # The region is replaced as a whole: what it found is read out from the page's status region instead.
    said = _("A member who may be the same person is already on file.") if found else None
    return render("intake/_duplicates.html", "intake/_duplicates.html", headers=triggers(said), duplicates=found,
                  visible=visible_ids(found))


@bp.route("/intake/members/<int:member_id>/referral", methods=["GET", "POST"])
@require("intake")
def attach(member_id):
    """Add a referral to a member on file (found as a duplicate, or coming back years later); only to a member
    the user may see: a duplicate assigned to a colleague is theirs (or a coordinator's) to add to."""
    member = member_for_view(member_id, "intake")
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
        referral_created(member, referral)
        db.session.commit()
        return saved(member, _("Referral added."))
    return render("intake/attach.html", status=422 if form.errors else 200, member=member, **needs_context(form))


@bp.route("/intake/referrals/<int:referral_id>/edit", methods=["GET", "POST"])
@require("intake")
def edit_referral(referral_id):
    """Correct what was recorded on a referral; the audit trail keeps the before and after."""
    referral = db.session.get(Referral, referral_id)
    member = (member_for_view if request.method == "GET" else member_for_change)(
        referral.member_id if referral else 0, "intake")
    form = AttachForm(obj=referral if request.method == "GET" else None)

    def fill(form):
        form.payer_id.data = str(referral.payer_id or "")
        form.services.data = sorted(referral.service_codes)
        form.rent_months_owed.data = "" if referral.rent_months_owed is None else str(referral.rent_months_owed)
        form.rent_per_month.data = money_text(referral.rent_per_month_cents)
        form.utility_owed.data = money_text(referral.utility_owed_cents)

    def apply():
        before = sorted(referral.service_codes)
        form.apply_to(referral)
        if sorted(referral.service_codes) != before:
            add_checklist_items(member, referral)
            return {"services": [before, sorted(referral.service_codes)]}
        return None
    return edit_page(referral, form, "intake/edit_referral.html", apply=apply, fill=fill, member=member,
                     back_to=url_for("intake.tab", member_id=member.id), message=_("Referral corrected."),
                     referral=referral, tab="intake", page_context=lambda: form.asked)


@bp.get("/intake/blank.pdf")
@require("intake")
def blank_pdf():
    """The intake form on paper, in English or Spanish (?lang=es), for intake away from the laptop."""
    from hrsn import settings
    from hrsn.pdf import blank_intake_pdf
    lang = params.one_of("lang", LANGUAGES, "en")
    with force_locale(lang):
        services = [s.label(lang) for s in db.session.scalars(
            db.select(ServiceType).where(ServiceType.active).order_by(ServiceType.sort_order, ServiceType.id))]
        data = blank_intake_pdf(services=services, sources=[str(v) for v in SOURCES.values()],
                                languages=[str(v) for v in LANGUAGES.values()], organization=settings.get("org_name"))
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="intake-form-{lang}.pdf"'
    return response
