"""The Documents tab: the checklist, asking the member for what is missing, and eligibility; the tab's
context shared by the files and third-party views, and the Today section of documents still awaited."""
from datetime import timedelta
from urllib.parse import quote

from flask import abort, flash, redirect, request, url_for
from flask_babel import format_date, gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import func

from hrsn import audit, settings, today
from hrsn.access import get_member_or_404, visible_members
from hrsn.documents import bp
from hrsn.documents.checklist import build_checklist, missing, request_message
from hrsn.documents.forms import EligibilityForm, ThirdPartyForm, UploadForm, WaiveForm
from hrsn.extensions import db
from hrsn.members import TABS
from hrsn.models import (CHECKLIST_STATUSES, ChecklistItem, ContactAttempt, Document, EligibilityCheck, Member,
                         MemberThirdParty, ThirdParty, utcnow)
from hrsn.render import render, wants_fragment

PARTY_MATCHES = 20


# The tab -------------------------------------------------------------------------------------------

def documents_of(member):
    return db.session.scalars(db.select(Document).where(Document.member_id == member.id)
                              .order_by(Document.created_at.desc(), Document.id.desc())).all()


def links_of(member):
    return db.session.scalars(db.select(MemberThirdParty).where(MemberThirdParty.member_id == member.id)
                              .order_by(MemberThirdParty.id)).all()


def eligibility_history(member):
    return db.session.scalars(db.select(EligibilityCheck).where(EligibilityCheck.member_id == member.id)
                              .order_by(EligibilityCheck.recorded_at.desc(), EligibilityCheck.id.desc())).all()


def find_parties(member, q: str = "") -> list[ThirdParty]:
    """Third parties on file not yet linked to this member whose name or organization contains q."""
    linked = db.select(MemberThirdParty.third_party_id).where(MemberThirdParty.member_id == member.id)
    query = db.select(ThirdParty).where(ThirdParty.id.not_in(linked))
    if q:
        query = query.where(db.or_(ThirdParty.name.icontains(q, autoescape=True),
                                   ThirdParty.organization.icontains(q, autoescape=True)))
    return list(db.session.scalars(query.order_by(ThirdParty.name, ThirdParty.id).limit(PARTY_MATCHES)))


def tab_context(member, **overrides) -> dict:
    items = build_checklist(member)
    db.session.commit()     # a checklist built just now is kept
    context = {
        "member": member, "tab": "documents", "tabs": TABS, "items": items, "missing": missing(items),
        "statuses": CHECKLIST_STATUSES, "documents": [d for d in documents_of(member) if d.item_id is None],
        "upload_form": UploadForm(formdata=None), "waive_form": WaiveForm(formdata=None),
        "links": links_of(member), "party_q": "", "party_form": ThirdPartyForm(formdata=None),
        "eligibility": eligibility_history(member), "eligibility_form": EligibilityForm(formdata=None),
        "limit_mb": limit_mb(),
    }
    context.update(overrides)
    if "party_matches" not in context:
        context["party_matches"] = find_parties(member, context["party_q"])
    return context


def limit_mb() -> int:
    return settings.get("upload_max_mb")


def item_of(member, item_id) -> ChecklistItem:
    """A checklist item looked up through its member: another member's item is not found."""
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.member_id != member.id:
        abort(404)
    return item


def changed(member, partial, message, item=None, **overrides):
    """After a change: the updated part (a checklist item's row when `item`) for htmx, with an event for the
    rest of the tab; else back to the tab."""
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("documents.tab", member_id=member.id))
    return render("documents/tab.html", partial, headers={"HX-Trigger": "documentsChanged"}, item=item,
                  **tab_context(member, saved=message, saved_item=item.id if item else None, **overrides))


@bp.get("/members/<int:member_id>/documents")
def tab(member_id):
    member = get_member_or_404(member_id, "documents")
    return render("documents/tab.html", **tab_context(member))


# The checklist -------------------------------------------------------------------------------------

@bp.post("/members/<int:member_id>/documents/items/<int:item_id>/move")
def move(member_id, item_id):
    member = get_member_or_404(member_id, "documents")
    item = item_of(member, item_id)
    to = request.form.get("to", "")
    form = WaiveForm() if to == "waived" else None
    if form is not None and not form.validate_on_submit():
        return render("documents/tab.html", "documents/_item.html", status=422, item=item,
                      **tab_context(member, waive_form=form, waiving=item.id))
    before = item.status
    try:
        item.move(to, current_user, form.reason.data if form else None)
    except ValueError:
        return render("documents/tab.html", "documents/_item.html", status=409, item=item,
                      **tab_context(member, item_error=(item.id, _("This step is not possible from “%(status)s”.",
                                                                   status=item.status_label))))
    audit.record("update", member=member, obj=item, changes={"status": [before, item.status],
                                                             "waived_reason": [None, item.waived_reason]}
                 if to == "waived" else {"status": [before, item.status]})
    db.session.commit()
    return changed(member, "documents/_item.html",
                   _("“%(item)s” is now %(status)s.", item=item.name, status=item.status_label), item=item)


