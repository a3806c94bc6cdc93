"""Consent to share information (given, withdrawn) and the severity assessment at first contact."""
from datetime import timedelta

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit
from hrsn.access import get_member_or_404
from hrsn.contact import bp, consent_text
from hrsn.contact.forms import ConsentForm, SeverityForm, WithdrawForm
from hrsn.extensions import db
from hrsn.models import (Consent, SeverityAssessment, consent_status, local_today,
                         outreach_progress)
from hrsn.render import render, wants_fragment


def consent_context(member, consent_form=None, withdraw_form=None):
    status, current = consent_status(member)
    history = db.session.scalars(db.select(Consent).where(Consent.member_id == member.id)
                                 .order_by(Consent.given_on.desc(), Consent.id.desc())).all()
    if consent_form is None:
        today = local_today()
        consent_form = ConsentForm(formdata=None, given_on=today, expires_on=today + timedelta(days=365))
    withdraw_form = withdraw_form or WithdrawForm(formdata=None, withdrawn_on=local_today())
    return {"consent_status": status, "consent": current, "consent_text": consent_text(status, current), "consents": history,
            "consent_form": consent_form, "withdraw_form": withdraw_form}


def severity_context(member, severity_form=None):
    assessment = db.session.scalar(db.select(SeverityAssessment).where(SeverityAssessment.member_id == member.id))
    if severity_form is None:
        severity_form = SeverityForm(formdata=None)
        need = _("Interpreter needed") if member.interpreter_needed else ""
        severity_form.language_needs.data = need
    return {"assessment": assessment, "severity_form": severity_form}


def _panel(member, partial, status=200, headers=None, **forms):
    from hrsn.contact.views import tab_context
    return render("contact/tab.html", partial, status=status, headers=headers, **tab_context(member, **forms))


@bp.post("/members/<int:member_id>/contact/consent")
def consent_add(member_id):
    member = get_member_or_404(member_id, "contact")
    form = ConsentForm()
    if not form.validate_on_submit():
        return _panel(member, "contact/_consent.html", 422, **consent_context(member, consent_form=form))
    consent = Consent(member_id=member.id, given_on=form.given_on.data, form=form.form.data,
                      scope=form.scope.data.strip(), expires_on=form.expires_on.data,
                      recorded_by_id=current_user.id)
    db.session.add(consent)
    db.session.flush()
    audit.record("create", member=member, obj=consent, changes={
        "given_on": [None, str(consent.given_on)], "form": [None, consent.form],
        "scope": [None, consent.scope], "expires_on": [None, audit._plain(consent.expires_on)]})
    db.session.commit()
    return _done(member, _("Consent recorded."))


@bp.post("/members/<int:member_id>/contact/consent/<int:consent_id>/withdraw")
def consent_withdraw(member_id, consent_id):
    member = get_member_or_404(member_id, "contact")
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.member_id != member.id:
        abort(404)
    form = WithdrawForm(consent=consent)
    if consent.withdrawn_on is not None:
        form.withdrawn_on.errors = [_("This consent was already withdrawn.")]
        return _panel(member, "contact/_consent.html", 422, **consent_context(member, withdraw_form=form))
    if not form.validate_on_submit():
        return _panel(member, "contact/_consent.html", 422, **consent_context(member, withdraw_form=form))
    consent.withdrawn_on = form.withdrawn_on.data
    consent.withdrawn_note = (form.withdrawn_note.data or "").strip() or None
    consent.withdrawn_by_id = current_user.id
    audit.record("update", member=member, obj=consent, changes=audit.changes(consent))
    db.session.commit()
    return _done(member, _("Withdrawal of consent recorded."))


def _done(member, message):
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("contact.tab", member_id=member.id))
    return _panel(member, "contact/_consent.html", headers={"HX-Trigger": "memberChanged"}, consent_saved=message)


@bp.get("/members/<int:member_id>/contact/severity")
def severity(member_id):
    member = get_member_or_404(member_id, "contact", log_view=False)
    return _panel(member, "contact/_severity.html")


@bp.post("/members/<int:member_id>/contact/severity")
def severity_add(member_id):
    """Severity is assessed once, at first contact: it attaches to the contact that reached the member."""
    member = get_member_or_404(member_id, "contact")
    progress = outreach_progress(member)
    first = progress.reached_contact
    form = SeverityForm()
    if first is None or severity_context(member)["assessment"] is not None:
        form.housing_urgency.errors = [_("Severity is assessed once, when the member is first reached.")]
        return _panel(member, "contact/_severity.html", 422, **severity_context(member, form))
    if not form.validate_on_submit():
        return _panel(member, "contact/_severity.html", 422, **severity_context(member, form))
    assessment = SeverityAssessment(member_id=member.id, contact_id=first.id, recorded_by_id=current_user.id,
                                    housing_urgency=form.housing_urgency.data,
                                    safety_concern=form.safety_concern.data,
                                    safety_note=(form.safety_note.data or "").strip() or None,
                                    language_needs=(form.language_needs.data or "").strip() or None,
                                    note=(form.note.data or "").strip() or None)
    db.session.add(assessment)
    db.session.flush()
    audit.record("create", member=member, obj=assessment,
                 changes={"housing_urgency": [None, assessment.housing_urgency],
                          "safety_concern": [None, assessment.safety_concern]})
    db.session.commit()
    if not wants_fragment():
        flash(_("Severity assessment saved."), "success")
        return redirect(url_for("contact.tab", member_id=member.id))
    return _panel(member, "contact/_severity.html")
