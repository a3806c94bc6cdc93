"""The organization's reports on what the other steps record, each one or two aggregate queries (GROUP BY in the
database, never a row per member in Python): intake funnel, waitlist, outreach compliance, money, caseload, time."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from hrsn.models.intake import SOURCES, referral_service
from hrsn.models import (LANGUAGES, TIME_ACTIVITIES, Authorization, Case, FundingSource, Member, OutreachRule,
                         Payer, Payment, Referral, TimeEntry, TimeMonth, TriageDecision, UnableToReach, User)
from hrsn.reports.filters import Bound, Filters, Shape, add_months, member_scope, run, scoped, shape_of
from hrsn.reports.sql import days_between, medians, month_of
from hrsn.reports.tables import Chart, Table, labels, percent
from hrsn.statements import built_once

CLOSED = ("closed", "redirected", "declined")


def _referrals(filters: Bound, *columns):
    query = sa.select(*columns).where(Referral.received_on >= filters.start, Referral.received_on <= filters.end)
    return scoped(_of_payer_and_service(query, filters), Referral.member_id, filters)


def _of_payer_and_service(query, filters: Bound):
    """`query`, which reads referrals, narrowed to the payer and the service filters when they are set."""
    if filters.payer_id is not None:
        query = query.where(Referral.payer_id == filters.payer_id)
    if filters.service_id is not None:
        query = query.where(sa.exists().where(referral_service.c.referral_id == Referral.id,
                                              referral_service.c.service_type_id == filters.service_id))
    return query


def funnel(filters: Filters, user) -> list[Table]:
    rows = run(_funnel(shape_of(filters, user)), filters, user).all()
    source_label, no_payer = labels(SOURCES), str(_l("No payer"))
    rows = [(payer or no_payer, source_label(source), received, reached, enrolled, delivered,
             closed, _round(to_contact), _round(to_paid))
            for payer, source, received, reached, enrolled, delivered, closed, to_contact, to_paid in rows]
    return [Table("funnel", _l("Referrals received, by payer and source"), [
        (_l("Payer"), "text"), (_l("Source"), "text"), (_l("Received"), "count"), (_l("Reached"), "count"),
        (_l("Enrolled"), "count"), (_l("Service delivered (a payment made)"), "count"), (_l("Closed"), "count"),
        (_l("Median days to first contact"), "days"), (_l("Median days to first payment"), "days")], rows,
        note=_l("Counts referrals received in the range. Reached: a conversation after the referral; delivered: a "
                "payment made for the member after it; closed: closed, redirected or declined. Medians count only "
                "the referrals that got there."),
        chart=Chart("bar", 0, (2, 3, 4, 5, 6), x_join=(1,)))]


@built_once
def _funnel(shape: Shape):
    filters = Bound(shape)
    # Enrolled now or ever: the referrals ever moved to enrolled gathered once (an index of them built by the
    # database), not asked of each referral in turn (ten years' funnel 42 → 29 ms of SQLite's time).
    enrolled = sa.or_(Referral.status == "enrolled", Referral.id.in_(
        sa.select(TriageDecision.referral_id).where(TriageDecision.to_status == "enrolled")))
    flag = lambda condition: sa.case((condition, 1), else_=0)  # noqa: E731
    # Each referral's first contact, conversation and payment after it are kept on it (models.milestones).
    raw = _referrals(filters, sa.func.coalesce(Referral.payer_id, 0).label("payer_id"),
                     Referral.source.label("source"), Referral.received_on.label("received_on"),
                     flag(Referral.first_reached_at.is_not(None)).label("reached"), flag(enrolled).label("enrolled"),
                     flag(Referral.status.in_(CLOSED)).label("closed"), Referral.first_contact_at.label("first_contact"),
                     Referral.first_paid_on.label("first_paid")).subquery()
    each = sa.select(raw.c.payer_id, raw.c.source, raw.c.reached, raw.c.enrolled,
                     flag(raw.c.first_paid.is_not(None)).label("delivered"), raw.c.closed,
                     days_between(raw.c.received_on, raw.c.first_contact).label("to_contact"),
                     days_between(raw.c.received_on, raw.c.first_paid).label("to_paid")).cte("each_referral")
    keys = ["payer_id", "source"]
    contact_median, paid_median = medians(each, keys, "to_contact"), medians(each, keys, "to_paid")
    totals = (sa.select(each.c.payer_id, each.c.source, sa.func.count().label("received"),
                        sa.func.sum(each.c.reached).label("reached"), sa.func.sum(each.c.enrolled).label("enrolled"),
                        sa.func.sum(each.c.delivered).label("delivered"), sa.func.sum(each.c.closed).label("closed"))
              .group_by(each.c.payer_id, each.c.source).subquery())
    return (sa.select(sa.func.coalesce(Payer.name, ""), totals.c.source, totals.c.received, totals.c.reached,
                      totals.c.enrolled, totals.c.delivered, totals.c.closed, contact_median.c.median,
                      paid_median.c.median)
            .select_from(totals).outerjoin(Payer, Payer.id == totals.c.payer_id)
            .outerjoin(contact_median, sa.and_(contact_median.c.payer_id == totals.c.payer_id,
                                               contact_median.c.source == totals.c.source))
            .outerjoin(paid_median, sa.and_(paid_median.c.payer_id == totals.c.payer_id,
                                            paid_median.c.source == totals.c.source))
            .order_by(sa.func.coalesce(Payer.name, ""), totals.c.source))


def _round(value):
    return None if value is None else round(float(value), 1)


def waitlist(filters: Filters, user) -> list[Table]:
    """How many referrals were waiting at the end of each month: each move to the waitlist opens a stay that the
    referral's next triage decision ends. Counted as those waiting when the range starts, plus the stays begun,
    less those ended, month by month (three grouped counts; the running sum is over months, not rows)."""
    first = datetime.combine(filters.start.replace(day=1), datetime.min.time())
    after = datetime.combine(filters.end, datetime.min.time()) + timedelta(days=1)
    moves: dict = {}
    for kind, month, n in run(_waitlist_moves(shape_of(filters, user)), filters, user, first=first, after=after):
        moves[(kind, month)] = n
    running, rows = moves.get(("before", ""), 0), []
    for month in filters.months():
        running += moves.get(("in", month), 0) - moves.get(("out", month), 0)
        rows.append((month, running))
    return [Table("waitlist", _l("Referrals on the waitlist at the end of each month"),
                  [(_l("Month"), "text"), (_l("On the waitlist"), "count")], rows,
                  note=_l("A referral counts from its move to the waitlist until its next triage decision."),
                  chart=Chart("line", 0, (1,)))]


@built_once
def _waitlist_moves(shape: Shape):
    """Stays on the waitlist begun before the range's first month and not ended by then ("before"), and those
    begun ("in") and ended ("out") in each month from `first` to `after`."""
    filters = Bound(shape)
    later = sa.orm.aliased(TriageDecision)
    left = (sa.select(sa.func.min(later.decided_at))
            .where(later.referral_id == TriageDecision.referral_id, later.decided_at > TriageDecision.decided_at)
            .scalar_subquery())
    stays = (sa.select(TriageDecision.referral_id, TriageDecision.to_status, TriageDecision.decided_at.label("entered"),
                       left.label("left"))
             .where(TriageDecision.to_status == "waitlist"))
    if filters.payer_id is not None or filters.service_id is not None or member_scope(filters) is not None:
        # the referral only when a filter asks about it (each stay read from the indexes alone otherwise)
        stays = _of_payer_and_service(stays.join(Referral, Referral.id == TriageDecision.referral_id), filters)
        stays = scoped(stays, Referral.member_id, filters)
    stays = stays.cte("stays")
    first, after = sa.bindparam("first", type_=sa.DateTime()), sa.bindparam("after", type_=sa.DateTime())
    waiting = stays.c.to_status == "waitlist"
    parts = sa.union_all(
        sa.select(sa.literal("before", sa.String).label("kind"), sa.literal("", sa.String).label("month"),
                  sa.func.count().label("n"))
        .where(waiting, stays.c.entered < first, sa.or_(stays.c.left.is_(None), stays.c.left >= first)),
        sa.select(sa.literal("in", sa.String), month_of(stays.c.entered), sa.func.count())
        .where(waiting, stays.c.entered >= first, stays.c.entered < after).group_by(month_of(stays.c.entered)),
        sa.select(sa.literal("out", sa.String), month_of(stays.c.left), sa.func.count())
        .where(waiting, stays.c.left >= first, stays.c.left < after).group_by(month_of(stays.c.left)))
    return sa.select(parts.subquery())


def outreach(filters: Filters, user) -> list[Table]:
    rule = OutreachRule.current()
    rows = run(_outreach(shape_of(filters, user)), filters, user, attempts=rule.attempts, methods=rule.methods).all()
    rows = [(m, n, met_n or 0, percent(met_n or 0, n)) for m, n, met_n in rows]
    total, total_met = sum(r[1] for r in rows), sum(r[2] for r in rows)
    if rows:
        rows.append((str(_l("All months")), total, total_met, percent(total_met, total)))
    return [Table("outreach", _l("Members closed as unable to reach"), [
        (_l("Month"), "text"), (_l("Closed as unable to reach"), "count"),
        (_l("Outreach rule met first"), "count"), (_l("Share with the rule met (should be 100%)"), "percent")], rows,
        note=_l("Of the members marked unable to reach in the range: those with at least %(a)d attempts by %(m)d "
                "methods before the mark (the rule as set today).", a=rule.attempts, m=rule.methods),
        chart=Chart("bar", 0, (1, 2)))]


@built_once
def _outreach(shape: Shape):
    """Marks of unable to reach per month, and how many had the rule's `attempts` by its `methods` first."""
    filters = Bound(shape)
    met = sa.case((sa.and_(UnableToReach.attempts >= sa.bindparam("attempts", type_=sa.Integer()),
                           UnableToReach.methods >= sa.bindparam("methods", type_=sa.Integer())), 1), else_=0)
    month = month_of(UnableToReach.marked_on)
    query = (sa.select(month, sa.func.count(), sa.func.sum(met))
             .where(UnableToReach.marked_on >= filters.start, UnableToReach.marked_on <= filters.end))
    if filters.payer_id is not None or filters.service_id is not None:
        query = _of_payer_and_service(query.join(Referral, Referral.id == UnableToReach.referral_id), filters)
    return scoped(query, UnableToReach.member_id, filters).group_by(month).order_by(month)


