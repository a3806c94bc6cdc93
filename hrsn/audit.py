"""The audit trail: one call records who did what to which member or record, in words both languages read.

Every event carries the hash of the one before it (a hash chain): each new event's hash covers its own fields and
its predecessor's hash, computed when it is inserted, in the same transaction, while no other writer can insert
(SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock). A changed event no
longer matches its hash, and a deleted one breaks the link of the event after it: `verify_chain` names both."""
import hashlib
import json
from datetime import date, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from hrsn.extensions import db
from hrsn.models import AuditEvent, Versioned, utcnow

ACTION_LABELS = {
    "view": _l("Viewed"), "create": _l("Created"), "update": _l("Changed"), "export": _l("Exported"),
    "download": _l("Downloaded"), "sign-in": _l("Signed in"), "failed sign-in": _l("Failed sign-in"),
    "sign-out": _l("Signed out"), "refused": _l("Refused access"), "throttled": _l("Too many attempts"),
    "altered": _l("File changed on disk"),
}

RECORD_LABELS = {
    "Member": _l("Member"), "Referral": _l("Referral"), "User": _l("Staff account"), "Payer": _l("Payer"),
    "ServiceType": _l("Service type"), "ContactAttempt": _l("Contact"), "Consent": _l("Consent"),
    "SeverityAssessment": _l("Severity assessment"), "UnableToReach": _l("Unable to reach"),
    "MessageTemplate": _l("Message template"), "ChecklistItem": _l("Checklist item"),
    "ChecklistTemplateItem": _l("Checklist template"), "Document": _l("Document"),
    "DocumentVersion": _l("Document file"), "ThirdParty": _l("Third party"),
    "MemberThirdParty": _l("Third party link"), "EligibilityCheck": _l("Eligibility check"),
    "Screening": _l("Screening"), "ScreeningInstrument": _l("Screening questionnaire"), "Setting": _l("Settings"),
    "intake": _l("Intake tab"), "contact": _l("Contact tab"), "documents": _l("Documents tab"),
    "screening": _l("Screening"), "duplicate check": _l("Duplicate check"), "referrals": _l("Referral"),
    "Case": _l("Case"), "ServiceRequest": _l("Service request"), "Authorization": _l("Authorization"),
    "Payment": _l("Payment"), "LimitOverride": _l("Allowance beyond a limit"), "CaseNote": _l("Case note"),
    "PartyContact": _l("Contact with a third party"), "FundingSource": _l("Funding source"),
    "ServiceLimit": _l("Limit"), "case": _l("Case tab"), "payments": _l("Payments"),
    "Organization": _l("Organization"), "Service": _l("Directory service"), "Location": _l("Location"),
    "DirectoryFlag": _l("Flagged as outdated"), "DirectoryImport": _l("Directory import"),
    "Directory": _l("Service directory"),
}

