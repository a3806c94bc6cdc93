"""The access rule: who may see which member, and which areas each role may open."""
from functools import wraps

from flask import abort, request
from flask_login import current_user
from sqlalchemy import and_, exists, or_, select

from hrsn import audit
from hrsn.extensions import db
from hrsn.models import Member, Referral

def visible_members(user=None):
    """A SELECT of the members this user may see; every member query starts here."""
    user = user or current_user
    query = select(Member)
    if user.role in ("admin", "coordinator", "finance"):
        return query
    if user.role == "case_manager":
        unassigned_new = and_(
            Member.assignee_id.is_(None),
            exists().where(Referral.member_id == Member.id, Referral.status == "new"),
        )
        return query.where(or_(Member.assignee_id == user.id, unassigned_new))
    return query.where(False)


def get_member_or_404(member_id, area: str = "intake", *, log_view: bool = True) -> Member:
    """The member if the signed-in user may see this area of their record, else 404 (or 403).

    A GET is written to the audit trail as a view of that area.
    """
    user = current_user
    if not user.can(area):
        abort(403)
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        abort(404)
    member = db.session.scalar(visible_members(user).where(Member.id == member_id))
    if member is None:
        abort(404)
    if log_view and request.method == "GET":
        audit.record("view", member=member, record_type=area, commit=True)
    return member


def require(area: str):
    """Decorator: the signed-in user's role must include this area, else 403."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.can(area):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def nav_items():
    """The header menu: (area, endpoint, label); shown only for the areas a role may open."""
    from flask_babel import lazy_gettext as _l
    return [
        ("today", "today.index", _l("Today")),
        ("members", "members.index", _l("Members")),
        ("referrals", "referrals.index", _l("Referrals")),
        ("directory", "directory.index", _l("Directory")),
        ("reports", "reports.index", _l("Reports")),
        ("admin", "admin.index", _l("Admin")),
    ]