def money(filters: Filters, user) -> list[Table]:
    from flask_babel import get_locale
    spanish = str(get_locale() or "en").startswith("es")
    rows = [(month, payer, (es if spanish and es else en), *[int(v or 0) for v in values])
            for payer, en, es, month, *values in run(_money(shape_of(filters, user)), filters, user)]
    table = Table("money", _l("Money by month, payer and funding source"), [
        (_l("Month"), "text"), (_l("Payer"), "text"), (_l("Funding source"), "text"), (_l("Authorized"), "money"),
        (_l("Paid"), "money"), (_l("Invoiced"), "money"), (_l("Invoice accepted"), "money"),
        (_l("Reimbursed"), "money"), (_l("Outstanding (paid, not yet reimbursed)"), "money")], rows,
        note=_l("Payments by the month they were requested (cancelled ones left out); authorizations by the month "
                "they start."),
        chart=Chart("stacked_months", 0, (4, 7)))
    return [table, _waiting(filters, user)]


def _cases_of(query, filters: Bound, member_column):
    """A query of payments or authorizations (joined to their case) narrowed to the payer, service and members."""
    if filters.payer_id is not None:
        query = query.where(Case.payer_id == filters.payer_id)
    if filters.service_id is not None:
        query = query.where(Case.service_type_id == filters.service_id)
    return scoped(query, member_column, filters)


