"""Staff accounts, settings and the append-only audit trail."""
from datetime import date, datetime, timezone
from enum import StrEnum

import unicodedata

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from hrsn.extensions import db


def utcnow() -> datetime:
    """Naive UTC, the one form every timestamp is stored in (SQLite keeps no zone)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_day(moment: datetime) -> date:
    """The organization's calendar day of a stored UTC moment."""
    from flask_babel import to_user_timezone
    return to_user_timezone(moment).date()


def local_today() -> date:
    """Today in the organization's time zone (not the server's, which may already be tomorrow): worked out once
    for a request, whose lines ask it again and again (how long each has waited)."""
    return once_per_request("today", lambda: local_day(utcnow()))


def once_per_request(key, work):
    """`work()`, asked once per request while nothing is written: the header, the tab and its parts all ask for a
    member's consent or episode, a section's lines for today's date; every flush or rollback forgets what was
    found (outside a request, asked each time)."""
    from flask import g, has_request_context
    if not has_request_context():
        return work()
    found = g.setdefault("_hrsn_once", {})
    if key not in found:
        found[key] = work()
    return found[key]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_soft_rollback")
def _forget_once_per_request(_session, _context_or_transaction):
    from flask import g, has_request_context
    if has_request_context():
        g.pop("_hrsn_once", None)


def kept_for_members(key: str, noted, store) -> None:
    """What is kept beside a member's rows, worked out again before the commit for the members a flush touched:
    after each flush `noted(session)` gives their ids, a rollback forgets them, and before the commit (after a last
    flush) `store(session, ids)` works it out. What `store` flushes itself notes nothing more."""
    storing = f"{key}:storing"

    @event.listens_for(Session, "after_flush")
    def _note(session, _context):
        if not session.info.get(storing):
            found = noted(session)
            if found:
                session.info.setdefault(key, set()).update(found)

    @event.listens_for(Session, "after_rollback")
    def _forget(session):
        session.info.pop(key, None)

    @event.listens_for(Session, "before_commit")
    def _store(session):
        session.flush()                 # what is still pending is noted by the flush, before it is committed
        member_ids = session.info.pop(key, None)
        if not member_ids:
            return
        session.info[storing] = True
        try:
            store(session, member_ids)
        finally:
            session.info.pop(storing, None)


def fold(text: str | None) -> str:
    """Text as searches compare it: accents, case and spacing ignored ("Núñez  " and "nunez" are one)."""
    text = text or ""
    if not text.isascii():          # plain ASCII has no accent to take off: skip the slow part
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


class Bilingual:
    """A record named by an admin in both languages (name_en, name_es): `name` follows the interface's language."""

    @property
    def name(self) -> str:
        from flask_babel import get_locale
        return self.label(str(get_locale() or "en"))

    def label(self, locale: str) -> str:
        return self.name_es if str(locale).startswith("es") and self.name_es else self.name_en


class Versioned:
    """A record staff edit: every save adds one to its version, and a save made from an older version is refused
    (forms.VersionMixin), so that two people never silently overwrite each other."""
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CASE_MANAGER = "case_manager"
    FINANCE = "finance"


# Listed least powerful first: a new account starts at the top of the list.
ROLES = {
    Role.CASE_MANAGER: _l("Case manager"),
    Role.FINANCE: _l("Finance"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Administrator"),
}
# Roles whose work is every member (finance sees members only through the areas its role opens).
SEES_ALL_MEMBERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.FINANCE})
# Roles that take members on a caseload.
CASELOAD_ROLES = (Role.CASE_MANAGER, Role.COORDINATOR, Role.ADMIN)

LANGUAGES = {"en": _l("English"), "es": _l("Spanish")}

# Which areas of the app each role may open. Views check it; the menu only mirrors it.
ROLE_AREAS = {
    # An administrator may do everything, the fiscal side's steps included (a solo agency's one person).
    Role.ADMIN: {"today", "members", "referrals", "assign", "directory", "directory_edit", "reports", "admin",
              "intake", "contact", "documents", "screening", "plan", "case", "payments", "time", "billing"},
    Role.COORDINATOR: {"today", "members", "referrals", "assign", "directory", "directory_edit", "reports",
                    "intake", "contact", "documents", "screening", "plan", "case", "time", "billing"},
    # A case manager's reports show their own members' figures (and the organization's referral evaluation); their
    # billing export, when the setting allows it, their own time only.
    Role.CASE_MANAGER: {"today", "members", "referrals", "directory", "reports",
                     "intake", "contact", "documents", "screening", "plan", "case", "time"},
    Role.FINANCE: {"today", "reports", "case", "payments", "billing"},
}


class User(UserMixin, Versioned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(20))
    languages: Mapped[str] = mapped_column(sa.String(100), default="en")
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def get_id(self) -> str:
        # The version travels in the session cookie, so bumping it ends every other session.
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def can(self, area: str) -> bool:
        return area in ROLE_AREAS.get(self.role, set())

    @property
    def takes_caseload(self) -> bool:
        return self.role in CASELOAD_ROLES

    @property
    def role_label(self) -> str:
        return str(ROLES.get(self.role, self.role))

    @property
    def language_list(self) -> list[str]:
        return [code for code in (self.languages or "").split(",") if code]

    @property
    def language_labels(self) -> str:
        return ", ".join(str(LANGUAGES.get(c, c)) for c in self.language_list)


class Throttle(db.Model):
    """Failed attempts counted per key (an account, a client address) in a window; kept in the database, so a
    restart forgets nothing and several server processes count together."""
    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    window_start: Mapped[datetime]
    count: Mapped[int] = mapped_column(default=0)


class Setting(db.Model):
    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[object] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


AUDIT_ACTIONS = ("view", "create", "update", "export", "download", "sign-in",
                 "failed sign-in", "sign-out", "refused", "throttled", "altered")


class AuditEvent(db.Model):
    # "What changed on this record since version N" is asked on every refused stale save.
    __table_args__ = (sa.Index("ix_audit_event_record", "record_type", "record_id"),
                      sa.Index("ix_audit_event_member_at", "member_id", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(20), index=True)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), index=True)
    record_type: Mapped[str | None] = mapped_column(sa.String(40))
    record_id: Mapped[int | None]
    record_version: Mapped[int | None]      # the version a change produced (for versioned records)
    changes: Mapped[dict | None] = mapped_column(sa.JSON)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    # The hash chain (hrsn.audit.chain): the previous event's hash, and this event's over its fields and that one.
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    row_hash: Mapped[str | None] = mapped_column(sa.String(64))

    user = db.relationship("User")
    member = db.relationship("Member")


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(mapper, connection, target):
    raise PermissionError("the audit trail can only be appended to")


# The database itself refuses to change or remove an audit event, whoever asks (the same statements are in the
# migration that added them).
APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail can only be appended to'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail can only be appended to'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit trail can only be appended to'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}
for _dialect, _statements in APPEND_ONLY.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))
