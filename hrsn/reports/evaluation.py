"""Referral evaluation (what the HHP guidance asks organizations to look at) and the needs of the caseload, read
from the Health Action Plan's needs and referrals out, each figure with its denominator said."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (NEED_DOMAINS, NEED_PRIORITIES, NEED_STATUSES, OPEN_NEEDS, OUT_DELIVERED, Need, Organization,
                         ReferralOut, Screening, Service, ServiceCategory)
from hrsn.reports.filters import Filters, add_months, scoped
from hrsn.reports.sql import days_between, month_of
from hrsn.reports.tables import Chart, Table, labels, percent

DELIVERED = OUT_DELIVERED


def _made(filters: Filters, user, query, organization_level: bool):
    query = query.where(ReferralOut.made_on >= filters.start, ReferralOut.made_on <= filters.end)
    # Organization level: the same figures for everyone (no member data); a staff or language filter still narrows.
    return scoped(query, ReferralOut.member_id, filters, _Everyone() if organization_level else user)


class _Everyone:
    role = "organization"


def evaluation(filters: Filters, user) -> list[Table]:
    months = int(settings.get("still_receiving_months"))
    cutoff = add_months(filters.end, -months)
    delivered = sa.case((ReferralOut.status.in_(DELIVERED), ReferralOut.member_id))
    started_early = sa.case((sa.and_(ReferralOut.started_on.is_not(None), ReferralOut.started_on <= cutoff),
                             ReferralOut.member_id))
    # Still receiving N months after starting: the outcome is "still receiving" as of a day N months or more after
    # the start, or the service ended (or was delivered) at least N months after it started.
    span = months * 30
    lasting = sa.case((sa.and_(ReferralOut.started_on.is_not(None), ReferralOut.started_on <= cutoff, sa.or_(
        ReferralOut.status == "receiving",
        days_between(ReferralOut.started_on, ReferralOut.receiving_on) >= span,
        days_between(ReferralOut.started_on, ReferralOut.ended_on) >= span)), ReferralOut.member_id))
    not_appropriate = sa.case((ReferralOut.status == "not_appropriate", 1), else_=0)
    per_org = _made(filters, user, sa.select(
        ReferralOut.organization_id.label("org_id"), sa.func.count(ReferralOut.id).label("made"),
        sa.func.count(sa.distinct(ReferralOut.member_id)).label("people"),
        sa.func.count(sa.distinct(delivered)).label("people_delivered"),
        sa.func.count(sa.distinct(started_early)).label("people_started"),
        sa.func.count(sa.distinct(lasting)).label("people_lasting"),
        sa.func.sum(not_appropriate).label("not_appropriate")), True).group_by(ReferralOut.organization_id).cte("per_org")
    listed = db.session.execute(
        sa.select(Organization.name, per_org.c.made, per_org.c.people, per_org.c.people_delivered,
                  per_org.c.people_started, per_org.c.people_lasting, per_org.c.not_appropriate)
        .select_from(Organization).outerjoin(per_org, per_org.c.org_id == Organization.id)
        .order_by(sa.func.coalesce(per_org.c.made, 0).desc(), Organization.name)).all()
    unlisted = db.session.execute(
        sa.select(per_org.c.made, per_org.c.people, per_org.c.people_delivered, per_org.c.people_started,
                  per_org.c.people_lasting, per_org.c.not_appropriate).where(per_org.c.org_id.is_(None))).first()
    rows = [_org_row(name, *values) for name, *values in listed]
    if unlisted:
        rows.append(_org_row(str(_l("Not in the directory")), *unlisted))
    totals = _made(filters, user, sa.select(
        sa.func.count(ReferralOut.id), sa.func.count(sa.distinct(ReferralOut.member_id)),
        sa.func.count(sa.distinct(delivered)), sa.func.count(sa.distinct(started_early)),
        sa.func.count(sa.distinct(lasting)), sa.func.sum(not_appropriate)), True)
    rows.insert(0, _org_row(str(_l("All organizations")), *db.session.execute(totals).one()))
    note = _l("Referrals made in the range. %% delivered: of the PEOPLE referred, those who received services "
              "(delivered, still receiving or ended). %% still receiving after %(n)d months: of the PEOPLE whose "
              "service started at least %(n)d months before the range's end, those still receiving it %(n)d months "
              "(of 30 days) after it started. %% not "
              "appropriate: of the REFERRALS made, those where the service was not appropriate for the need. "
              "Organizations with no referral are listed too.", n=months)
    trend = _trend(filters, user)
    return [Table("evaluation", _l("Referrals made, per organization"), [
        (_l("Organization"), "text"), (_l("Referrals made"), "count"), (_l("People referred"), "count"),
        (_l("People who received services"), "count"), (_l("Share of people referred who received services (%)"), "percent"),
        (_l("People started long enough ago"), "count"), (_l("People still receiving then"), "count"),
        (_l("Share of those people still receiving services (%)"), "percent"),
        (_l("Referrals not appropriate for the need"), "count"),
        (_l("Share of referrals not appropriate for the need (%)"), "percent")], rows, note=note,
        chart=Chart("hbar_percent", 0, (4, 7, 9))), trend, gaps(filters, user, organization_level=True)]


def _org_row(name, made, people, delivered, started, lasting, not_appropriate):
    made, people, delivered = int(made or 0), int(people or 0), int(delivered or 0)
    started, lasting, not_appropriate = int(started or 0), int(lasting or 0), int(not_appropriate or 0)
    return (name, made, people, delivered, percent(delivered, people), started, lasting, percent(lasting, started),
            not_appropriate, percent(not_appropriate, made))


def _trend(filters: Filters, user) -> Table:
    month = month_of(ReferralOut.made_on)
    query = _made(filters, user, sa.select(
        month, sa.func.count(ReferralOut.id),
        sa.func.sum(sa.case((ReferralOut.status.in_(DELIVERED), 1), else_=0)),
        sa.func.sum(sa.case((ReferralOut.status == "not_appropriate", 1), else_=0))), True)
    rows = [(m, made, int(d or 0), int(n or 0)) for m, made, d, n in
            db.session.execute(query.group_by(month).order_by(month))]
    return Table("trend", _l("Referrals made by month"), [
        (_l("Month"), "text"), (_l("Referrals made"), "count"), (_l("Delivered"), "count"),
        (_l("Not appropriate"), "count")], rows, note=_l("Counts referrals (not people), by the month they were made."),
        chart=Chart("line", 0, (1, 2, 3)))


def _covered_domains():
    """The need domains at least one active service in the directory meets."""
    return (sa.select(ServiceCategory.domain).join(Service, Service.id == ServiceCategory.service_id)
            .where(Service.status == "active"))


def gaps(filters: Filters, user, organization_level: bool = False) -> Table:
    """Needs identified in the range whose domain no active service of the directory meets, by month."""
    month = month_of(Need.identified_on)
    query = (sa.select(month, Need.domain, sa.func.count(Need.id))
             .where(Need.identified_on >= filters.start, Need.identified_on <= filters.end,
                    Need.domain.not_in(_covered_domains())))
    query = scoped(query, Need.member_id, filters, _Everyone() if organization_level else user)
    domain = labels(NEED_DOMAINS)
    rows = [(m, domain(d), n) for m, d, n in
            db.session.execute(query.group_by(month, Need.domain).order_by(month, Need.domain))]
    return Table("gaps", _l("Needs no organization in the directory can meet (gaps), by month"), [
        (_l("Month"), "text"), (_l("Need"), "text"), (_l("Needs"), "count")], rows,
        note=_l("Needs identified in the range whose domain no active service in the directory covers."))


def needs(filters: Filters, user) -> list[Table]:
    base = (sa.select(Need.domain, Need.priority, Need.status, sa.func.count(Need.id))
            .where(Need.identified_on >= filters.start, Need.identified_on <= filters.end))
    base = scoped(base, Need.member_id, filters, user)
    domain, priority, status = labels(NEED_DOMAINS), labels(NEED_PRIORITIES), labels(NEED_STATUSES)
    rows = [(domain(d), priority(p), status(s), n)
            for d, p, s, n in db.session.execute(base.group_by(Need.domain, Need.priority, Need.status)
                                                 .order_by(Need.domain, Need.priority, Need.status))]
    by_status = Table("needs", _l("Needs identified, by domain, priority and status"), [
        (_l("Need"), "text"), (_l("Priority"), "text"), (_l("Status"), "text"), (_l("Needs"), "count")], rows,
        note=_l("Needs identified in the range, whatever their source."))
    screened = scoped(sa.select(sa.func.count(Screening.id)).where(
        Screening.status == "complete", Screening.completed_at >= _after(filters.start, 0),
        Screening.completed_at < _after(filters.end)),
        Screening.member_id, filters, user)
    screenings = db.session.scalar(screened) or 0
    completed = sa.select(Screening.id).where(Screening.status == "complete",
                                              Screening.completed_at >= _after(filters.start, 0),
                                              Screening.completed_at < _after(filters.end))
    positive = scoped(sa.select(Need.domain, sa.func.count(sa.distinct(Need.screening_id)),
                                sa.func.sum(sa.case((Need.status.in_(OPEN_NEEDS), 1), else_=0)))
                      .where(Need.source == "screening", Need.screening_id.in_(completed)),
                      Need.member_id, filters, user)
    covered = set(db.session.scalars(_covered_domains()))
    rates = [(domain(d), n, screenings, percent(n, screenings), int(still or 0),
              str(_l("Yes")) if d in covered else str(_l("No: a gap")))
             for d, n, still in db.session.execute(positive.group_by(Need.domain).order_by(Need.domain))]
    positive_table = Table("screening", _l("Positive screenings by domain"), [
        (_l("Need"), "text"), (_l("Screenings positive"), "count"), (_l("Screenings completed"), "count"),
        (_l("Share positive (%)"), "percent"), (_l("Still open"), "count"),
        (_l("An organization in the directory meets it"), "text")], rates,
        note=_l("Of the screenings completed in the range (all of them, the denominator), those with a need "
                "found in the domain."), chart=Chart("hbar_percent", 0, (3,)))
    return [by_status, positive_table, gaps(filters, user)]


def _after(day, days: int = 1):
    """The first moment of the day `days` after `day` (timestamps compared with a range of days)."""
    from datetime import datetime, timedelta
    return datetime.combine(day + timedelta(days=days), datetime.min.time())
