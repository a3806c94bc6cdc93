"""The contact log and the outreach rule on a member's Contact tab."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _, to_user_timezone
from flask_login import current_user

from hrsn import audit
from hrsn.access import get_member_or_404
from hrsn.contact import bp
from hrsn.contact.forms import WHEN_FORMAT, ContactForm, local_now_text
from hrsn.contact.messages import deliver, offer_message
from hrsn.extensions import db
from hrsn.members import TABS
from hrsn.models import (CONTACT_METHODS, ContactAttempt, UnableToReach, local_today, outreach_progress, utcnow)
from hrsn.render import render, wants_fragment


def contacts_of(member):
    return db.session.scalars(db.select(ContactAttempt).where(ContactAttempt.member_id == member.id)
                              .order_by(ContactAttempt.at.desc(), ContactAttempt.id.desc())).all()


def new_contact_form(member):
    form = ContactForm(formdata=None, member=member, at=local_now_text())
    if member.interpreter_needed:
        form.interpreter_used.data = True
        form.interpreter_language.data = _("Spanish") if member.preferred_language == "es" else ""
    return form


def tab_context(member, **overrides):
    """Everything the Contact tab shows; a view overrides the piece it just changed."""
    from hrsn.contact.consent import consent_context, severity_context
    form = overrides.pop("form", None) or new_contact_form(member)
    offer = offer_message(member, form.method.data, current_user)
    if offer and not form.message_text.data:
        form.message_subject.data, form.message_text.data = offer.subject, offer.body
    context = {"member": member, "tab": "contact", "tabs": TABS, "form": form, "offer": offer,
               "progress": outreach_progress(member), "contacts": contacts_of(member),
               "methods": CONTACT_METHODS}
    context.update(consent_context(member))
    context.update(severity_context(member))
    context.update(overrides)
    return context


@bp.get("/members/<int:member_id>/contact")
def tab(member_id):
    member = get_member_or_404(member_id, "contact")
    return render("contact/tab.html", **tab_context(member))


@bp.post("/members/<int:member_id>/contact")
def add(member_id):
    member = get_member_or_404(member_id, "contact")
    form = ContactForm(member=member)
    if not form.validate_on_submit():
        return render("contact/tab.html", "contact/_form.html", status=422,
                      **tab_context(member, form=form))
    contact = ContactAttempt(member_id=member.id, author_id=current_user.id)
    _fill(contact, form)
    db.session.add(contact)
    db.session.flush()
    audit.record("create", member=member, obj=contact, changes={k: [None, v] for k, v in _values(contact).items()})
    deliver(contact, member)
    db.session.commit()
    if not wants_fragment():
        flash(_("Contact saved."), "success")
        return redirect(url_for("contact.tab", member_id=member.id))
    return render("contact/tab.html", "contact/_form.html", headers={"HX-Trigger": "contactLogged"},
                  **tab_context(member, saved=True))


def _fill(contact, form):
    contact.at, contact.minutes = form.at_utc, form.minutes_value
    for name in ("method", "direction", "outcome", "activity", "interpreter_used"):
        setattr(contact, name, getattr(form, name).data)
    contact.interpreter_language = (form.interpreter_language.data or "").strip() or None if form.interpreter_used.data else None
    contact.note = (form.note.data or "").strip() or None
    keeps_message = form.method.data in ("email", "text")
    contact.message_subject = ((form.message_subject.data or "").strip() or None) if form.method.data == "email" else None
    contact.message_text = ((form.message_text.data or "").strip() or None) if keeps_message else None


def _values(contact):
    return {k: audit._plain(getattr(contact, k)) for k in (
        "at", "method", "direction", "outcome", "minutes", "activity", "interpreter_used",
        "interpreter_language", "note", "message_subject", "message_text")}


@bp.get("/members/<int:member_id>/contact/log")
def log(member_id):
    member = get_member_or_404(member_id, "contact", log_view=False)
    return render("contact/tab.html", "contact/_log.html", **tab_context(member))


@bp.get("/members/<int:member_id>/contact/progress")
def progress(member_id):
    member = get_member_or_404(member_id, "contact", log_view=False)
    return render("contact/tab.html", "contact/_progress.html", **tab_context(member))


@bp.get("/members/<int:member_id>/contact/message")
def message(member_id):
    """The suggested message for the chosen method, in the member's language."""
    member = get_member_or_404(member_id, "contact", log_view=False)
    form = new_contact_form(member)
    form.method.data = request.args.get("method", "")
    return render("contact/tab.html", "contact/_message.html", **tab_context(member, form=form))


