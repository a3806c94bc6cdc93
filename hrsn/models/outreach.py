"""The outreach rule: attempts to reach a member, by how many methods, and when the next one is due."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from hrsn.extensions import db
from hrsn.models.contact import ContactAttempt, UnableToReach
from hrsn.models.core import kept_for_members, local_day, local_today
from hrsn.models.intake import OPEN_STATUSES, Member, Referral

__all__ = ["OutreachRule", "OutreachProgress", "outreach_progress", "add_business_days", "store_outreach",
           "store_all_outreach", "OUTREACH_STATUSES"]

# Referral statuses in which the member is still to be reached.
OUTREACH_STATUSES = ("new", "enrolled")


@dataclass(frozen=True)
class OutreachRule:
    attempts: int = 3
    methods: int = 2
    days_between: int = 2      # business days

    @classmethod
    def current(cls) -> "OutreachRule":
        from hrsn import settings
        return cls(int(settings.get("outreach_attempts")), int(settings.get("outreach_methods")),
                   int(settings.get("outreach_days_between")))


@dataclass
class OutreachProgress:
    rule: OutreachRule
    attempts: int
    methods: int
    reached_contact: "ContactAttempt | None"
    last_attempt_at: datetime | None
    next_due: date | None
    unable: "UnableToReach | None"

    @property
    def reached(self) -> bool:
        return self.reached_contact is not None

    @property
    def reached_at(self) -> datetime | None:
        return self.reached_contact.at if self.reached_contact else None

    @property
    def met(self) -> bool:
        return self.attempts >= self.rule.attempts and self.methods >= self.rule.methods

    @property
    def can_mark_unable(self) -> bool:
        return self.met and not self.reached and self.unable is None

    @property
    def late(self) -> bool:
        return self.next_due is not None and self.next_due < local_today()

    @property
    def open(self) -> bool:
        """Still trying: not reached and not marked unable to reach."""
        return not self.reached and self.unable is None


def add_business_days(day: date, days: int) -> date:
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


# Asked on every page of the Contact tab: built once, the values bound when they run.
_CONTACTS_SINCE = sa.select(ContactAttempt).where(ContactAttempt.member_id == sa.bindparam("member_id"),
                                                  ContactAttempt.at >= sa.bindparam("start"))
_UNABLE_OF = sa.select(UnableToReach).where(UnableToReach.referral_id == sa.bindparam("referral_id"))


def outreach_progress(member: Member, rule: OutreachRule | None = None, contacts=None,
                      unable=None) -> OutreachProgress:
    """Where the member stands on the outreach rule, for their latest referral.

    Outbound attempts that did not reach the member count; reaching them stops the count.
    `contacts` and `unable` may be passed in when many members are computed at once.
    """
    rule = rule or OutreachRule.current()
    referral = member.latest_referral
    since = referral.received_on if referral else date.min
    if contacts is None:
        # Only what the latest referral can count (a day's margin: "since" is a local day, `at` is UTC).
        start = datetime.combine(since, datetime.min.time()) - timedelta(days=1) if referral else datetime.min
        contacts = db.session.scalars(_CONTACTS_SINCE, {"member_id": member.id, "start": start}).all()
    if unable is None and referral is not None:
        unable = db.session.scalar(_UNABLE_OF, {"referral_id": referral.id})
    unable = unable or None     # callers computing many members at once pass False for "none"
    contacts = sorted((c for c in contacts if local_day(c.at) >= since), key=lambda c: (c.at, c.id))
    attempts, methods, reached = 0, set(), None
    for contact in contacts:
        if contact.reached:
            reached = contact
            break
        if contact.direction == "outbound":
            attempts += 1
            methods.add(contact.method)
    last = max((c.at for c in contacts if c.direction == "outbound"), default=None)
    if reached or unable:
        next_due = None
    elif last is None:
        next_due = since if referral else None
    else:
        next_due = add_business_days(local_day(last), rule.days_between)
    return OutreachProgress(rule, attempts, len(methods), reached, last, next_due, unable)


def _state(progress: OutreachProgress) -> str:
    if progress.reached:
        return "reached"
    if progress.unable is not None:
        return "unable"
    return "met" if progress.met else "trying"


def store_outreach(member: Member, rule: OutreachRule | None = None) -> None:
    """Keep on the member's latest referral where it stands on the outreach rule, so that Today asks the
    database which attempts are due instead of working the rule out for a whole caseload."""
    latest = member.latest_referral
    progress = outreach_progress(member, rule) if latest is not None else None
    for referral in member.referrals:
        if referral is latest:
            state = _state(progress)
            _keep(referral, outreach_state=state, outreach_due_on=progress.next_due if state == "trying" else None,
                  outreach_attempts=progress.attempts, outreach_methods=progress.methods)
        elif referral.outreach_state is not None:
            _keep(referral, outreach_state=None, outreach_due_on=None)


def _keep(referral: Referral, **values) -> None:
    """Write derived values without touching the referral's version: logging a contact must not make someone
    correcting the referral at the same moment see a conflict."""
    if all(getattr(referral, key) == value for key, value in values.items()):
        return
    db.session.execute(sa.update(Referral).where(Referral.id == referral.id).values(**values)
                       .execution_options(synchronize_session=False))
    for key, value in values.items():
        set_committed_value(referral, key, value)


def store_all_outreach() -> int:
    """Work the rule out again for every member with an open referral (the rule changed, or rows were loaded in
    bulk); returns how many."""
    rule = OutreachRule.current()
    members = db.session.scalars(sa.select(Member).where(Member.id.in_(
        sa.select(Referral.member_id).where(Referral.status.in_(OPEN_STATUSES))))).all()
    for member in members:
        store_outreach(member, rule)
    db.session.flush()
    return len(members)


# Whatever view changes a contact, a mark or a referral, the stored state follows before the commit.

def _changed_members(session) -> set[int]:
    return {obj.member_id for obj in (*session.new, *session.dirty, *session.deleted)
            if isinstance(obj, (ContactAttempt, UnableToReach, Referral)) and obj.member_id is not None}


def _store_for(session, member_ids) -> None:
    rule = OutreachRule.current()
    for member_id in sorted(member_ids):
        member = session.get(Member, member_id)      # usually already loaded by the view
        if member is not None:
            store_outreach(member, rule)
    session.flush()


kept_for_members("outreach_members", _changed_members, _store_for)
