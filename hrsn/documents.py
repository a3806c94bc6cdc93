"""The documents step of a member's record (filled in by its issue)."""
from flask import Blueprint

from hrsn.access import get_member_or_404
from hrsn.members import TABS
from hrsn.render import render

bp = Blueprint("documents", __name__)


@bp.get("/members/<int:member_id>/documents")
def tab(member_id):
    member = get_member_or_404(member_id, "documents")
    return render("members/pending.html", member=member, tab="documents", tabs=TABS)
