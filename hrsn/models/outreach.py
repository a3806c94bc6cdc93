"""The outreach rule: attempts to reach a member, by how many methods, and when the next one is due."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from hrsn.extensions import db
from hrsn.models.contact import ContactAttempt, UnableToReach
from hrsn.models.core import local_day, local_today
from hrsn.models.intake import Member

__all__ = ["OutreachRule", "OutreachProgress", "outreach_progress", "add_business_days"]


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
        contacts = db.session.scalars(sa.select(ContactAttempt).where(ContactAttempt.member_id == member.id)).all()
    if unable is None and referral is not None:
        unable = db.session.scalar(sa.select(UnableToReach).where(UnableToReach.referral_id == referral.id))
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
