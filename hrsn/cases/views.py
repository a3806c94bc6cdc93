"""The member's Case tab: the member's cases, the one open on the tab with its figures, opening and editing a
case and moving it (on hold, closed, reopened); the small contexts each part of the tab is drawn from."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_change, member_for_fragment, member_for_view, owned
from hrsn.cases import bp, figures, limits
from hrsn.cases.forms import CaseForm, CaseMoveForm, PaymentForm, RequestForm
from hrsn.cases.rules import (active_sources, case_authorizations, cases_page, load_case, notes_page,
                              party_contacts_page, payment_blocked, payments_page, pending_request, request_missing,
                              requests_of, sendable_documents)
from hrsn.extensions import db
from hrsn.forms import clean_text, money_text
from hrsn.models import (Case, Payer, ServiceType, close_schedule, generate_schedule, local_today, payee_choices,
                         reopen_schedule)
from hrsn.render import changed, conflict_events, edit_page, refused, render

WORK = "contact"    # case work is done by the roles that work with the member (finance only reads the tab)


def for_work(member_id):
    """The member whose case is worked on (opened, requested for, paid from): the Case tab's area, and the case
    work finance does not do."""
    if not current_user.can(WORK):
        audit.refusal(403, "case")
        abort(403)
    return (member_for_view if request.method == "GET" else member_for_change)(member_id, "case")


def case_of(member, case_id, history=False) -> Case:
    """One of the member's cases; another member's case, or none, is a 404."""
    case = load_case(member, case_id, history)
    if case is None:
        abort(404)
    return case


# What each part of the tab is drawn from ----------------------------------------------------------

def case_context(member, case, move_form=None, **extra) -> dict:
    if move_form is None and case is not None:
        move_form = CaseMoveForm(formdata=None)
        move_form.fill_version(case)
    return {"member": member, "case": case, "move_form": move_form, **extra}


def glance_context(member, case) -> dict:
    sources = figures.by_source(case)
    return {"member": member, "case": case, "authorizations": figures.authorizations(case), "sources": sources,
            "whole": figures.total(sources), "months": figures.months(case), "limits": limits.limit_uses(case)}


def requests_context(member, case, request_form=None, decision_form=None, **extra) -> dict:
    from hrsn.cases.requests import decision_form_for
    requests = requests_of(case)
    pending = pending_request(requests)
    if request_form is None:
        request_form = RequestForm(formdata=None, submitted_on=local_today(), sent_to=case.payer.requests_to)
    request_form.documents.choices = [(str(d.id), d.title) for d in sendable_documents(member)]
    return {"member": member, "case": case, "requests": requests, "pending": pending,
            "missing": request_missing(member, case) if pending is None and case.status == "open" else [],
            "request_form": request_form,
            "decision_form": decision_form or (decision_form_for(pending, case) if pending else None), **extra}


def payment_form_context(member, case, form=None, check=None, **extra) -> dict:
    fresh = form is None
    if fresh:
        form = PaymentForm(formdata=None, funding_source_id=str(case.funding_source_id),
                           amount=money_text(case.monthly_cents))
    offer_payment_choices(member, case, form)
    if fresh:        # the newest authorization still running for the case's own funding source
        form.authorization_id.data = next((key for key, auth in form.authorization_id.records.items()
                                           if auth.funding_source_id == case.funding_source_id
                                           and auth.end_on >= local_today()), "")
    return {"member": member, "case": case, "payment_form": form, "blocked": payment_blocked(case), "check": check,
            **extra}


def offer_payment_choices(member, case, form) -> None:
    form.payee_id.offer(payee_choices(member), lambda p: f"{p.display} · {p.kind_label}")
    form.funding_source_id.offer(active_sources(), lambda s: s.name)
    form.authorization_id.offer(case_authorizations(case), blank=_("No authorization"),
                                describe=lambda a: _("%(number)s · %(source)s, %(start)s to %(end)s", number=a.number,
                                                     source=a.funding_source.name, start=a.start_on.isoformat(),
                                                     end=a.end_on.isoformat()))


def payments_context(member, case, page=1, **extra) -> dict:
    return {"member": member, "case": case, "payments": payments_page(case, page), **extra}


def notes_context(member, case, note_form=None, **extra) -> dict:
    from hrsn.cases.forms import NoteForm
    return {"member": member, "case": case, "notes": notes_page(case, params.number("notes", 1) or 1),
            "note_form": note_form or NoteForm(formdata=None), **extra}


def parties_context(member, case, party_form=None, **extra) -> dict:
    from hrsn.cases.forms import PartyContactForm
    if party_form is None:
        party_form = PartyContactForm(formdata=None, contact_on=local_today())
    party_form.third_party_id.offer(payee_choices(member), lambda p: p.display, blank=_("A partner agency (below)"))
    return {"member": member, "case": case, "party_contacts": party_contacts_page(case, params.number("contacts", 1) or 1),
            "party_form": party_form, **extra}


def tab_context(member, case=None) -> dict:
    """Everything the Case tab shows; a view that answers with the whole page adds what it changed."""
    case = case or load_case(member, params.number("case"))
    context = {"tab": "case", "cases": cases_page(member, params.number("cases", 1) or 1),
               **case_context(member, case)}
    if case is None:
        return context
    context.update(glance_context(member, case) | requests_context(member, case)
                   | payment_form_context(member, case) | payments_context(member, case, params.page()))
    if current_user.can(WORK):
        context.update(notes_context(member, case) | parties_context(member, case))
    return context


@bp.get("/members/<int:member_id>/case")
def tab(member_id):
    member = member_for_view(member_id, "case")
    context = tab_context(member)
    if params.number("case") and context["case"] is None:
        abort(404)                           # another member's case, or none
    return render("cases/tab.html", **context)


# Opening, editing and moving a case ----------------------------------------------------------------

def offer_case_choices(member, form, case) -> None:
    services = db.session.scalars(db.select(ServiceType).where(db.or_(ServiceType.active,
                                                                      ServiceType.id == case.service_type_id))
                                  .order_by(ServiceType.sort_order)).all()
    payers = db.session.scalars(db.select(Payer).where(db.or_(Payer.active, Payer.id == case.payer_id))
                                .order_by(Payer.name)).all()
    form.service_type_id.offer(services, lambda s: s.name)
    form.payer_id.offer(payers, lambda p: p.name)
    form.funding_source_id.offer(active_sources(), lambda s: s.name)
    form.referral_id.offer(member.referrals, blank=_("No referral"),
                           describe=lambda r: _("Received %(day)s · %(status)s", day=r.received_on.isoformat(),
                                                status=r.status_label))


def apply_case(case, form) -> None:
    case.service_type_id, case.payer_id = form.service_type_id.record.id, form.payer_id.record.id
    case.funding_source_id = form.funding_source_id.record.id
    case.referral_id = form.referral_id.record.id if form.referral_id.record else None
    case.monthly_cents = form.monthly.cents
    for name in ("asked_payer_on", "rules_explained_on", "landlord_explained_on"):
        setattr(case, name, getattr(form, name).data)


@bp.route("/members/<int:member_id>/case/new", methods=["GET", "POST"], defaults={"case_id": None})
@bp.route("/members/<int:member_id>/case/<int:case_id>/edit", methods=["GET", "POST"])
def edit(member_id, case_id):
    """Open a case, or correct one; a new case starts open, opened today by the user, with a first history row."""
    member = for_work(member_id)
    case = owned(Case, case_id, member) if case_id else Case(member_id=member.id)
    form = CaseForm(obj=case if case_id and request.method == "GET" else None)
    offer_case_choices(member, form, case)

    def fill(form):
        form.monthly.data = money_text(case.monthly_cents)
        if not case_id:
            fill_new_case(member, form)

    def apply():
        apply_case(case, form)
        if not case_id:
            case.opened_on, case.opened_by_id = local_today(), current_user.id
            case.begin("open", current_user)
            generate_schedule(case, current_user)      # its follow-up check-ins, from the service's template
    return edit_page(case, form, "cases/case_form.html", apply=apply, fill=fill, member=member, tab="case",
                     back_to=url_for("cases.tab", member_id=member.id, case=case_id),
                     message=_("Case saved.") if case_id else _("Case opened."), case=case if case_id else None)


def fill_new_case(member, form) -> None:
    """A new case starts from the latest referral: its payer, its first service, its rent."""
    referral = member.latest_referral
    if referral is None:
        return
    form.referral_id.data, form.payer_id.data = str(referral.id), str(referral.payer_id or "")
    if referral.services:
        form.service_type_id.data = str(referral.services[0].id)
    form.monthly.data = money_text(referral.rent_per_month_cents)


@bp.post("/members/<int:member_id>/case/<int:case_id>/move")
def move(member_id, case_id):
    member = for_work(member_id)
    case = case_of(member, case_id, history=True)
    form = CaseMoveForm()
    partial = "cases/_case.html"
    if not form.validate_on_submit():
        return refused("cases/tab.html", partial, status=422, page_context=lambda: tab_context(member, case),
                       **case_context(member, case, form))
    if form.is_stale(case) or form.to.data not in case.allowed():
        error = _("This case is now “%(status)s”; that change is not possible from here.", status=case.status_label)
        return refused("cases/tab.html", partial, status=409, message=error, page_context=lambda: tab_context(member, case),
                       **case_context(member, case, None, move_error=error, conflict=conflict_events(case, form)))
    before, closed_at = case.status, case.status_at
    case.move(form.to.data, current_user, clean_text(form.reason.data))
    if case.status == "closed":
        close_schedule(case, current_user)          # its follow-up check-ins still due are skipped...
    elif before == "closed":
        reopen_schedule(case, closed_at, current_user)      # ...and are due again when it reopens
    audit.record("update", member=member, obj=case, changes={"status": [before, case.status],
                                                             "reason": [None, clean_text(form.reason.data)]})
    db.session.commit()
    moved = {"open": _("The case is open again."), "on_hold": _("The case is on hold."),
             "closed": _("The case is closed.")}
    return changed(partial, message=moved[case.status],
                   events=("caseChanged",), back_to=url_for("cases.tab", member_id=member.id, case=case.id),
                   **case_context(member, case))


@bp.get("/members/<int:member_id>/case/<int:case_id>/glance")
def glance(member_id, case_id):
    member = member_for_fragment(member_id, "case")
    return render("cases/_glance.html", "cases/_glance.html", **glance_context(member, case_of(member, case_id)))
