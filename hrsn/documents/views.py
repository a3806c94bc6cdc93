"""The Documents tab: the checklist, asking the member for what is missing, and eligibility; the small contexts
each part of the tab is rendered from, shared with the files and third-party views."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_change, member_for_fragment, member_for_view, owned
from hrsn.documents import bp
from hrsn.documents.forms import EligibilityForm, ThirdPartyForm, UploadForm, WaiveForm
from hrsn.documents.rules import (checklist_of, eligibility_history, find_parties, limit_mb, links_of,
                                  member_documents, missing, missing_items, request_message, request_refusal)
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.models import (CHECKLIST_STATUSES, ChecklistItem, ContactAttempt, EligibilityCheck, add_checklist_items,
                         utcnow)
from hrsn.render import changed, refused, render


# What each part of the tab is drawn from ----------------------------------------------------------

def item_context(member, item, **extra) -> dict:
    return {"member": member, "item": item, "statuses": CHECKLIST_STATUSES, "waive_form": WaiveForm(formdata=None),
            "limit_mb": limit_mb(), **extra}


def files_context(member, **extra) -> dict:
    return {"member": member, "documents": member_documents(member), "upload_form": UploadForm(formdata=None),
            "limit_mb": limit_mb(), **extra}


def request_context(member, items=None, **extra) -> dict:
    return {"member": member, "missing": missing(items) if items is not None else missing_items(member), **extra}


def eligibility_context(member, **extra) -> dict:
    return {"member": member, "eligibility": eligibility_history(member),
            "eligibility_form": EligibilityForm(formdata=None), **extra}


def parties_context(member, **extra) -> dict:
    extra.setdefault("party_q", "")
    return {"member": member, "links": links_of(member), "party_form": ThirdPartyForm(formdata=None),
            "party_matches": find_parties(member, extra["party_q"]), **extra}


def done(partial, member, message, context):
    """After a change on the tab: the part that changed, and documentsChanged for the parts that follow it."""
    return changed(partial, message=message, events=("documentsChanged",), saved=message,
                   back_to=url_for("documents.tab", member_id=member.id), **context)


def tab_context(member) -> dict:
    """Everything the Documents tab shows; a view that answers with the whole page adds what it changed."""
    items = checklist_of(member)
    return {"tab": "documents", "items": items, **item_context(member, None), **files_context(member),
            **request_context(member, items), **eligibility_context(member), **parties_context(member)}


@bp.get("/members/<int:member_id>/documents")
def tab(member_id):
    return render("documents/tab.html", **tab_context(member_for_view(member_id, "documents")))


# The checklist -------------------------------------------------------------------------------------

@bp.post("/members/<int:member_id>/documents/checklist")
def build(member_id):
    """Add to the checklist what the services of the latest referral now need (after an admin's change)."""
    member = member_for_change(member_id, "documents")
    added = add_checklist_items(member, member.latest_referral) if member.latest_referral else 0
    if added:
        audit.record("update", member=member, record_type="ChecklistItem", changes={"added": [None, added]})
    db.session.commit()
    flash(ngettext("%(num)d document added to the checklist.", "%(num)d documents added to the checklist.", added)
          if added else _("The checklist already has every document the services need."), "success")
    return redirect(url_for("documents.tab", member_id=member.id))


@bp.post("/members/<int:member_id>/documents/items/<int:item_id>/move")
def move(member_id, item_id):
    member = member_for_change(member_id, "documents")
    item = owned(ChecklistItem, item_id, member)
    to = params.text("to", 20, source=request.form)
    form = WaiveForm()
    partial = "documents/_item.html"
    if to == "waived" and not form.validate_on_submit():
        return refused("documents/tab.html", partial, status=422, page_context=lambda: tab_context(member),
                       **item_context(member, item, waive_form=form, waiving=item.id))
    stale = form.version.data and form.is_stale(item)
    if stale or to not in item.moves:
        error = (_("Someone else changed this document meanwhile: it is now “%(status)s”.", status=item.status_label)
                 if stale else _("This step is not possible from “%(status)s”.", status=item.status_label))
        return refused("documents/tab.html", partial, status=409, message=error, page_context=lambda: tab_context(member),
                       **item_context(member, item, item_error=(item.id, error)))
    before = item.status
    item.move(to, current_user, form.reason.data if to == "waived" else None)
    audit.record("update", member=member, obj=item, changes={"status": [before, item.status]}
                 | ({"waived_reason": [None, item.waived_reason]} if to == "waived" else {}))
    db.session.commit()
    message = _("“%(item)s” is now %(status)s.", item=item.name, status=item.status_label)
    return done(partial, member, message, item_context(member, item, saved_item=item.id))


@bp.get("/members/<int:member_id>/documents/checklist")
def checklist(member_id):
    member = member_for_fragment(member_id, "documents")
    return render("documents/_checklist.html", "documents/_checklist.html", items=checklist_of(member),
                  **item_context(member, None))


@bp.get("/members/<int:member_id>/documents/missing")
def missing_summary(member_id):
    member = member_for_fragment(member_id, "documents")
    return render("documents/_request.html", "documents/_request.html", **request_context(member))


@bp.post("/members/<int:member_id>/documents/request")
def ask(member_id):
    """Ask the member for what is still missing: a contact in the member's language; needed items become requested.

    The contact counts no minutes: minutes are what staff spent and typed, never assumed."""
    member = member_for_change(member_id, "documents")
    channel = params.one_of("channel", ("email", "text"), source=request.form)
    items = missing_items(member)
    error = request_refusal(member, channel, items)
    if error:
        return refused("documents/tab.html", "documents/_request.html", status=422, message=error,
                       page_context=lambda: tab_context(member),
                       **request_context(member, request_error=error))
    message = request_message(member, items, current_user, channel)
    contact = ContactAttempt(member_id=member.id, author_id=current_user.id, at=utcnow(), method=channel,
                             direction="outbound", outcome="message_sent", minutes=0, activity="navigation",
                             message_subject=message.subject, message_text=message.body,
                             note=ngettext("Asked for %(num)d missing document.", "Asked for %(num)d missing documents.",
                                           len(items)))
    db.session.add(contact)
    for item in items:
        if item.status == "needed":
            item.move("requested", current_user)
    db.session.flush()
    audit.record("create", member=member, obj=contact, changes={"method": [None, channel],
                                                                "items": [None, [i.name_en for i in items]]})
    db.session.commit()
    return changed("documents/_request.html", message=_("The request was logged on the Contact tab."),
                   events=("documentsRequested", "contactLogged"), back_to=url_for("documents.tab", member_id=member.id),
                   **request_context(member, sent_text=message.body, sent_link=message.link, sent_channel=channel))


# Eligibility ---------------------------------------------------------------------------------------

@bp.post("/members/<int:member_id>/eligibility")
def eligibility(member_id):
    member = member_for_change(member_id, "documents")
    form = EligibilityForm()
    if not form.validate_on_submit():
        return refused("documents/tab.html", "documents/_eligibility.html", status=422,
                       page_context=lambda: tab_context(member),
                       **eligibility_context(member, eligibility_form=form))
    check = EligibilityCheck(member_id=member.id, recorded_by_id=current_user.id, status=form.status.data,
                             medicaid_verified_on=form.medicaid_verified_on.data,
                             medicaid_verified_how=form.medicaid_verified_how.data or None,
                             questionnaire_on=form.questionnaire_on.data,
                             questionnaire_where=clean_or_none(form.questionnaire_where.data),
                             note=clean_or_none(form.note.data))
    audit.add(check, member=member, fields=("status", "medicaid_verified_on", "medicaid_verified_how",
                                            "questionnaire_on", "questionnaire_where"))
    db.session.commit()
    return done("documents/_eligibility.html", member, _("Eligibility recorded: %(status)s.", status=check.status_label),
                eligibility_context(member))