FIELD_LABELS = {
    "first_name": _l("First name"), "last_name": _l("Last name"), "dob": _l("Date of birth"),
    "medicaid_id": _l("Medicaid ID"), "phone": _l("Phone"), "email": _l("Email"), "address": _l("Street address"),
    "city": _l("City"), "state": _l("State"), "postal_code": _l("ZIP code"),
    "preferred_language": _l("Preferred language"), "interpreter_needed": _l("Needs an interpreter"),
    "best_way_to_reach": _l("Best way to reach"), "best_time_to_reach": _l("Best time to reach"),
    "household_size": _l("Household size"), "monthly_income_cents": _l("Monthly household income"),
    "assignee_id": _l("Assigned to"), "received_on": _l("Date received"), "source": _l("Source"),
    "payer_id": _l("Payer"), "external_id": _l("Referral ID"), "rent_months_owed": _l("Months of rent owed"),
    "rent_per_month_cents": _l("Rent per month"), "utility_owed_cents": _l("Utility amount owed"),
    "notice_date": _l("Eviction or shut-off notice date"), "current_needs": _l("Current needs"),
    "status": _l("Status"), "decision": _l("Decision"), "reason": _l("Reason"),
    "redirect_to": _l("Redirected to"), "services": _l("Services requested"), "at": _l("When"),
    "method": _l("Method"), "direction": _l("Direction"), "outcome": _l("Outcome"), "minutes": _l("Minutes"),
    "activity": _l("Activity"), "interpreter_used": _l("Interpreter used"),
    "interpreter_language": _l("Interpreter's language"), "note": _l("Note"), "message_subject": _l("Subject"),
    "message_text": _l("Message"), "given_on": _l("Date given"), "form": _l("How it was given"),
    "scope": _l("Scope"), "expires_on": _l("Expires on"), "withdrawn_on": _l("Date withdrawn"),
    "withdrawn_note": _l("What the member said"), "name": _l("Name"), "role": _l("Role"),
    "active": _l("Active"), "languages": _l("Languages"), "locale": _l("Interface language"),
    "password": _l("Password"), "waived_reason": _l("Why it was waived"), "title": _l("Title"),
    "original_name": _l("File name"), "content_type": _l("File type"), "size": _l("Size"),
    "version": _l("Version"), "kind": _l("Kind"), "organization": _l("Organization"),
    "answers": _l("Answers"), "domains": _l("Domains"), "positive_domains": _l("Positive domains"),
    "language": _l("Language"), "housing_urgency": _l("Housing urgency"), "safety_concern": _l("Safety concerns"),
    "attempts": _l("Attempts"), "methods": _l("Methods"), "items": _l("Documents"), "rows": _l("Rows"),
    "subject": _l("Subject"), "body": _l("Message"), "channel": _l("Channel"),
    "service_type_id": _l("Service"), "funding_source_id": _l("Funding source"), "referral_id": _l("Referral"),
    "monthly_cents": _l("Rent or bill per month"), "opened_on": _l("Opened"), "opened_by_id": _l("Opened by"),
    "closed_on": _l("Closed on"), "status_at": _l("Since"), "asked_payer_on": _l("Asked the payer on"),
    "rules_explained_on": _l("Program rules explained to the member on"),
    "landlord_explained_on": _l("Program rules explained to the landlord on"),
    "submitted_on": _l("Sent to the payer on"), "sent_to": _l("Sent to"), "sent_note": _l("What was sent"),
    "decided_on": _l("Answered on"), "denial_reason": _l("Reason given"), "info_requested": _l("Information asked for"),
    "info_due": _l("Due by"), "number": _l("Number"), "amount_cents": _l("Amount"), "unit": _l("Counted in"),
    "quantity": _l("How many"), "start_on": _l("From"), "end_on": _l("To"), "payee_id": _l("Pay to"),
    "period": _l("Month it pays"), "bill": _l("Bill"), "memo": _l("Memo"), "authorization_id": _l("Authorization"),
    "check_number": _l("Check or transfer number"), "paid_on": _l("Date paid"), "invoice_number": _l("Invoice number"),
    "invoiced_on": _l("Date invoiced"), "accepted_on": _l("Date accepted"), "rejected_reason": _l("Rejected because"),
    "reimbursed_on": _l("Date reimbursed"), "reimbursed_cents": _l("Amount reimbursed"), "limit_id": _l("Limit"),
    "extra": _l("Allowed beyond the limit"), "payment": _l("Payment"), "text": _l("Note"),
    "third_party_id": _l("Third party"), "partner": _l("Partner agency"), "contact_on": _l("Date"),
    "told_contact_id": _l("Member told"),
    "preferred_partner": _l("Preferred partner"), "assured_on": _l("Last verified"), "payers": _l("Payers"),
    "hrsn_services": _l("HRSN services it provides"), "categories": _l("Needs it meets"),
    "areas": _l("Area served"), "resolved_at": _l("Dealt with"), "website": _l("Website"),
    "eligibility_description": _l("Who is eligible"), "application_process": _l("How to apply"),
    "fees_description": _l("Cost"), "wait_time": _l("Wait or capacity"),
    "accepting_referrals": _l("Accepting referrals now"), "description": _l("Description"),
}


