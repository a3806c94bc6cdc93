"""Members: the list of those one may see, and the frame of a member's record with its tabs."""
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from hrsn import audit
from hrsn.access import get_member_or_404, require, visible_members
from hrsn.extensions import db
from sqlalchemy.orm import selectinload
from hrsn.models import Member
from hrsn.render import render

bp = Blueprint("members", __name__, url_prefix="/members")

# The record's tabs: key, label, endpoint (None: not built yet), area checked by the access rule.
TABS = [
    ("intake", _l("Intake"), "members.show", "intake"),
    ("contact", _l("Contact"), "contact.tab", "contact"),
    ("documents", _l("Documents"), "documents.tab", "documents"),
    ("case", _l("Case"), None, "case"),
    ("followup", _l("Follow-up"), None, "case"),
    ("hap", _l("HAP"), None, "plan"),
]

HEADER_EXTRAS = []


def header_extra(fn):
    """Register member -> (label, value) | None, shown in the record's header (e.g. consent)."""
    HEADER_EXTRAS.append(fn)
    return fn


@bp.app_context_processor
def _header_extras():
    def extras(member):
        return [pair for fn in HEADER_EXTRAS if (pair := fn(member))]
    return {"header_extras": extras}


@bp.route("/", methods=["GET", "POST"])
@require("members")
def index():
    """Members one may see; the search is POSTed so that a name typed never ends up in a URL."""
    q = (request.form.get("q") or "").strip()[:100]
    page_number = request.form.get("page", "")
    page_number = int(page_number) if page_number.isdigit() and int(page_number) < 100_000 else 1
    query = visible_members().options(selectinload(Member.assignee), selectinload(Member.referrals)) \
        .order_by(Member.last_name, Member.first_name)
    if q:
        from hrsn.models import name_key
        like = f"%{name_key(q, '')}%"
        query = query.where(db.or_(Member.name_key.like(like), Member.medicaid_id.ilike(f"%{q}%")))
    page = db.paginate(query, page=page_number, per_page=50, error_out=False)
    return render("members/index.html", "members/_rows.html", page=page, q=q)


@bp.get("/<int:member_id>")
def show(member_id):
    member = get_member_or_404(member_id, "intake")
    from hrsn.models.intake import REACH_METHODS, SOURCES
    return render("members/show.html", member=member, tab="intake", tabs=TABS,
                  referral_pages="referrals.show" in current_app.view_functions,
                  reach_methods=REACH_METHODS, sources=SOURCES)


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
def edit(member_id):
    """Correct the member's details; the audit trail keeps the before and after."""
    from hrsn.intake.forms import MemberForm
    member = get_member_or_404(member_id, "intake")
    latest = member.latest_referral
    form = MemberForm(obj=member if request.method == "GET" else None, member=member,
                      payer=latest.payer if latest else None)
    if request.method == "GET":
        form.household_size.data = "" if member.household_size is None else str(member.household_size)
        cents = member.monthly_income_cents
        form.monthly_income.data = "" if cents is None else f"{cents / 100:.2f}".removesuffix(".00")
    elif form.validate_on_submit():
        form.apply_to(member)
        diff = audit.changes(member)
        diff.pop("name_key", None)
        if diff:
            audit.record("update", member=member, obj=member, changes=diff)
        db.session.commit()
        flash(_("Member details saved.") if diff else _("Nothing was changed."), "success")
        return redirect(url_for("members.show", member_id=member.id))
    return render("members/edit.html", member=member, form=form, tab="intake", tabs=TABS,
                  status=422 if form.errors else 200)


@bp.get("/<int:member_id>/header")
def header(member_id):
    member = get_member_or_404(member_id, "intake", log_view=False)
    return render("members/_header.html", member=member)


@bp.get("/<int:member_id>/tab/<tab>")
def pending_tab(member_id, tab):
    """Tabs whose step is not built yet say so honestly."""
    spec = next((t for t in TABS if t[0] == tab and t[2] is None), None)
    if spec is None:
        abort(404)
    member = get_member_or_404(member_id, spec[3])
    return render("members/pending.html", member=member, tab=tab, tabs=TABS)