@bp.get("/members/<int:member_id>/documents/missing")
def missing_summary(member_id):
    member = get_member_or_404(member_id, "documents", log_view=False)
    return render("documents/tab.html", "documents/_request.html", **tab_context(member))


@bp.post("/members/<int:member_id>/documents/request")
def ask(member_id):
    """Ask the member for what is still missing: a contact in the member's language; needed items become requested."""
    member = get_member_or_404(member_id, "documents")
    channel = request.form.get("channel")
    items = missing(build_checklist(member))
    error = request_refusal(member, channel, items)
    if error:
        return render("documents/tab.html", "documents/_request.html", status=422,
                      **tab_context(member, request_error=error))
    subject, body = request_message(member, items, current_user, channel)
    contact = ContactAttempt(member_id=member.id, author_id=current_user.id, at=utcnow(), method=channel,
                             direction="outbound", outcome="message_sent", minutes=5, activity="navigation",
                             message_subject=subject, message_text=body,
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
    return changed(member, "documents/_request.html", _("The request was logged on the Contact tab."),
                   sent_text=body, sent_link=message_link(member, channel, subject, body), sent_channel=channel)


def request_refusal(member, channel, items) -> str | None:
    if not items:
        return _("Nothing is missing.")
    if channel not in ("email", "text"):
        return _("Choose email or text message.")
    if channel == "email" and not member.email:
        return _("There is no email address on file for this member. Add it on the Intake tab, or ask by text.")
    if channel == "text" and not member.phone:
        return _("There is no phone number on file for this member. Add it on the Intake tab, or ask by email.")
    return None


def message_link(member, channel, subject, body) -> str:
    """A mailto: or sms: link that opens the message in the case manager's own email or messages app."""
    if channel == "email":
        return f"mailto:{quote(member.email or '')}?subject={quote(subject or '')}&body={quote(body)}"
    digits = "".join(ch for ch in (member.phone or "") if ch.isdigit() or ch == "+")
    return f"sms:{digits}?body={quote(body)}"


# Eligibility ---------------------------------------------------------------------------------------

@bp.post("/members/<int:member_id>/eligibility")
def eligibility(member_id):
    member = get_member_or_404(member_id, "documents")
    form = EligibilityForm()
    if not form.validate_on_submit():
        return render("documents/tab.html", "documents/_eligibility.html", status=422,
                      **tab_context(member, eligibility_form=form))
    check = EligibilityCheck(member_id=member.id, recorded_by_id=current_user.id, status=form.status.data,
                             medicaid_verified_on=form.medicaid_verified_on.data,
                             medicaid_verified_how=form.medicaid_verified_how.data or None,
                             questionnaire_on=form.questionnaire_on.data,
                             questionnaire_where=(form.questionnaire_where.data or "").strip() or None,
                             note=(form.note.data or "").strip() or None)
    db.session.add(check)
    db.session.flush()
    audit.record("create", member=member, obj=check, changes={k: [None, audit._plain(getattr(check, k))] for k in (
        "status", "medicaid_verified_on", "medicaid_verified_how", "questionnaire_on", "questionnaire_where")})
    db.session.commit()
    return changed(member, "documents/_eligibility.html", _("Eligibility recorded: %(status)s.", status=check.status_label))


# Today ---------------------------------------------------------------------------------------------

@today.provider
def documents_awaited(user):
    """The user's members from whom documents were asked more than three days ago and have not arrived."""
    if not user.can("documents") or user.role == "admin":
        return None
    since = utcnow() - timedelta(days=3)
    rows = db.session.execute(
        db.select(Member, func.count(ChecklistItem.id), func.min(ChecklistItem.updated_at))
        .join(ChecklistItem, ChecklistItem.member_id == Member.id)
        .where(Member.assignee_id == user.id, Member.id.in_(visible_members(user).with_only_columns(Member.id)),
               ChecklistItem.status == "requested", ChecklistItem.updated_at < since)
        .group_by(Member.id).order_by(func.min(ChecklistItem.updated_at)).limit(10)).all()
    items = [today.Item(member=member, url=url_for("documents.tab", member_id=member.id),
                        text=ngettext("%(num)d document asked for on %(day)s", "%(num)d documents asked for since %(day)s",
                                      count, day=format_date(oldest)),
                        late=oldest < utcnow() - timedelta(days=7))
             for member, count, oldest in rows]
    return today.Section("documents", _("Documents still awaited"), items)
