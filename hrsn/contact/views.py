"""The member's Contact tab: the outreach rule's progress, logging a contact, the log and its corrections."""
from flask import abort, request, url_for
from flask_babel import gettext as _, to_user_timezone
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_change, member_for_fragment, member_for_view, owned
from hrsn.contact import bp
from hrsn.contact.forms import WHEN_FORMAT, ContactForm, local_now_text
from hrsn.contact.consent import consent_context, severity_context
from hrsn.contact.rules import AUDITED_FIELDS, contact_log, fill_contact, offer_message
from hrsn.extensions import db
from hrsn.models import CONTACT_METHODS, ContactAttempt, UnableToReach, local_today, outreach_progress, utcnow
from hrsn.render import changed, conflict_events, refused, render


def new_contact_form(member, formdata=None):
    """The form to log a contact; empty, or bound to what was posted. The message suggested for the method
    chosen fills the message fields when they are empty."""
    form = ContactForm(formdata=formdata, member=member)
    if formdata is None:
        form.at.data = local_now_text()
        if member.interpreter_needed:
            form.interpreter_used.data = True
            form.interpreter_language.data = _("Spanish") if member.preferred_language == "es" else ""
    return form


def form_context(member, form) -> dict:
    offer = offer_message(member, form.method.data, current_user)
    if offer and not form.message_text.data:
        form.message_subject.data, form.message_text.data = offer.subject, offer.body
    return {"member": member, "form": form, "offer": offer, "methods": CONTACT_METHODS}


def tab_context(member) -> dict:
    """Everything the Contact tab shows; a view that answers with the whole page adds what it changed."""
    return {"tab": "contact", "progress": outreach_progress(member), "log": contact_log(member, params.page()),
            **form_context(member, new_contact_form(member)), **consent_context(member), **severity_context(member)}


@bp.get("/members/<int:member_id>/contact")
def tab(member_id):
    return render("contact/tab.html", **tab_context(member_for_view(member_id, "contact")))


@bp.post("/members/<int:member_id>/contact")
def add(member_id):
    member = member_for_change(member_id, "contact")
    form = new_contact_form(member, request.form)
    if not form.validate_on_submit():
        return refused("contact/tab.html", "contact/_form.html", status=422, page_context=lambda: tab_context(member),
                       **form_context(member, form))
    contact = ContactAttempt(member_id=member.id, author_id=current_user.id)
    fill_contact(contact, form)
    audit.add(contact, member=member, fields=AUDITED_FIELDS)
    db.session.commit()
    return changed("contact/_form.html", message=_("Contact saved."), events=("contactLogged",),
                   back_to=url_for("contact.tab", member_id=member.id),
                   **form_context(member, new_contact_form(member)))


@bp.get("/members/<int:member_id>/contact/log")
def log(member_id):
    member = member_for_fragment(member_id, "contact")
    return render("contact/_log.html", "contact/_log.html", member=member,
                  log=contact_log(member, params.page()))


@bp.get("/members/<int:member_id>/contact/progress")
def progress(member_id):
    member = member_for_fragment(member_id, "contact")
    return render("contact/_progress.html", "contact/_progress.html", member=member,
                  progress=outreach_progress(member))


@bp.get("/members/<int:member_id>/contact/message")
def message(member_id):
    """The suggested message for the chosen method, in the member's language."""
    member = member_for_fragment(member_id, "contact")
    form = new_contact_form(member)
    form.method.data = params.one_of("method", CONTACT_METHODS, "phone")
    return render("contact/_message.html", "contact/_message.html", **form_context(member, form))


@bp.get("/members/<int:member_id>/contact/<int:contact_id>")
def row(member_id, contact_id):
    member = member_for_fragment(member_id, "contact")
    return render("contact/_row.html", "contact/_row.html", member=member,
                  contact=owned(ContactAttempt, contact_id, member))


@bp.route("/members/<int:member_id>/contact/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(member_id, contact_id):
    """Correct a contact: its author only; the audit trail keeps the before and after."""
    member = (member_for_view if request.method == "GET" else member_for_change)(member_id, "contact")
    contact = owned(ContactAttempt, contact_id, member)
    if contact.author_id != current_user.id:
        abort(403)
    form = ContactForm(obj=contact if request.method == "GET" else None, member=member, prefix="edit")
    context = {"member": member, "contact": contact, "edit_form": form, "tab": "contact"}
    if request.method == "GET":
        form.fill_version(contact)
        form.at.data = to_user_timezone(contact.at).strftime(WHEN_FORMAT)
        form.minutes.data = str(contact.minutes)
        return render("contact/edit.html", "contact/_edit.html", **context)
    if not form.validate_on_submit():
        return refused("contact/edit.html", "contact/_edit.html", status=422, **context)
    if form.is_stale(contact):
        return refused("contact/edit.html", "contact/_edit.html", status=409,
                       conflict=conflict_events(contact, form), **context)
    fill_contact(contact, form)
    contact.updated_at = utcnow()
    audit.record("update", member=member, obj=contact, changes=audit.changes(contact))
    db.session.commit()
    return changed("contact/_row.html", message=_("Correction saved."), events=("contactCorrected",),
                   back_to=url_for("contact.tab", member_id=member.id), member=member, contact=contact, focus=True)


@bp.post("/members/<int:member_id>/contact/unable")
def unable(member_id):
    """Mark unable to reach: refused unless the outreach rule is met and the member was not reached."""
    member = member_for_change(member_id, "contact")
    now = outreach_progress(member)
    if not now.can_mark_unable:
        error = refusal(now)
        return refused("contact/_progress.html", "contact/_progress.html", status=422, message=error,
                       member=member, progress=now, unable_error=error)
    referral = member.latest_referral
    mark = UnableToReach(member_id=member.id, referral_id=referral.id if referral else None,
                         marked_on=local_today(), marked_by_id=current_user.id,
                         attempts=now.attempts, methods=now.methods)
    audit.add(mark, member=member, fields=("attempts", "methods"))
    db.session.commit()
    return changed("contact/_progress.html", events=("memberChanged",), member=member,
                   message=_("Marked unable to reach. The member is on the list to report back to the payer."),
                   back_to=url_for("contact.tab", member_id=member.id), progress=outreach_progress(member))


def refusal(progress) -> str:
    if progress.reached:
        return _("This member was reached, so they cannot be marked unable to reach.")
    if progress.unable is not None:
        return _("This member is already marked unable to reach.")
    return _("The outreach rule is not met yet: %(a)d of %(na)d attempts, %(m)d of %(nm)d methods.",
             a=progress.attempts, na=progress.rule.attempts, m=progress.methods, nm=progress.rule.methods)
