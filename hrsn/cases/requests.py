"""Service requests on the Case tab: sending one to the payer (refused, with the list, while eligibility or a
required document is missing), and the payer's answer, with the authorization when it is one."""
from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit
from hrsn.access import owned
from hrsn.cases import bp
from hrsn.cases.forms import DecisionForm, RequestForm
from hrsn.cases.rules import active_sources, pending_request, request_missing, requests_of
from hrsn.cases.views import case_of, for_work, requests_context, tab_context
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.models import Authorization, Document, ServiceRequest, local_today, schedule_from_authorization
from hrsn.render import changed, conflict_events, refused

PARTIAL = "cases/_requests.html"
AUTH_FIELDS = ("number", "funding_source_id", "amount_cents", "unit", "quantity", "start_on", "end_on")


def decision_form_for(pending, case, formdata=None) -> DecisionForm:
    form = DecisionForm(formdata=formdata, decided_on=local_today(), funding_source_id=str(case.funding_source_id))
    if formdata is None:
        form.fill_version(pending)
    form.funding_source_id.offer(active_sources(), lambda s: s.name)
    return form


def _done(member, case, message):
    return changed(PARTIAL, message=message, events=("requestChanged",),
                   back_to=url_for("cases.tab", member_id=member.id, case=case.id), **requests_context(member, case))


def _refused(member, case, status, error=None, **forms):
    return refused("cases/tab.html", PARTIAL, status=status, message=error,
                   page_context=lambda: tab_context(member, case), **requests_context(member, case, **forms),
                   request_error=error)


@bp.post("/members/<int:member_id>/case/<int:case_id>/requests")
def submit(member_id, case_id):
    member = for_work(member_id)
    case = case_of(member, case_id)
    form = RequestForm()
    if case.status != "open" or pending_request(requests_of(case)) is not None:
        return _refused(member, case, 409, _("This case already has a request with the payer, or is not open."),
                        request_form=form)
    missing = request_missing(member, case)
    if missing:
        return _refused(member, case, 422, _("The request cannot be sent yet. Still missing: %(list)s.",
                                             list="; ".join(missing)), request_form=form)
    if not form.validate_on_submit():
        return _refused(member, case, 422, request_form=form)
    new_request(member, case, form)
    db.session.commit()
    return _done(member, case, _("Service request recorded as sent to the payer."))


def new_request(member, case, form) -> ServiceRequest:
    """The request with the member's files it took; a checklist document sent with it is "sent to payer" there too."""
    chosen = [int(i) for i in form.documents.data or () if str(i).isascii() and str(i).isdigit()]
    sent = db.session.scalars(db.select(Document).where(Document.member_id == member.id, Document.id.in_(chosen))).all()
    service_request = ServiceRequest(case_id=case.id, member_id=member.id, submitted_on=form.submitted_on.data,
                                     sent_to=clean_or_none(form.sent_to.data), sent_note=clean_or_none(form.sent_note.data),
                                     submitted_by_id=current_user.id, documents=list(sent))
    service_request.begin("submitted", current_user)
    for document in sent:
        if document.item is not None and "sent" in document.item.moves:
            document.item.move("sent", current_user)
    audit.add(service_request, member=member, fields=("submitted_on", "sent_to", "sent_note"),
              changes={"items": [None, [d.title for d in sent]]})
    return service_request


@bp.post("/members/<int:member_id>/case/<int:case_id>/requests/<int:request_id>/decide")
def decide(member_id, case_id, request_id):
    member = for_work(member_id)
    case = case_of(member, case_id)
    service_request = owned(ServiceRequest, request_id, member)
    if service_request.case_id != case.id:
        abort(404)
    form = decision_form_for(service_request, case, request.form)
    if not form.validate_on_submit():
        return _refused(member, case, 422, decision_form=form)
    if form.is_stale(service_request) or form.decision.data not in service_request.allowed():
        return _refused(member, case, 409, _("Someone else recorded the payer's answer meanwhile: the request is now "
                                             "“%(status)s”.", status=service_request.status_label),
                        conflict=conflict_events(service_request, form))
    message = apply_decision(member, case, service_request, form)
    db.session.commit()
    return _done(member, case, message)


def apply_decision(member, case, service_request, form) -> str:
    decision = form.decision.data
    note = {"denied": form.reason.data, "more_info": form.info_requested.data}.get(decision)
    with db.session.no_autoflush:
        service_request.move(decision, current_user, note)
        if decision != "submitted":
            service_request.decided_on = form.decided_on.data
        if decision == "denied":
            service_request.denial_reason = clean_or_none(form.reason.data)
        elif decision == "more_info":
            service_request.info_requested = clean_or_none(form.info_requested.data)
            service_request.info_due = form.info_due.data
        changes = audit.changes(service_request)
    audit.record("update", member=member, obj=service_request, changes=changes)
    if decision != "authorized":
        return {"denied": _("The denial is recorded."), "more_info": _("The payer's question is recorded."),
                "submitted": _("Recorded as sent again to the payer.")}[decision]
    auth = Authorization(case_id=case.id, member_id=member.id, request_id=service_request.id,
                         funding_source_id=form.funding_source_id.record.id, number=form.number.data.strip(),
                         amount_cents=form.amount.cents, unit=form.unit.data, quantity=form.quantity.number,
                         start_on=form.start_on.data, end_on=form.end_on.data, recorded_by_id=current_user.id)
    audit.add(auth, member=member, fields=AUTH_FIELDS)
    schedule_from_authorization(case, current_user)    # a template counted from the authorization's start
    return _("The authorization is recorded.")         # flashed without htmx: no number in the session cookie
