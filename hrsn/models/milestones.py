"""Each referral's first moments after it arrived: the first contact, the first conversation (a reached or declined
outcome) and the first payment for the member. They are kept on the referral so that the intake funnel over years
reads one row per referral instead of searching the member's contacts and payments for each.

Whatever changes a member's contacts, payments or referrals, the member's referrals are worked out again before
the commit, in one UPDATE (on PostgreSQL the rows are locked first, as the UPDATE would, so that it reads what a
colleague committed meanwhile; rows referring to a referral are still written meanwhile)."""
import sqlalchemy as sa
from sqlalchemy.orm.attributes import get_history

from hrsn.models.contact import REACHED_OUTCOMES, ContactAttempt
from hrsn.models.core import kept_for_members
from hrsn.models.intake import Referral
from hrsn.models.payments import Payment

__all__ = ["store_milestones"]

# A change of these (or a new or deleted row) moves a milestone.
_WATCHED = {ContactAttempt: ("member_id", "at", "outcome"), Payment: ("member_id", "paid_on"),
            Referral: ("member_id", "received_on")}


def _first(column, *where):
    return sa.select(column).where(*where).order_by(column).limit(1).scalar_subquery()


def store_milestones(connection, member_ids=None) -> None:
    """Work out the milestones of these members' referrals (None: every referral) from their rows as they are."""
    referral = Referral.__table__
    after = (ContactAttempt.member_id == referral.c.member_id, ContactAttempt.at >= referral.c.received_on)
    statement = sa.update(referral).values(
        first_contact_at=_first(ContactAttempt.at, *after),
        first_reached_at=_first(ContactAttempt.at, *after, ContactAttempt.outcome.in_(REACHED_OUTCOMES)),
        first_paid_on=_first(Payment.paid_on, Payment.member_id == referral.c.member_id,
                             Payment.paid_on >= referral.c.received_on))
    if member_ids is not None:
        ids = sorted(member_ids)
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(referral.c.id).where(referral.c.member_id.in_(ids))
                               .order_by(referral.c.id).with_for_update(key_share=True))
        statement = statement.where(referral.c.member_id.in_(ids))
    connection.execute(statement)


def _moves(obj) -> bool:
    names = _WATCHED[type(obj)]
    return any(get_history(obj, name).has_changes() for name in names)


def _changed_members(session) -> set[int]:
    changed = {obj.member_id for obj in (*session.new, *session.deleted)
               if type(obj) in _WATCHED and obj.member_id is not None}
    changed |= {obj.member_id for obj in session.dirty
                if type(obj) in _WATCHED and obj.member_id is not None and _moves(obj)}
    changed |= {value for obj in session.dirty if type(obj) in _WATCHED
                for value in get_history(obj, "member_id").deleted if value is not None}
    return changed


kept_for_members("milestone_members", _changed_members,
                 lambda session, member_ids: store_milestones(session.connection(), member_ids))
