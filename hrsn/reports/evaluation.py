"""Referral evaluation (what the HHP guidance asks organizations to look at) and the needs of the caseload, read
from the Health Action Plan's needs and referrals out, each figure with its denominator said."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (NEED_DOMAINS, NEED_PRIORITIES, NEED_STATUSES, OPEN_NEEDS, OUT_DELIVERED, Need, Organization,
                         ReferralOut, Screening, Service, ServiceCategory)
from hrsn.reports.filters import Bound, Filters, Shape, add_months, run, scoped, shape_of
from hrsn.reports.sql import days_between, month_of
from hrsn.reports.tables import Chart, Table, labels, percent
from hrsn.statements import built_once

DELIVERED = OUT_DELIVERED


def _made(filters: Bound, query):
    return scoped(query.where(ReferralOut.made_on >= filters.start, ReferralOut.made_on <= filters.end),
                  ReferralOut.member_id, filters)


def evaluation(filters: Filters, user) -> list[Table]:
    """The organization's figures (no member data), the same for everyone; a staff or language filter still
    narrows them."""
    months = int(settings.get("still_receiving_months"))
    shape = shape_of(filters, user, everyone=True)
    listed, unlisted, totals = _per_organization(shape)
    values = {"cutoff": add_months(filters.end, -months), "span": months * 30}
    rows = [_org_row(name, *figures) for name, *figures in run(listed, filters, user, **values)]
    other = run(unlisted, filters, user, **values).first()
    if other:
        rows.append(_org_row(str(_l("Not in the directory")), *other))
    rows.insert(0, _org_row(str(_l("All organizations")), *run(totals, filters, user, **values).one()))
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


@built_once
def _per_organization(shape: Shape):
    """The figures of the referrals made in the range: per organization of the directory (each listed, with a
    referral or not), for those not in it, and for all. A start on or before `cutoff` is long enough ago to ask
    whether the service lasted `span` days."""
    filters = Bound(shape)
    cutoff, span = sa.bindparam("cutoff", type_=sa.Date()), sa.bindparam("span", type_=sa.Integer())
    delivered = sa.case((ReferralOut.status.in_(DELIVERED), ReferralOut.member_id))
    started_early = sa.case((sa.and_(ReferralOut.started_on.is_not(None), ReferralOut.started_on <= cutoff),
                             ReferralOut.member_id))
    # Still receiving N months after starting: the outcome is "still receiving" as of a day N months or more after
    # the start, or the service ended (or was delivered) at least N months after it started.
    lasting = sa.case((sa.and_(ReferralOut.started_on.is_not(None), ReferralOut.started_on <= cutoff, sa.or_(
        ReferralOut.status == "receiving",
        days_between(ReferralOut.started_on, ReferralOut.receiving_on) >= span,
        days_between(ReferralOut.started_on, ReferralOut.ended_on) >= span)), ReferralOut.member_id))
    not_appropriate = sa.case((ReferralOut.status == "not_appropriate", 1), else_=0)
    figures = (sa.func.count(ReferralOut.id), sa.func.count(sa.distinct(ReferralOut.member_id)),
               sa.func.count(sa.distinct(delivered)), sa.func.count(sa.distinct(started_early)),
               sa.func.count(sa.distinct(lasting)), sa.func.sum(not_appropriate))
    names = ("made", "people", "people_delivered", "people_started", "people_lasting", "not_appropriate")
    per_org = _made(filters, sa.select(ReferralOut.organization_id.label("org_id"),
                                       *(figure.label(name) for figure, name in zip(figures, names)))
                    ).group_by(ReferralOut.organization_id).cte("per_org")
    columns = [per_org.c[name] for name in names]
    listed = (sa.select(Organization.name, *columns)
              .select_from(Organization).outerjoin(per_org, per_org.c.org_id == Organization.id)
              .order_by(sa.func.coalesce(per_org.c.made, 0).desc(), Organization.name))
    unlisted = sa.select(*columns).where(per_org.c.org_id.is_(None))
    return listed, unlisted, _made(filters, sa.select(*figures))


def _org_row(name, made, people, delivered, started, lasting, not_appropriate):
    made, people, delivered = int(made or 0), int(people or 0), int(delivered or 0)
    started, lasting, not_appropriate = int(started or 0), int(lasting or 0), int(not_appropriate or 0)
    return (name, made, people, delivered, percent(delivered, people), started, lasting, percent(lasting, started),
            not_appropriate, percent(not_appropriate, made))


def _trend(filters: Filters, user) -> Table:
    rows = [(m, made, int(d or 0), int(n or 0))
            for m, made, d, n in run(_made_by_month(shape_of(filters, user, everyone=True)), filters, user)]
    return Table("trend", _l("Referrals made by month"), [
        (_l("Month"), "text"), (_l("Referrals made"), "count"), (_l("Delivered"), "count"),
        (_l("Not appropriate"), "count")], rows, note=_l("Counts referrals (not people), by the month they were made."),
        chart=Chart("line", 0, (1, 2, 3)))


@built_once
def _made_by_month(shape: Shape):
    month = month_of(ReferralOut.made_on)
    return _made(Bound(shape), sa.select(
        month, sa.func.count(ReferralOut.id),
        sa.func.sum(sa.case((ReferralOut.status.in_(DELIVERED), 1), else_=0)),
        sa.func.sum(sa.case((ReferralOut.status == "not_appropriate", 1), else_=0)))).group_by(month).order_by(month)


@built_once
def _covered_domains():
    """The need domains at least one active service in the directory meets."""
    return (sa.select(ServiceCategory.domain).join(Service, Service.id == ServiceCategory.service_id)
            .where(Service.status == "active"))


def gaps(filters: Filters, user, organization_level: bool = False) -> Table:
    """Needs identified in the range whose domain no active service of the directory meets, by month."""
    domain = labels(NEED_DOMAINS)
    rows = [(m, domain(d), n) for m, d, n in
            run(_gaps(shape_of(filters, user, everyone=organization_level)), filters, user)]
    return Table("gaps", _l("Needs no organization in the directory can meet (gaps), by month"), [
        (_l("Month"), "text"), (_l("Need"), "text"), (_l("Needs"), "count")], rows,
        note=_l("Needs identified in the range whose domain no active service in the directory covers."))


@built_once
def _gaps(shape: Shape):
    filters = Bound(shape)
    month = month_of(Need.identified_on)
    query = (sa.select(month, Need.domain, sa.func.count(Need.id))
             .where(Need.identified_on >= filters.start, Need.identified_on <= filters.end,
                    Need.domain.not_in(_covered_domains())))
    return scoped(query, Need.member_id, filters).group_by(month, Need.domain).order_by(month, Need.domain)


def needs(filters: Filters, user) -> list[Table]:
    by_status_of, screened, positive = _needs(shape_of(filters, user))
    moments = {"start_at": _after(filters.start, 0), "end_after": _after(filters.end)}
    domain, priority, status = labels(NEED_DOMAINS), labels(NEED_PRIORITIES), labels(NEED_STATUSES)
    rows = [(domain(d), priority(p), status(s), n) for d, p, s, n in run(by_status_of, filters, user)]
    by_status = Table("needs", _l("Needs identified, by domain, priority and status"), [
        (_l("Need"), "text"), (_l("Priority"), "text"), (_l("Status"), "text"), (_l("Needs"), "count")], rows,
        note=_l("Needs identified in the range, whatever their source."))
    screenings = run(screened, filters, user, **moments).scalar() or 0
    covered = set(db.session.scalars(_covered_domains()))
    rates = [(domain(d), n, screenings, percent(n, screenings), int(still or 0),
              str(_l("Yes")) if d in covered else str(_l("No: a gap")))
             for d, n, still in run(positive, filters, user, **moments)]
    positive_table = Table("screening", _l("Positive screenings by domain"), [
        (_l("Need"), "text"), (_l("Screenings positive"), "count"), (_l("Screenings completed"), "count"),
        (_l("Share positive (%)"), "percent"), (_l("Still open"), "count"),
        (_l("An organization in the directory meets it"), "text")], rates,
        note=_l("Of the screenings completed in the range (all of them, the denominator), those with a need "
                "found in the domain."), chart=Chart("hbar_percent", 0, (3,)))
    return [by_status, positive_table, gaps(filters, user)]


@built_once
def _needs(shape: Shape):
    """Needs by domain, priority and status; the screenings completed from `start_at` to before `end_after`; and
    per domain, the screenings of those that found a need, and the needs still open."""
    filters = Bound(shape)
    by_status = (scoped(sa.select(Need.domain, Need.priority, Need.status, sa.func.count(Need.id))
                        .where(Need.identified_on >= filters.start, Need.identified_on <= filters.end),
                        Need.member_id, filters)
                 .group_by(Need.domain, Need.priority, Need.status).order_by(Need.domain, Need.priority, Need.status))
    completed_in_range = (Screening.status == "complete",
                          Screening.completed_at >= sa.bindparam("start_at", type_=sa.DateTime()),
                          Screening.completed_at < sa.bindparam("end_after", type_=sa.DateTime()))
    screened = scoped(sa.select(sa.func.count(Screening.id)).where(*completed_in_range), Screening.member_id, filters)
    completed = sa.select(Screening.id).where(*completed_in_range)
    positive = (scoped(sa.select(Need.domain, sa.func.count(sa.distinct(Need.screening_id)),
                                 sa.func.sum(sa.case((Need.status.in_(OPEN_NEEDS), 1), else_=0)))
                       .where(Need.source == "screening", Need.screening_id.in_(completed)),
                       Need.member_id, filters)
                .group_by(Need.domain).order_by(Need.domain))
    return by_status, screened, positive


def _after(day, days: int = 1):
    """The first moment of the day `days` after `day` (timestamps compared with a range of days)."""
    from datetime import datetime, timedelta
    return datetime.combine(day + timedelta(days=days), datetime.min.time())
