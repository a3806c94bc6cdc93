"""The access rule: who may see which member, and the one way every view loads a member's record.

`member_for_view` and `member_for_change` load a member, check the role's area and the caseload, and (for a view)
write the audit event; `owned` loads one of that member's records. No view repeats that logic."""
from functools import lru_cache, wraps

from flask import abort, request
from flask_login import current_user
from sqlalchemy import and_, bindparam, exists, false, func, or_, select, true, union

from hrsn import audit, params
from hrsn.extensions import db
from hrsn.models import SEES_ALL_MEMBERS, Member, MemberStaff, Referral, Role, closed_episode


def visible_member_ids(user=None):
    """The ids of the members this user may see, as a subquery; every member query starts from this rule.

    A case manager sees their own caseload, the unassigned members with a new referral to triage, and the
    members whose care team they were added to: questions each answered by an index, joined by a union (an OR
    of them would read every member)."""
    user = user or current_user
    if user.role in SEES_ALL_MEMBERS:
        return select(Member.id)
    if user.role == Role.CASE_MANAGER:
        return _caseload_ids(user.id)
    return select(Member.id).where(False)


def _caseload_ids(user_id):
    """A case manager's members (`user_id`: their id, or a bound parameter standing for it)."""
    mine = select(Member.id).where(Member.assignee_id == user_id)
    unassigned_new = (select(Referral.member_id).join(Member, Member.id == Referral.member_id)
                      .where(Referral.status == "new", Member.assignee_id.is_(None)))
    # Secondary staff on a member's care team (a housing navigator beside the case manager), from the plan.
    beside = select(MemberStaff.member_id).where(MemberStaff.user_id == user_id)
    return union(mine, unassigned_new, beside)


def viewer():
    """The signed-in user's id as a bound parameter, read when the statement runs: a statement built once (each
    built again on every request cost more than SQLite took to answer it) then serves every user."""
    return bindparam("viewer", callable_=lambda: current_user.id, unique=True)


def visible_to(member_column, sees: str):
    """`visible` for a statement built once per kind of rule (`rule_of`), the user's id bound when it runs."""
    if sees == "all":
        return true()
    return member_column.in_(_caseload_ids(viewer())) if sees == "caseload" else false()


def visible(member_column, user=None):
    """The access rule as a condition on a column holding a member's id: nothing to ask for those who see every
    member (a subquery of every id would only make the database join it), else the column among the ids above."""
    user = user or current_user
    if user.role in SEES_ALL_MEMBERS:
        return true()
    return member_column.in_(visible_member_ids(user))


def rule_of(user) -> str:
    """Which access rule applies to this user: every member ("all"), a case manager's ("caseload"), or none."""
    if user.role in SEES_ALL_MEMBERS:
        return "all"
    return "caseload" if user.role == Role.CASE_MANAGER else "none"


def _row_rule(sees: str, user_id):
    """The access rule of that kind as a condition on the row of `member` in hand, for a query of one member or of
    few rows: the same three questions as `visible_member_ids`, each asked of that row alone (the union would
    gather a whole caseload to find one id in it). `user_id`: the user's id, or a bound parameter for it."""
    if sees == "all":
        return true()
    if sees == "caseload":
        return or_(Member.assignee_id == user_id,
                   and_(Member.assignee_id.is_(None),
                        exists().where(Referral.member_id == Member.id, Referral.status == "new")),
                   exists().where(MemberStaff.member_id == Member.id, MemberStaff.user_id == user_id))
    return false()


def visible_each(member_column, sees: str):
    """The access rule asked of each row a query finds, through that row's member (a correlated EXISTS): for a
    query whose own conditions find few rows, where gathering the user's whole caseload first costs more. For a
    statement built once per kind of rule (`rule_of`), the user bound when it runs."""
    if sees == "all":
        return true()
    return exists().where(Member.id == member_column, _row_rule(sees, viewer()))


def visible_row(sees: str):
    """The access rule asked of the `member` row in hand, for a statement built once per kind of rule that reads
    members in an order an index keeps (by name): the database walks the index and stops at the page's last
    line, instead of gathering a whole caseload by the union of `visible_member_ids` and sorting it first. The
    user bound when it runs."""
    return _row_rule(sees, viewer())


def visible_count(sees: str):
    """How many members the user may see, as a statement built once per kind of rule (the union counted as it
    is: each of its questions answered by an index)."""
    ids = select(Member.id) if sees == "all" else _caseload_ids(viewer()) if sees == "caseload" else \
        select(Member.id).where(false())
    return select(func.count()).select_from(ids.subquery())


def visible_members(user=None):
    """A SELECT of the members this user may see."""
    return select(Member).where(visible(Member.id, user))


@lru_cache(maxsize=64)
def _one_member(sees: str, load: tuple, closed: bool, columns: bool = False):
    """The statement that loads one member (`columns`: only their id) if the user may see them, with `load` and
    (`closed`) the closing day of their record: built once per kind of rule and options, the member's and the
    user's ids bound when it runs. Built again on every request, its building took five times its running."""
    query = (select(Member.id) if columns else select(Member)).where(
        Member.id == bindparam("member_id"), _row_rule(sees, bindparam("user_id"))).options(*load)
    return query.add_columns(closed_episode(Member.id)) if closed else query


def may_see(member_id: int, user=None) -> bool:
    user = user or current_user
    return db.session.scalar(_one_member(rule_of(user), (), False, True),
                             {"member_id": member_id, "user_id": user.id}) is not None


def _load(member_id, area: str, closed_ok: bool = True, load=()) -> Member:
    """The member, if the user may see them, with what the page shows of them loaded in the same go (`load`:
    loader options); unless `closed_ok`, a member whose record is closed is refused (423), asked in the same
    query."""
    if not current_user.can(area):
        audit.refusal(403, area)
        abort(403)
    if not isinstance(member_id, int):
        member_id = params.number("member_id", source={"member_id": member_id})
    if not member_id:
        abort(404)
    query = _one_member(rule_of(current_user), tuple(load), not closed_ok)
    values = {"member_id": member_id, "user_id": current_user.id}
    if closed_ok:
        member = db.session.scalar(query, values)
    else:
        row = db.session.execute(query, values).first()
        member = row[0] if row else None
        if row is not None and row[1] is not None:
            abort(423)
    if member is None:
        abort(404)
    return member


def member_for_view(member_id, area: str, load=()) -> Member:
    """The member whose record this user opens in that area (with `load`, as `_load` has it); the opening goes into
    the audit trail.

    The audit event is written in a short transaction of its own, so rendering the page never holds the write lock."""
    member = _load(member_id, area, load=load)
    if request.method == "GET":
        audit.view(member, area)
    return member


def member_for_fragment(member_id, area: str) -> Member:
    """The member of a record already open, for a part of its page that reloads itself (its opening was audited)."""
    return _load(member_id, area)


def member_for_change(member_id, area: str, *, closed_ok: bool = False) -> Member:
    """The member a change is about; the change itself is audited by the view that makes it.

    A member whose episode is closed is read-only (423) until reopened; only the closing step passes closed_ok."""
    return _load(member_id, area, closed_ok)


def owned(model, record_id, member: Member, *, column: str = "member_id"):
    """One of the member's records by id; another member's record (or none) is a 404."""
    record = db.session.get(model, record_id) if isinstance(record_id, int) else None
    if record is None or getattr(record, column) != member.id:
        abort(404)
    return record


def require(area: str):
    """Decorator: the signed-in user's role must include this area, else 403 (recorded)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.can(area):
                audit.refusal(403, area)
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
