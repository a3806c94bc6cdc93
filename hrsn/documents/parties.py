"""Landlords, property managers and utility companies on the Documents tab: add, find and link one already on
file, unlink, edit. One third party may be linked to several members."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit
from hrsn.access import get_member_or_404
from hrsn.documents import bp
from hrsn.documents.forms import ThirdPartyForm
from hrsn.documents.views import changed, find_parties, tab_context
from hrsn.extensions import db
from hrsn.members import TABS
from hrsn.models import MemberThirdParty, ThirdParty
from hrsn.render import render

@bp.post("/members/<int:member_id>/third-parties")
def add_party(member_id):
    member = get_member_or_404(member_id, "documents")
    form = ThirdPartyForm()
    if not form.validate_on_submit():
        return render("documents/tab.html", "documents/_parties.html", status=422,
                      **tab_context(member, party_form=form, adding=True))
    party = ThirdParty(created_by_id=current_user.id)
    form.apply_to(party)
    db.session.add(party)
    db.session.flush()
    db.session.add(MemberThirdParty(member_id=member.id, third_party_id=party.id, linked_by_id=current_user.id))
    audit.record("create", member=member, obj=party, changes={"name": [None, party.name], "kind": [None, party.kind]})
    db.session.commit()
    return changed(member, "documents/_parties.html", _("%(name)s added and linked.", name=party.name))


@bp.post("/members/<int:member_id>/third-parties/search")
def search_parties(member_id):
    """Active search among the third parties on file; POSTed like every other search."""
    member = get_member_or_404(member_id, "documents")
    q = (request.form.get("q") or "").strip()[:100]
    return render("documents/tab.html", "documents/_party_matches.html",
                  **tab_context(member, party_q=q, party_matches=find_parties(member, q)))


@bp.post("/members/<int:member_id>/third-parties/link")
def link_party(member_id):
    member = get_member_or_404(member_id, "documents")
    party_id = request.form.get("third_party_id", "")
    party = db.session.get(ThirdParty, int(party_id)) if party_id.isdigit() and len(party_id) < 10 else None
    if party is None:
        return render("documents/tab.html", "documents/_parties.html", status=422,
                      **tab_context(member, link_error=_("Choose someone from the list.")))
    exists = db.session.scalar(db.select(MemberThirdParty).where(MemberThirdParty.member_id == member.id,
                                                                 MemberThirdParty.third_party_id == party.id))
    if exists is None:
        link = MemberThirdParty(member_id=member.id, third_party_id=party.id, linked_by_id=current_user.id)
        db.session.add(link)
        db.session.flush()
        audit.record("create", member=member, obj=link, changes={"third_party_id": [None, party.id]})
        db.session.commit()
    return changed(member, "documents/_parties.html", _("%(name)s linked.", name=party.name))


@bp.post("/members/<int:member_id>/third-parties/<int:link_id>/unlink")
def unlink_party(member_id, link_id):
    """The link goes (written to the audit trail); the third party's details stay on file."""
    member = get_member_or_404(member_id, "documents")
    link = db.session.get(MemberThirdParty, link_id)
    if link is None or link.member_id != member.id:
        abort(404)
    name = link.third_party.name
    audit.record("update", member=member, obj=link, changes={"third_party_id": [link.third_party_id, None]})
    db.session.delete(link)
    db.session.commit()
    return changed(member, "documents/_parties.html", _("%(name)s unlinked; their details are kept.", name=name))


@bp.route("/members/<int:member_id>/third-parties/<int:party_id>/edit", methods=["GET", "POST"])
def edit_party(member_id, party_id):
    member = get_member_or_404(member_id, "documents", log_view=False)
    party = db.session.get(ThirdParty, party_id)
    if party is None or not any(link.member_id == member.id for link in party.links):
        abort(404)
    form = ThirdPartyForm(obj=party if request.method == "GET" else None)
    if request.method == "GET":
        form.preferred_contact.data = party.preferred_contact or ""
    elif form.validate_on_submit():
        form.apply_to(party)
        audit.record("update", member=member, obj=party, changes=audit.changes(party))
        db.session.commit()
        flash(_("%(name)s saved.", name=party.name), "success")
        return redirect(url_for("documents.tab", member_id=member.id))
    return render("documents/party_edit.html", member=member, party=party, form=form, tab="documents", tabs=TABS,
                  status=422 if form.errors else 200)