@built_once
def _money(shape: Shape):
    filters = Bound(shape)

    def cents_if(column):
        return sa.case((column.is_not(None), Payment.amount_cents), else_=0)
    payments = (sa.select(Case.payer_id.label("payer_id"), Payment.funding_source_id.label("source_id"),
                          month_of(Payment.requested_on).label("month"), sa.literal(0, sa.Integer).label("authorized"),
                          cents_if(Payment.paid_on).label("paid"), cents_if(Payment.invoiced_on).label("invoiced"),
                          cents_if(Payment.accepted_on).label("accepted"),
                          sa.func.coalesce(Payment.reimbursed_cents, 0).label("reimbursed"),
                          sa.case((sa.and_(Payment.paid_on.is_not(None), Payment.reimbursed_on.is_(None)),
                                   Payment.amount_cents), else_=0).label("outstanding"))
                .join(Case, Case.id == Payment.case_id)
                .where(Payment.requested_on >= filters.start, Payment.requested_on <= filters.end,
                       Payment.status != "cancelled"))
    granted = (sa.select(Case.payer_id, Authorization.funding_source_id, month_of(Authorization.start_on),
                         sa.func.coalesce(Authorization.amount_cents, 0),
                         *[sa.literal(0, sa.Integer) for _ in range(5)])
               .join(Case, Case.id == Authorization.case_id)
               .where(Authorization.start_on >= filters.start, Authorization.start_on <= filters.end))
    both = sa.union_all(_cases_of(payments, filters, Payment.member_id),
                        _cases_of(granted, filters, Authorization.member_id)).subquery()
    sums = [sa.func.sum(both.c[name]) for name in ("authorized", "paid", "invoiced", "accepted", "reimbursed",
                                                    "outstanding")]
    return (sa.select(Payer.name, FundingSource.name_en, FundingSource.name_es, both.c.month, *sums)
            .select_from(both).join(Payer, Payer.id == both.c.payer_id)
            .join(FundingSource, FundingSource.id == both.c.source_id)
            .group_by(Payer.name, FundingSource.name_en, FundingSource.name_es, both.c.month)
            .order_by(both.c.month, Payer.name, FundingSource.name_en))


