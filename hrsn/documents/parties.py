"""Landlords, property managers and utility companies on the Documents tab: add, find and link one already on
file, unlink, edit. One third party may be linked to several members."""
from flask import abort, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_change, member_for_view, owned
from hrsn.documents import bp
from hrsn.documents.forms import ThirdPartyForm
from hrsn.documents.rules import find_parties
from hrsn.documents.views import done, parties_context, tab_context
from hrsn.extensions import db
from hrsn.models import MemberThirdParty, ThirdParty
from hrsn.render import edit_page, refused, render, triggers

PARTIAL = "documents/_parties.html"

@bp.post("/members/<int:member_id>/third-parties")
def add_party(member_id):
    member = member_for_change(member_id, "documents")
    form = ThirdPartyForm()
    if not form.validate_on_submit():
        return refused("documents/tab.html", PARTIAL, status=422, page_context=lambda: tab_context(member),
                       **parties_context(member, party_form=form, adding=True))
    party = ThirdParty(created_by_id=current_user.id)
    form.apply_to(party)
    audit.add(party, member=member, fields=("name", "kind"))
    db.session.add(MemberThirdParty(member_id=member.id, third_party_id=party.id, linked_by_id=current_user.id))
    db.session.commit()
    return done(PARTIAL, member, _("Added and linked."), parties_context(member))


@bp.post("/members/<int:member_id>/third-parties/search")
def search_parties(member_id):
    """Active search among the third parties on file; POSTed like every other search."""
    member = member_for_change(member_id, "documents")
    q = params.text("q", source=request.form)
    matches = find_parties(member, q)
    said = ngettext("%(num)d found.", "%(num)d found.", len(matches)) if q else None
    return render("documents/tab.html", "documents/_party_matches.html", page_context=lambda: tab_context(member),
                  headers=triggers(said), member=member, party_q=q, party_matches=matches)


@bp.post("/members/<int:member_id>/third-parties/link")
def link_party(member_id):
    member = member_for_change(member_id, "documents")
    party_id = params.number("third_party_id", source=request.form)
    party = db.session.get(ThirdParty, party_id) if party_id else None
    if party is None:
        error = _("Choose someone from the list.")
        return refused("documents/tab.html", PARTIAL, status=422, message=error, page_context=lambda: tab_context(member),
                       **parties_context(member, link_error=error))
    exists = db.session.scalar(db.select(MemberThirdParty).where(MemberThirdParty.member_id == member.id,
                                                                 MemberThirdParty.third_party_id == party.id))
    if exists is None:
        audit.add(MemberThirdParty(member_id=member.id, third_party_id=party.id, linked_by_id=current_user.id),
                  member=member, fields=("third_party_id",))
        db.session.commit()
    return done(PARTIAL, member, _("Linked."), parties_context(member))


@bp.post("/members/<int:member_id>/third-parties/<int:link_id>/unlink")
def unlink_party(member_id, link_id):
    """The link goes (written to the audit trail); the third party's details stay on file."""
    member = member_for_change(member_id, "documents")
    link = owned(MemberThirdParty, link_id, member)
    audit.record("update", member=member, obj=link, changes={"third_party_id": [link.third_party_id, None]})
    db.session.delete(link)
    db.session.commit()
    return done(PARTIAL, member, _("Unlinked; their details are kept."), parties_context(member))


@bp.route("/members/<int:member_id>/third-parties/<int:party_id>/edit", methods=["GET", "POST"])
def edit_party(member_id, party_id):
    member = (member_for_view if request.method == "GET" else member_for_change)(member_id, "documents")
    party = db.session.scalar(db.select(ThirdParty).join(MemberThirdParty).where(
        ThirdParty.id == party_id, MemberThirdParty.member_id == member.id))     # one of this member's parties
    if party is None:
        abort(404)
    form = ThirdPartyForm(obj=party if request.method == "GET" else None)

    def fill(form):
        form.preferred_contact.data = party.preferred_contact or ""
    return edit_page(party, form, "documents/party_edit.html", apply=lambda: form.apply_to(party), fill=fill,
                     member=member, back_to=url_for("documents.tab", member_id=member.id), message=_("Saved."),
                     party=party, tab="documents")