def label_for(table: dict, key) -> str:
    return str(table[key]) if key in table else str(key or "")


def field_label(key) -> str:
    """A changed field's name in the reader's language; an unknown one as written."""
    return label_for(FIELD_LABELS, key).replace("_", " ") if key not in FIELD_LABELS else str(FIELD_LABELS[key])


def shown(value) -> str:
    """A value from the trail as a person reads it: empty, yes or no, a list joined."""
    from flask_babel import gettext as _
    if value is None or value == "" or value == []:
        return _("empty")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    return str(value)


def plain(value):
    """A value as JSON keeps it: dates as ISO text, sets as sorted lists."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(plain(v) for v in value) if isinstance(value, (set, frozenset)) else [plain(v) for v in value]
    return str(value)


def changes(obj) -> dict:
    """Fields of a pending update, as {field: [before, after]} (call before the flush)."""
    state = inspect(obj)
    diff = {}
    for attr in state.mapper.column_attrs:
        if attr.key in ("version", "name_key", "search_key", "rank_key"):     # kept by the database, or derived
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before != after:
                diff[attr.key] = [plain(before), plain(after)]
    return diff


def created(obj, names) -> dict:
    """The values a new record was created with, as {field: [None, value]} (empty ones left out)."""
    return {name: [None, plain(getattr(obj, name))] for name in names if getattr(obj, name) not in (None, "")}


def _who(user=None, email=None) -> dict:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    address = email or (user.email if user is not None else None) or None
    return {"user_id": user.id if user is not None else None, "email": address[:254] if address else None,
            "ip": (request.remote_addr or "")[:45] if has_request_context() else None}


def record(action: str, *, member=None, obj=None, record_type=None, record_id=None,
           changes=None, user=None, email=None) -> AuditEvent:
    """Append one audit event to the session: it is committed with the change it describes.

    For a versioned record the event keeps the version the change produced, so that a save from an older
    version can be shown what changed meanwhile."""
    version = None
    if obj is not None:
        record_type = record_type or type(obj).__name__
        if isinstance(obj, Versioned):         # (a questionnaire's "version" is its own label, not a counter)
            db.session.flush()
            version = obj.version
        record_id = record_id if record_id is not None else obj.id
    event = AuditEvent(action=action, member_id=member.id if member is not None else None,
                       record_type=record_type, record_id=record_id, record_version=version,
                       changes=changes or None, **_who(user, email))
    db.session.add(event)
    return event


def add(obj, *, member=None, fields=(), changes=None, user=None) -> AuditEvent:
    """A new record into the session, and its creation (the given fields' values) into the trail."""
    db.session.add(obj)
    db.session.flush()
    return record("create", member=member, obj=obj, changes=created(obj, fields) | (changes or {}), user=user)


_INSERT = sa.insert(AuditEvent.__table__)       # one statement, its values as parameters: built and compiled once


def record_now(action: str, *, member=None, record_type=None, record_id=None, changes=None, who=None) -> None:
    """One event in a short transaction of its own, for what a GET shows or sends (a view, a download, an export):
    the page then renders without holding the write lock, and the event is kept whatever happens next.

    Never call it while the request's own session holds the write lock (a POST before its commit)."""
    values = {"action": action, "member_id": member.id if member is not None else None, "record_type": record_type,
              "record_id": record_id, "changes": changes or None, "at": utcnow(), **(who or _who())}
    with db.engine.connect().execution_options(hrsn_write=True) as conn:
        chain(conn, [values])
        conn.execute(_INSERT, values)
        conn.commit()


def view(member, area: str) -> None:
    """A member's record was opened."""
    record_now("view", member=member, record_type=area)


def view_list(record_type: str) -> None:
    """A list of several members' records was opened."""
    record_now("view", record_type=record_type)


def refusal(code: int, area: str | None = None) -> None:
    """A refused access (403) or a throttled request (429), kept although the request itself fails."""
    who = _who()               # read before the rollback: reading it after would start a transaction again
    db.session.rollback()      # the request's own transaction may hold the write lock; nothing of it is kept
    path = request.path[:200] if has_request_context() else None
    record_now("throttled" if code == 429 else "refused", record_type=area, changes={"path": [None, path]}, who=who)


def since_version(record_type: str, record_id: int, version: int) -> list[AuditEvent]:
    """The changes made to a record after the version a form was filled from, oldest first."""
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id,
                                    AuditEvent.record_version > version, AuditEvent.changes.is_not(None))
        .order_by(AuditEvent.id)))


