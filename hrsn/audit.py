"""The audit trail: one call records who did what to which member or record."""
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import inspect

from hrsn.extensions import db
from hrsn.models import AuditEvent


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)


def changes(obj) -> dict:
    """Fields of a pending update, as {field: [before, after]} (call before commit)."""
    state = inspect(obj)
    diff = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before != after:
                diff[attr.key] = [_plain(before), _plain(after)]
    return diff


def record(action: str, *, member=None, obj=None, record_type=None, record_id=None,
           changes=None, user=None, email=None, commit=False) -> AuditEvent:
    """Append one audit event to the session (committed with the change it describes)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if obj is not None:
        record_type = record_type or type(obj).__name__
        record_id = record_id if record_id is not None else obj.id
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        email=(email or (user.email if user is not None else None) or None),
        member_id=member.id if member is not None else None,
        record_type=record_type, record_id=record_id, changes=changes or None,
        ip=(request.remote_addr or "")[:45] if has_request_context() else None,
    )
    if event.email:
        event.email = event.email[:254]
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
