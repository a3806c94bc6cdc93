"""Consent to share information (given, withdrawn) and the severity assessment at first contact."""
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit
from hrsn.access import member_for_change, member_for_fragment, owned
from hrsn.contact import bp
from hrsn.contact.forms import ConsentForm, SeverityForm, WithdrawForm
from hrsn.contact.rules import consent_history, consent_text, severity_of
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.models import Consent, SeverityAssessment, consent_status, local_today, outreach_progress
from hrsn.render import changed, conflict_events, refused, render


def consent_context(member, consent_form=None, withdraw_form=None, conflict=None) -> dict:
    status, current = consent_status(member)
    if consent_form is None:
        today = local_today()
        consent_form = ConsentForm(formdata=None, given_on=today, expires_on=today + timedelta(days=365))
    if withdraw_form is None:
        withdraw_form = WithdrawForm(formdata=None, withdrawn_on=local_today())
        if current is not None:
            withdraw_form.fill_version(current)
    return {"member": member, "consent_status": status, "consent": current, "consent_text": consent_text(status, current),
            "consents": consent_history(member), "consent_form": consent_form, "withdraw_form": withdraw_form,
            "conflict": conflict}


def severity_context(member, severity_form=None) -> dict:
    if severity_form is None:
        severity_form = SeverityForm(formdata=None)
        severity_form.language_needs.data = _("Interpreter needed") if member.interpreter_needed else ""
    return {"member": member, "assessment": severity_of(member), "severity_form": severity_form}


def _consent_saved(member, message):
    return changed("contact/_consent.html", message=message, events=("memberChanged",),
                   back_to=url_for("contact.tab", member_id=member.id), **consent_context(member))


@bp.post("/members/<int:member_id>/contact/consent")
def consent_add(member_id):
    member = member_for_change(member_id, "contact")
    form = ConsentForm()
    if not form.validate_on_submit():
        return refused("contact/_consent.html", "contact/_consent.html", status=422,
                       **consent_context(member, consent_form=form))
    consent = Consent(member_id=member.id, given_on=form.given_on.data, form=form.form.data,
                      scope=form.scope.data.strip(), expires_on=form.expires_on.data, recorded_by_id=current_user.id)
    audit.add(consent, member=member, fields=("given_on", "form", "scope", "expires_on"))
    db.session.commit()
    return _consent_saved(member, _("Consent recorded."))


@bp.post("/members/<int:member_id>/contact/consent/<int:consent_id>/withdraw")
def consent_withdraw(member_id, consent_id):
    member = member_for_change(member_id, "contact")
    consent = owned(Consent, consent_id, member)
    form = WithdrawForm(consent=consent)
    if consent.withdrawn_on is not None:
        form.withdrawn_on.errors = [_("This consent was already withdrawn.")]
        return refused("contact/_consent.html", "contact/_consent.html", status=422,
                       **consent_context(member, withdraw_form=form))
    if not form.validate_on_submit():
        return refused("contact/_consent.html", "contact/_consent.html", status=422,
                       **consent_context(member, withdraw_form=form))
    if form.is_stale(consent):
        return refused("contact/_consent.html", "contact/_consent.html", status=409,
                       **consent_context(member, withdraw_form=form, conflict=conflict_events(consent, form)))
    consent.withdrawn_on = form.withdrawn_on.data
    consent.withdrawn_note = clean_or_none(form.withdrawn_note.data)
    consent.withdrawn_by_id = current_user.id
    audit.record("update", member=member, obj=consent, changes=audit.changes(consent))
    db.session.commit()
    return _consent_saved(member, _("Withdrawal of consent recorded."))


@bp.get("/members/<int:member_id>/contact/severity")
def severity(member_id):
    member = member_for_fragment(member_id, "contact")
    return render("contact/_severity.html", "contact/_severity.html", progress=outreach_progress(member),
                  **severity_context(member))


@bp.post("/members/<int:member_id>/contact/severity")
def severity_add(member_id):
    """Severity is assessed once, at first contact: it attaches to the contact that reached the member."""
    member = member_for_change(member_id, "contact")
    progress = outreach_progress(member)
    form = SeverityForm()
    if progress.reached_contact is None or severity_of(member) is not None:
        form.housing_urgency.errors = [_("Severity is assessed once, when the member is first reached.")]
        return refused("contact/_severity.html", "contact/_severity.html", status=422, progress=progress,
                       **severity_context(member, form))
    if not form.validate_on_submit():
        return refused("contact/_severity.html", "contact/_severity.html", status=422, progress=progress,
                       **severity_context(member, form))
    assessment = SeverityAssessment(member_id=member.id, contact_id=progress.reached_contact.id,
                                    recorded_by_id=current_user.id, housing_urgency=form.housing_urgency.data,
                                    safety_concern=form.safety_concern.data,
                                    safety_note=clean_or_none(form.safety_note.data),
                                    language_needs=clean_or_none(form.language_needs.data),
                                    note=clean_or_none(form.other_remarks.data))
    audit.add(assessment, member=member, fields=("housing_urgency", "safety_concern"))
    db.session.commit()
    return changed("contact/_severity.html", message=_("Severity assessment saved."),
                   back_to=url_for("contact.tab", member_id=member.id), progress=progress,
                   **severity_context(member))
