"""The documents step's rules and queries: its settings, the member's checklist and files, third parties,
eligibility, asking for what is missing, and Today's section of documents still awaited."""
from datetime import timedelta

from flask_babel import format_date, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import bindparam, func
from sqlalchemy.orm import joinedload, selectinload

from hrsn import messages, params, settings
from hrsn.access import viewer
from hrsn.extensions import db
from hrsn.links import url_for
from hrsn.models import (MISSING_STATUSES, AuditEvent, ChecklistItem, ChecklistStep, Document, DocumentVersion, EligibilityCheck,
                         Member, MemberThirdParty, Role, ThirdParty, utcnow)
from hrsn.settings import Spec
from hrsn.statements import built_once, value

SETTINGS = (Spec("upload_max_mb", 15, _l("Largest file accepted, in MB"), minimum=1, maximum=100),)
PARTY_MATCHES = 20
AWAITED_AFTER = timedelta(days=3)      # a request unanswered this long goes on Today
LATE_AFTER = timedelta(days=7)


def limit_mb() -> int:
    return settings.get("upload_max_mb")


def _with_files(query):
    """Documents with their versions and who uploaded each, in three queries whatever their number."""
    return query.options(selectinload(Document.versions).joinedload(DocumentVersion.uploaded_by))


# The Documents tab's statements are built once (hrsn.statements), the member's id bound when they run.

@built_once
def _checklist_of():
    return (db.select(ChecklistItem).where(ChecklistItem.member_id == bindparam("member_id"))
            .options(selectinload(ChecklistItem.steps).joinedload(ChecklistStep.by),
                     selectinload(ChecklistItem.documents).selectinload(Document.versions)
                     .joinedload(DocumentVersion.uploaded_by))
            .order_by(ChecklistItem.sort_order, ChecklistItem.id))


def checklist_of(member) -> list[ChecklistItem]:
    return list(db.session.scalars(_checklist_of(), {"member_id": member.id}))


def missing(items) -> list[ChecklistItem]:
    return [item for item in items if item.status in MISSING_STATUSES]


def missing_items(member) -> list[ChecklistItem]:
    return list(db.session.scalars(db.select(ChecklistItem).where(
        ChecklistItem.member_id == member.id, ChecklistItem.status.in_(MISSING_STATUSES))
        .order_by(ChecklistItem.sort_order, ChecklistItem.id)))


@built_once
def _member_documents():
    return _with_files(db.select(Document).where(Document.member_id == bindparam("member_id"),
                                                 Document.item_id.is_(None))
                       .order_by(Document.created_at.desc(), Document.id.desc()))


def member_documents(member) -> list[Document]:
    """The files that belong to the member rather than to a checklist item, newest first."""
    return list(db.session.scalars(_member_documents(), {"member_id": member.id}))


@built_once
def _links_of():
    return (db.select(MemberThirdParty).where(MemberThirdParty.member_id == bindparam("member_id"))
            .options(joinedload(MemberThirdParty.third_party).undefer(ThirdParty.member_count))
            .order_by(MemberThirdParty.id))


def links_of(member):
    return db.session.scalars(_links_of(), {"member_id": member.id}).all()


@built_once
def _eligibility_of():
    return (db.select(EligibilityCheck).where(EligibilityCheck.member_id == bindparam("member_id"))
            .options(joinedload(EligibilityCheck.recorded_by))
            .order_by(EligibilityCheck.recorded_at.desc(), EligibilityCheck.id.desc()))


def eligibility_history(member):
    return db.session.scalars(_eligibility_of(), {"member_id": member.id}).all()


@built_once
def _parties_to_link(searched: bool):
    linked = db.select(MemberThirdParty.third_party_id).where(MemberThirdParty.member_id == bindparam("member_id"))
    query = db.select(ThirdParty).where(ThirdParty.id.not_in(linked))
    if searched:
        query = query.where(db.or_(func.lower(ThirdParty.name).like(bindparam("pattern"), escape="\\"),
                                   func.lower(ThirdParty.organization).like(bindparam("pattern"), escape="\\")))
    return query.order_by(ThirdParty.name, ThirdParty.id).limit(PARTY_MATCHES)


def find_parties(member, q: str = "") -> list[ThirdParty]:
    """Third parties on file not yet linked to this member whose name or organization contains q."""
    return list(db.session.scalars(_parties_to_link(bool(q)), {
        "member_id": member.id, "pattern": params.like_pattern(q.casefold()) if q else None}))


def request_message(member, items, user, channel: str) -> messages.Message:
    """The message asking for the missing documents: the admin's template for this channel, in the member's
    language, filled in with the list."""
    language = messages.member_language(member)
    names = [item.label(language) for item in items]
    listed = "\n".join(f"- {name}" for name in names) if channel == "email" else "; ".join(names)
    return messages.compose(member, f"docs_{channel}", user, missing_documents=listed)


def request_refusal(member, channel, items) -> str | None:
    if not items:
        return _("Nothing is missing.")
    if channel not in ("email", "text"):
        return _("Choose email or text message.")
    if channel == "email" and not member.email:
        return _("There is no email address on file for this member. Add it on the Intake tab, or ask by text.")
    if channel == "text" and not member.phone:
        return _("There is no phone number on file for this member. Add it on the Intake tab, or ask by email.")
    return None


@built_once
def _awaited():
    """Today's section: its statement built once, the user and the moment bound when it runs."""
    from hrsn.today import LINES
    oldest = func.min(ChecklistItem.updated_at)
    return (db.select(Member, func.count(ChecklistItem.id), oldest)
            .join(ChecklistItem, ChecklistItem.member_id == Member.id)
            .where(Member.assignee_id == viewer(),       # one's own members, whom the access rule always lets one see
                   ChecklistItem.status == "requested",
                   ChecklistItem.updated_at < value(lambda: utcnow() - AWAITED_AFTER))
            .group_by(Member.id).order_by(oldest).limit(LINES))


def today_awaited(user):
    """The user's members from whom documents were asked more than three days ago and have not arrived."""
    if not user.can("documents") or user.role == Role.ADMIN:
        return None
    from hrsn.today import Item, Section
    now = utcnow()
    rows = db.session.execute(_awaited()).all()
    items = [Item(member=member, url=url_for("documents.tab", member_id=member.id),
                  text=ngettext("%(num)d document asked for on %(day)s", "%(num)d documents asked for since %(day)s",
                                count, day=format_date(asked)),
                  late=asked < now - LATE_AFTER)
             for member, count, asked in rows]
    return Section("documents", _("Documents still awaited"), items)


def today_altered(user):
    """For administrators: stored files found changed on disk when someone tried to download them."""
    if user.role != Role.ADMIN:
        return None
    from hrsn.today import LINES, Item, Section
    rows = db.session.execute(
        db.select(AuditEvent.at, Member).join(Member, Member.id == AuditEvent.member_id)
        .where(AuditEvent.action == "altered", AuditEvent.at >= utcnow() - timedelta(days=90))
        .order_by(AuditEvent.at.desc()).limit(LINES)).all()
    if not rows:
        return None
    items = [Item(member=member, url=url_for("admin.audit_trail", action="altered"), late=True,
                  text=_("a stored file was found changed on %(day)s", day=format_date(at)))
             for at, member in rows]
    return Section("altered", _("Files changed on disk"), items, url_for("admin.audit_trail", action="altered"))