def _own_contact(member, contact_id):
    contact = db.session.get(ContactAttempt, contact_id)
    if contact is None or contact.member_id != member.id:
        abort(404)
    return contact


@bp.get("/members/<int:member_id>/contact/<int:contact_id>")
def row(member_id, contact_id):
    member = get_member_or_404(member_id, "contact", log_view=False)
    return render("contact/tab.html", "contact/_row.html", contact=_own_contact(member, contact_id),
                  **tab_context(member))


@bp.route("/members/<int:member_id>/contact/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(member_id, contact_id):
    """Correct a contact: its author only; the audit trail keeps the before and after."""
    member = get_member_or_404(member_id, "contact")
    contact = _own_contact(member, contact_id)
    if contact.author_id != current_user.id:
        abort(403)
    form = ContactForm(obj=contact if request.method == "GET" else None, member=member, prefix="edit")
    if request.method == "GET":
        form.at.data = to_user_timezone(contact.at).strftime(WHEN_FORMAT)
        form.minutes.data = str(contact.minutes)
    elif form.validate_on_submit():
        _fill(contact, form)
        contact.updated_at = utcnow()
        audit.record("update", member=member, obj=contact, changes=audit.changes(contact))
        db.session.commit()
        if not wants_fragment():
            flash(_("Correction saved."), "success")
            return redirect(url_for("contact.tab", member_id=member.id))
        return render("contact/tab.html", "contact/_row.html", contact=contact,
                      headers={"HX-Trigger": "contactCorrected"}, **tab_context(member))
    return render("contact/edit.html", "contact/_edit.html", contact=contact, edit_form=form,
                  status=422 if form.errors else 200, member=member, tab="contact", tabs=TABS)


@bp.post("/members/<int:member_id>/contact/unable")
def unable(member_id):
    """Mark unable to reach: refused unless the outreach rule is met and the member was not reached."""
    member = get_member_or_404(member_id, "contact")
    progress_now = outreach_progress(member)
    if not progress_now.can_mark_unable:
        return render("contact/tab.html", "contact/_progress.html", status=422,
                      **tab_context(member, progress=progress_now, unable_error=refusal(progress_now)))
    referral = member.latest_referral
    mark = UnableToReach(member_id=member.id, referral_id=referral.id if referral else None,
                         marked_on=local_today(), marked_by_id=current_user.id,
                         attempts=progress_now.attempts, methods=progress_now.methods)
    db.session.add(mark)
    db.session.flush()
    audit.record("create", member=member, obj=mark,
                 changes={"attempts": [None, mark.attempts], "methods": [None, mark.methods]})
    db.session.commit()
    if not wants_fragment():
        flash(_("Marked unable to reach. The member is on the list to report back to the payer."), "success")
        return redirect(url_for("contact.tab", member_id=member.id))
    return render("contact/tab.html", "contact/_progress.html", headers={"HX-Trigger": "memberChanged"},
                  **tab_context(member))


def refusal(progress) -> str:
    if progress.reached:
        return _("This member was reached, so they cannot be marked unable to reach.")
    if progress.unable is not None:
        return _("This member is already marked unable to reach.")
    return _("The outreach rule is not met yet: %(a)d of %(na)d attempts, %(m)d of %(nm)d methods.",
             a=progress.attempts, na=progress.rule.attempts, m=progress.methods, nm=progress.rule.methods)