def _waiting(filters: Filters, user) -> Table:
    from hrsn.models import PAYMENT_STATUSES, local_day, local_today
    today = local_today()
    rows = [(f"#{pid}", payer, str(PAYMENT_STATUSES.get(status, status)), cents, (today - local_day(at)).days)
            for payer, status, cents, at, pid in run(_waiting_longest(shape_of(filters, user)), filters, user)]
    return Table("waiting", _l("Payments waiting longest (the 20 oldest)"), [
        (_l("Payment"), "text"), (_l("Payer"), "text"), (_l("Waiting at"), "text"), (_l("Amount"), "money"),
        (_l("Days at that step"), "count")], rows)


@built_once
def _waiting_longest(shape: Shape):
    waiting = (sa.select(Payer.name, Payment.status, Payment.amount_cents, Payment.status_at, Payment.id)
               .join(Case, Case.id == Payment.case_id).join(Payer, Payer.id == Case.payer_id)
               .where(Payment.status.not_in(("reimbursed", "cancelled"))))
    return _cases_of(waiting, Bound(shape), Payment.member_id).order_by(Payment.status_at, Payment.id).limit(20)


def caseload(filters: Filters, user) -> list[Table]:
    by_staff: dict = {}
    for name, language, count in run(_caseload(shape_of(filters, user)), filters, user):
        by_staff.setdefault(name, {})[language] = count
    codes = list(LANGUAGES)
    table_rows = [(name, *[counts.get(c, 0) for c in codes], sum(counts.values())) for name, counts in by_staff.items()]
    return [Table("caseload", _l("Active members per staff member, by language"),
                  [(_l("Staff member"), "text"), *[(LANGUAGES[c], "count") for c in codes], (_l("Total"), "count")],
                  table_rows, note=_l("Members with an enrolled referral today, by their preferred language; the "
                                      "date range does not apply."),
                  chart=Chart("stacked", 0, tuple(range(1, len(codes) + 1))))]


@built_once
def _caseload(shape: Shape):
    filters = Bound(shape)
    # The members of the enrolled referrals gathered once (a few hundred), not asked of every member with a case
    # manager in turn (ten thousand: 8.2 → 0.7 ms of SQLite's time).
    active = _of_payer_and_service(sa.select(Referral.member_id).where(Referral.status == "enrolled"), filters)
    query = (sa.select(User.name, Member.preferred_language, sa.func.count(Member.id))
             .join(User, User.id == Member.assignee_id).where(Member.id.in_(active)))
    return (scoped(query, Member.id, filters).group_by(User.id, User.name, Member.preferred_language)
            .order_by(User.name, User.id, Member.preferred_language))


