"""Deadlines and reporting back: whether each referral's first contact came within its payer's deadline, and how
many closed members' outcomes went back to the payer and how long that took (read from the follow-up step's
payer deadlines and episodes)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrsn.models import Episode, Payer, PayerDeadline, Referral, local_today, of_latest_referral
from hrsn.reports.figures import _referrals, _round
from hrsn.reports.filters import Bound, Filters, Shape, run, scoped, shape_of
from hrsn.reports.sql import days_between, medians
from hrsn.reports.tables import Chart, Table, percent
from hrsn.statements import built_once

# A payer with no deadline of its own has the model's default (the follow-up step's admin page sets it).
DEFAULT_FIRST_CONTACT_DAYS = PayerDeadline.__table__.c.first_contact_days.default.arg


def deadlines(filters: Filters, user) -> list[Table]:
    return [_first_contact(filters, user), _reported(filters, user)]


def _first_contact(filters: Filters, user) -> Table:
    rows = run(_first_contacts(shape_of(filters, user)), filters, user, today=local_today()).all()
    out = [(payer or str(_l("No payer")), n, int(met or 0), int(missed or 0), n - int(met or 0) - int(missed or 0),
            percent(int(met or 0), int(met or 0) + int(missed or 0)), _round(days))
           for payer, n, met, missed, days in rows]
    return Table("deadlines", _l("First contact within the payer's deadline"), [
        (_l("Payer"), "text"), (_l("Referrals received"), "count"), (_l("First contact in time"), "count"),
        (_l("Deadline missed"), "count"), (_l("Deadline not reached yet"), "count"),
        (_l("Share in time (%)"), "percent"), (_l("Median days to first contact"), "days")], out,
        note=_l("Referrals received in the range. In time: a first attempt within the payer's days for first "
                "contact (%(n)d for a payer without its own). The share counts the referrals whose deadline has "
                "come: in time and missed.", n=DEFAULT_FIRST_CONTACT_DAYS),
        chart=Chart("stacked", 0, (2, 3, 4)))


@built_once
def _first_contacts(shape: Shape):
    """Per payer: referrals received in the range, first contacts in time and deadlines missed (by `today` for
    those not contacted yet), and the median days to first contact."""
    first = Referral.first_contact_at           # kept on the referral (models.milestones)
    allowed = (sa.select(PayerDeadline.first_contact_days).where(PayerDeadline.payer_id == Referral.payer_id)
               .scalar_subquery())
    raw = _referrals(Bound(shape), sa.func.coalesce(Referral.payer_id, 0).label("payer_id"),
                     Referral.received_on.label("received_on"), first.label("first_contact"),
                     sa.func.coalesce(allowed, DEFAULT_FIRST_CONTACT_DAYS).label("allowed")).cte("deadline_raw")
    took = days_between(raw.c.received_on, raw.c.first_contact)
    waited = days_between(raw.c.received_on, sa.bindparam("today", type_=sa.Date()))
    each = sa.select(
        raw.c.payer_id, took.label("days"),
        sa.case((sa.and_(raw.c.first_contact.is_not(None), took <= raw.c.allowed), 1), else_=0).label("met"),
        sa.case((sa.or_(sa.and_(raw.c.first_contact.is_not(None), took > raw.c.allowed),
                        sa.and_(raw.c.first_contact.is_(None), waited > raw.c.allowed)), 1), else_=0).label("missed"),
    ).cte("deadline_each")
    median = medians(each, ["payer_id"], "days")
    totals = (sa.select(each.c.payer_id, sa.func.count().label("n"), sa.func.sum(each.c.met).label("met"),
                        sa.func.sum(each.c.missed).label("missed")).group_by(each.c.payer_id).subquery())
    return (sa.select(sa.func.coalesce(Payer.name, ""), totals.c.n, totals.c.met, totals.c.missed, median.c.median)
            .select_from(totals).outerjoin(Payer, Payer.id == totals.c.payer_id)
            .outerjoin(median, median.c.payer_id == totals.c.payer_id).order_by(sa.func.coalesce(Payer.name, "")))


def _reported(filters: Filters, user) -> Table:
    rows = run(_closings_reported(shape_of(filters, user)), filters, user).all()
    out = [(name or str(_l("No payer")), n, int(done or 0), n - int(done or 0), percent(int(done or 0), n),
            _round(days)) for name, n, done, days in rows]
    return Table("reported", _l("Outcomes reported back to the payer"), [
        (_l("Payer"), "text"), (_l("Members closed"), "count"), (_l("Outcome reported"), "count"),
        (_l("Not reported yet"), "count"), (_l("Share reported (%)"), "percent"),
        (_l("Median days from closing to report"), "days")], out,
        note=_l("Members whose record was closed in the range (each closing counts once), by the payer of their "
                "latest referral."),
        chart=Chart("stacked", 0, (2, 3)))


@built_once
def _closings_reported(shape: Shape):
    """Per payer of the member's latest referral: closings in the range, those reported back, and the median days
    from closing to report."""
    filters = Bound(shape)
    payer = of_latest_referral(Referral.payer_id, Episode.member_id)
    query = (sa.select(sa.func.coalesce(payer, 0).label("payer_id"),
                       sa.case((Episode.reported_on.is_not(None), 1), else_=0).label("reported"),
                       days_between(Episode.closed_on, Episode.reported_on).label("days"))
             .where(Episode.closed_on >= filters.start, Episode.closed_on <= filters.end))
    raw = scoped(query, Episode.member_id, filters).subquery()
    each = sa.select(raw).where(raw.c.payer_id == filters.payer_id) if filters.payer_id is not None \
        else sa.select(raw)
    each = each.cte("reported_each")
    median = medians(each, ["payer_id"], "days")
    totals = (sa.select(each.c.payer_id, sa.func.count().label("n"), sa.func.sum(each.c.reported).label("reported"))
              .group_by(each.c.payer_id).subquery())
    return (sa.select(sa.func.coalesce(Payer.name, ""), totals.c.n, totals.c.reported, median.c.median)
            .select_from(totals).outerjoin(Payer, Payer.id == totals.c.payer_id)
            .outerjoin(median, median.c.payer_id == totals.c.payer_id).order_by(sa.func.coalesce(Payer.name, "")))
