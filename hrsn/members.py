"""Members: the list of those one may see, and the frame of a member's record (header and tabs)."""
from flask import Blueprint, request

from hrsn import database, params
from hrsn.access import member_for_fragment, require, visible_members
from hrsn.extensions import db
from hrsn.models import Member, Referral, User, name_key, of_latest_referral
from hrsn.models.intake import REFERRAL_STATUSES
from hrsn.paging import paginate
from hrsn.render import render
from hrsn.steps import wiring

bp = Blueprint("members", __name__, url_prefix="/members")
PER_PAGE = 50


@bp.app_context_processor
def _record_frame():
    def tabs():
        return wiring().tabs

    def header_extras(member):
        return [pair for fn in wiring().header for pair in fn(member)]

    def panels(tab_key):
        return wiring().panels.get(tab_key, [])
    return {"member_tabs": tabs, "header_extras": header_extras, "tab_panels": panels}


@bp.route("/", methods=["GET", "POST"])
@database.only_reads
@require("members")
def index():
    """Members one may see; the search is POSTed so that a name typed never ends up in a URL."""
    q = params.text("q", source=request.form)
    query = visible_members().order_by(Member.last_name, Member.first_name, Member.id)
    if q:
        query = query.where(db.or_(Member.name_key.like(params.like_pattern(name_key(q, "")), escape="\\"),
                                   Member.medicaid_id.ilike(params.like_pattern(q.replace(" ", "")), escape="\\")))
    page = paginate(query.with_only_columns(Member.id), page=params.page(request.form), per_page=PER_PAGE)
    if page.items:
        # The page's lines as the columns they show: no member, referral or staff record is built for a line.
        lines = {line.id: line for line in db.session.execute(
            db.select(Member.id, Member.first_name, Member.last_name, Member.dob, Member.medicaid_id,
                      User.name.label("assignee_name"),
                      of_latest_referral(Referral.status, Member.id).label("status"))
            .outerjoin(User, User.id == Member.assignee_id).where(Member.id.in_(page.items)))}
        page.items = [lines[member_id] for member_id in page.items]
    return render("members/index.html", "members/_rows.html", page=page, q=q, statuses=REFERRAL_STATUSES)


@bp.get("/<int:member_id>/header")
def header(member_id):
    member = member_for_fragment(member_id, "intake")
    return render("members/_header.html", "members/_header.html", member=member)