@built_once
def _time(shape: Shape, whole: bool, head: bool, tail: bool):
    """Minutes per staff member and activity: from the time rows of the range (not `whole`), or from the sums of
    the months from `first` to `after` with the rows of a partial first month (`head`) and last month (`tail`)."""
    filters = Bound(shape)
    staff = [s for s in (filters.viewer, filters.staff_id) if s is not None]
    day = lambda name: sa.bindparam(name, type_=sa.Date())  # noqa: E731

    def rows_between(first, last):
        query = (sa.select(TimeEntry.staff_id, TimeEntry.activity, TimeEntry.minutes)
                 .where(TimeEntry.day >= first, TimeEntry.day <= last))
        query = query.where(*[TimeEntry.staff_id == s for s in staff])
        if filters.payer_id is not None:
            query = query.where(TimeEntry.payer_id == filters.payer_id)
        if filters.language is not None:
            query = query.where(TimeEntry.member_id.in_(sa.select(Member.id)
                                                        .where(Member.preferred_language == filters.language)))
        return query

    if not whole:
        parts = [rows_between(filters.start, filters.end)]
    else:
        summed = (sa.select(TimeMonth.staff_id, TimeMonth.activity, TimeMonth.minutes)
                  .where(TimeMonth.month >= day("first"), TimeMonth.month < day("after"), TimeMonth.entries > 0))
        summed = summed.where(*[TimeMonth.staff_id == s for s in staff])
        if filters.payer_id is not None:
            summed = summed.where(TimeMonth.payer_key == filters.payer_id)
        parts = [summed]
        if head:
            parts.append(rows_between(filters.start, day("head_end")))
        if tail:
            parts.append(rows_between(day("after"), filters.end))
    both = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    sums = (sa.select(both.c.staff_id, both.c.activity, sa.func.sum(both.c.minutes).label("minutes"))
            .group_by(both.c.staff_id, both.c.activity).subquery())
    return sa.select(User.name, sums.c.activity, sums.c.minutes).join(User, User.id == sums.c.staff_id) \
        .order_by(User.name, User.id)


def _whole_months(filters: Filters) -> tuple[date, date] | None:
    """The first day of the range's first whole month and the day after its last one (None: no whole month)."""
    first = filters.start if filters.start.day == 1 else add_months(filters.start.replace(day=1), 1)
    after = add_months(filters.end.replace(day=1), 1)
    if filters.end + timedelta(days=1) != after:
        after = filters.end.replace(day=1)
    return (first, after) if first < after else None


def time_by_activity(filters: Filters, user) -> list[Table]:
    """Minutes by staff member and activity: the months wholly in the range from each month's sums (TimeMonth),
    the days of a partial first or last month from the time rows; the language filter, a member's, reads rows."""
    months = None if filters.language else _whole_months(filters)
    if months is None:
        statement, values = _time(shape_of(filters, user), False, False, False), {}
    else:
        first, after = months
        statement = _time(shape_of(filters, user), True, filters.start < first, after <= filters.end)
        values = {"first": first, "after": after, "head_end": first - timedelta(days=1)}
    rows = run(statement, filters, user, **values).all()
    by_staff: dict = {}
    for name, activity, minutes in rows:
        by_staff.setdefault(name, {})[activity] = int(minutes or 0)
    codes = list(TIME_ACTIVITIES)
    table_rows = [(name, *[round(m.get(c, 0) / 60, 1) for c in codes], round(sum(m.values()) / 60, 1))
                  for name, m in by_staff.items()]
    return [Table("time", _l("Hours by staff member and activity"),
                  [(_l("Staff member"), "text"), *[(TIME_ACTIVITIES[c], "hours") for c in codes],
                   (_l("Total"), "hours")], table_rows,
                  note=_l("Every contact's minutes and the time added by hand, on days in the range."),
                  chart=Chart("stacked", 0, tuple(range(1, len(codes) + 1))))]
