"""Staff notes on a case and contacts with its landlord, utility or partner agency. Both are for the roles that
work with the member: finance is refused them, like every other note."""
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit
from hrsn.access import member_for_fragment
from hrsn.cases import bp
from hrsn.cases.forms import NoteForm, PartyContactForm
from hrsn.cases.views import WORK, case_of, for_work, notes_context, parties_context, tab_context
from hrsn.extensions import db
from hrsn.forms import clean_or_none, clean_text
from hrsn.models import CaseNote, PartyContact
from hrsn.render import changed, refused, render


@bp.get("/members/<int:member_id>/case/<int:case_id>/notes")
def notes(member_id, case_id):
    member = member_for_fragment(member_id, WORK)
    return render("cases/_notes.html", "cases/_notes.html", **notes_context(member, case_of(member, case_id)))


@bp.post("/members/<int:member_id>/case/<int:case_id>/notes")
def add_note(member_id, case_id):
    member = for_work(member_id)
    case = case_of(member, case_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return refused("cases/tab.html", "cases/_notes.html", status=422, page_context=lambda: tab_context(member, case),
                       **notes_context(member, case, form))
    note = CaseNote(case_id=case.id, member_id=member.id, text=clean_text(form.text.data), by_id=current_user.id)
    audit.add(note, member=member, fields=("text",))
    db.session.commit()
    return changed("cases/_notes.html", message=_("Note saved."), events=("caseNoted",),
                   back_to=url_for("cases.tab", member_id=member.id, case=case.id), **notes_context(member, case))


@bp.get("/members/<int:member_id>/case/<int:case_id>/contacts")
def party_contacts(member_id, case_id):
    member = member_for_fragment(member_id, WORK)
    return render("cases/_party_contacts.html", "cases/_party_contacts.html",
                  **parties_context(member, case_of(member, case_id)))


@bp.post("/members/<int:member_id>/case/<int:case_id>/contacts")
def add_party_contact(member_id, case_id):
    member = for_work(member_id)
    case = case_of(member, case_id)
    form = PartyContactForm()
    context = parties_context(member, case, form)         # offers the member's third parties to choose from
    if not form.validate_on_submit():
        return refused("cases/tab.html", "cases/_party_contacts.html", status=422,
                       page_context=lambda: tab_context(member, case), **context)
    contact = PartyContact(case_id=case.id, member_id=member.id, by_id=current_user.id,
                           third_party_id=form.third_party_id.record.id if form.third_party_id.record else None,
                           partner=clean_or_none(form.partner.data) if not form.third_party_id.record else None,
                           contact_on=form.contact_on.data, method=form.method.data, minutes=form.minutes.number or 0,
                           activity=form.activity.data, outcome=form.outcome.data, note=clean_or_none(form.note.data))
    audit.add(contact, member=member, fields=("third_party_id", "partner", "contact_on", "method", "minutes", "outcome"))
    db.session.commit()
    return changed("cases/_party_contacts.html", message=_("Contact saved."), events=("partyContactLogged",),
                   back_to=url_for("cases.tab", member_id=member.id, case=case.id), **parties_context(member, case))