# The hash chain -------------------------------------------------------------------------------------------

CHAINED = ("at", "user_id", "email", "action", "member_id", "record_type", "record_id", "record_version", "changes",
           "ip")
CHAIN_LOCK = 2026_0020          # PostgreSQL advisory lock key: one chain writer at a time
GENESIS = "0" * 64              # what the first event's "previous hash" is


_HEAD = sa.select(AuditEvent.__table__.c.row_hash).order_by(AuditEvent.__table__.c.id.desc()).limit(1)


def event_hash(prev_hash: str, row) -> str:
    """The hash of one event: its fields in a fixed written form, after its predecessor's hash."""
    get = row.get if isinstance(row, dict) else (lambda key: getattr(row, key))
    fields = {key: get(key) for key in CHAINED}
    if isinstance(fields["at"], datetime):
        fields["at"] = fields["at"].isoformat(sep=" ", timespec="microseconds")
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}|{text}".encode()).hexdigest()


def chain(conn, rows) -> None:
    """Fill prev_hash and row_hash of events about to be inserted (dicts or AuditEvent objects), in order, after
    the newest event in the database. The caller inserts them in that order, in the same transaction."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    head = conn.execute(_HEAD).scalar() or GENESIS
    for row in rows:
        if isinstance(row, dict):
            row.setdefault("at", utcnow())
            row["prev_hash"], row["row_hash"] = head, event_hash(head, row)
            head = row["row_hash"]
        else:
            if row.at is None:
                row.at = utcnow()
            row.prev_hash, row.row_hash = head, event_hash(head, row)
            head = row.row_hash


@event.listens_for(Session, "before_flush")
def _chain_new_events(session, _context, _instances):
    pending = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if pending:
        pending.sort(key=lambda obj: inspect(obj).insert_order)
        chain(session.connection(), pending)


def verify_chain(conn, anchor: dict | None = None, limit: int = 50) -> dict:
    """Walk the trail in order: each event's hash recomputed, each link to its predecessor checked.

    `anchor` (an event id and its hash from an earlier run) catches a trail rewritten from some point on with
    fresh hashes: that event must still be there with the same hash. Returns counts and the problems found,
    each naming the event (its number) and what is wrong."""
    table = AuditEvent.__table__
    columns = [table.c.id, table.c.prev_hash, table.c.row_hash, *(table.c[key] for key in CHAINED)]
    problems, count, head, last_id, unhashed = [], 0, GENESIS, None, 0
    result = conn.execution_options(yield_per=5000).execute(sa.select(*columns).order_by(table.c.id))
    for row in result.mappings():
        count += 1
        if row["row_hash"] is None:           # inserted behind the app's back
            unhashed += 1
            problems.append({"event": row["id"], "problem": "unhashed"})
            head, last_id = GENESIS, row["id"]
            continue
        if row["prev_hash"] != head:
            problems.append({"event": row["id"], "problem": "missing-before",
                             "after": last_id})
        elif event_hash(row["prev_hash"], row) != row["row_hash"]:
            problems.append({"event": row["id"], "problem": "changed"})
        if anchor and row["id"] == anchor.get("event") and row["row_hash"] != anchor.get("hash"):
            problems.append({"event": row["id"], "problem": "rewritten"})
        head, last_id = row["row_hash"], row["id"]
        if len(problems) > limit:
            break
    if anchor and anchor.get("event") and (last_id is None or last_id < anchor["event"]):
        problems.append({"event": anchor["event"], "problem": "removed-end"})
    return {"events": count, "unhashed": unhashed, "problems": problems[:limit],
            "head": {"event": last_id, "hash": head} if last_id is not None else None}
