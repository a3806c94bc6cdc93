"""Follow-up's settings, queries and rules that are not one record's: a case's schedule, what stands in the way of
closing a member, the outcomes to report back, Today's sections and the coordinator's week. Nothing here commits."""
from datetime import date, timedelta

from flask_babel import format_date, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy import and_, bindparam, func, or_
from sqlalchemy.orm import contains_eager, joinedload

from hrsn import settings
from hrsn.access import rule_of, viewer, visible, visible_to
from hrsn.extensions import db
from hrsn.links import url_for
from hrsn.models import (CHECK_IN_OPEN, Case, CheckIn, Episode, Member, Payer, PayerDeadline,
                         PayerOutcomeWord, Payment, Referral, Role, User, case_end, current_episode, local_today,
                         of_latest_referral, offset_problems, parse_months)
from hrsn.paging import count_rows, paginate
from hrsn.settings import Spec
from hrsn.statements import built_once, value
from hrsn.today import query_section

SETTINGS = (
    Spec("followup_warn_days", 2, _l("Payer deadlines: on Today this many days before the deadline"),
         minimum=0, maximum=60),
    Spec("followup_report_days", 7, _l("Outcomes: late on Today when not reported back after this many days"),
         minimum=1, maximum=365),
)
SCHEDULE_PAGE = 25
EPISODES_PAGE = 10
OUTCOMES_PAGE = 25
WEEK_PAGE = 25
# Payers without deadlines of their own (defaults.py writes these for the payers of day one).
FIRST_CONTACT_DAYS, OUTREACH_DAYS = 3, 30
UNPAID = ("requested", "approved")
OUTSTANDING_INVOICES = ("invoiced", "rejected")


def week_end(day: date | None = None) -> date:
    """The last day (Sunday) of the week holding `day`."""
    day = day or local_today()
    return day + timedelta(days=6 - day.weekday())


# A case's schedule ----------------------------------------------------------------------------------

@built_once
def _schedule_of():
    return (db.select(CheckIn).where(CheckIn.case_id == bindparam("case_id"))
            .options(joinedload(CheckIn.changed_by), joinedload(CheckIn.contact))
            .order_by(CheckIn.due_on, CheckIn.id))


def schedule_page(case, page: int = 1):
    return paginate(_schedule_of(), page=page, per_page=SCHEDULE_PAGE, values={"case_id": case.id})


@built_once
def _open_cases_of():
    return (db.select(Case).where(Case.member_id == bindparam("member_id"), Case.status != "closed")
            .options(joinedload(Case.service_type)).order_by(Case.opened_on, Case.id))


def open_cases(member):
    return db.session.scalars(_open_cases_of(), {"member_id": member.id}).all()


def reschedule_problem(check_in, day: date) -> str | None:
    """Why a check-in cannot move to that day (None when it can)."""
    if not check_in.open:
        return _("This check-in is %(status)s: only a check-in still due can be rescheduled.",
                 status=check_in.status_label.lower())
    if day < local_today():
        return _("A check-in cannot be rescheduled into the past.")
    end = case_end(check_in.case)
    if end is not None and day > end:
        return _("A check-in cannot be rescheduled after the case ends (%(day)s).", day=format_date(end))
    return None


def template_problems(form) -> list[str]:
    try:
        months = parse_months(form.check_in_months.data) if form.style.data == "fixed" else []
    except ValueError:
        return [_("Write the check-in months as whole numbers separated by commas, like 3, 5.")]
    return offset_problems(form.style.data, months, form.closing_month.number)


# Closing and reopening -------------------------------------------------------------------------------

@built_once
def _still_owed():
    return (db.select(Payment).where(Payment.member_id == bindparam("member_id"),
                                     or_(Payment.status.in_(UNPAID + OUTSTANDING_INVOICES),
                                         (Payment.status == "accepted") & Payment.paid_on.is_(None)))
            .options(joinedload(Payment.payee)).order_by(Payment.requested_on, Payment.id))


def closing_items(member) -> list[dict]:
    """What is still open on the member: open cases, unpaid check requests, outstanding invoices; each must be
    resolved first or carried on purpose when the member is closed."""
    items = [{"key": f"case-{c.id}", "kind": "case", "id": c.id,
              "label": _("Open case: %(service)s, %(status)s", service=c.service_type.name, status=c.status_label)}
             for c in open_cases(member)]
    payments = db.session.scalars(_still_owed(), {"member_id": member.id}).all()
    from hrsn.forms import money_text
    for p in payments:
        if p.status in UNPAID or p.status == "accepted":
            label = _("Unpaid check request: %(amount)s to %(payee)s", amount=money_text(p.amount_cents),
                      payee=p.payee.display)
            kind = "check"
        else:
            label = _("Outstanding invoice %(number)s: %(amount)s", number=p.invoice_number or "—",
                      amount=money_text(p.amount_cents))
            kind = "invoice"
        items.append({"key": f"{kind}-{p.id}", "kind": kind, "id": p.id, "label": label})
    return items


def closed_in_header(member):
    """The record's header says when the member's record is closed, and why."""
    episode = current_episode(member.id)
    if episode is None or not episode.closed:
        return []
    return [(_("Record"), _("Closed %(day)s: %(reason)s", day=format_date(episode.closed_on),
                            reason=episode.reason_label))]


@built_once
def _episodes_of():
    return (db.select(Episode).where(Episode.member_id == bindparam("member_id"))
            .options(joinedload(Episode.opened_by), joinedload(Episode.closed_by)).order_by(Episode.number.desc()))


def episodes_page(member, page: int = 1):
    return paginate(_episodes_of(), page=page, per_page=EPISODES_PAGE, values={"member_id": member.id})


def first_day(member) -> date:
    """The day a member's first episode began: their first referral, else the day they were added."""
    received = db.session.scalar(db.select(func.min(Referral.received_on)).where(Referral.member_id == member.id))
    return received or member.created_at.date()


# Outcomes to report back -----------------------------------------------------------------------------

def unreported(user, rows: bool = True, own: bool = False):
    """Closed episodes of members the user may see (`own`: of their own members) whose outcome the payer has not
    heard yet, the oldest first; with `rows`, each with its payer's facts (`_with_payer`), for a download of them
    all. A page or a section finds its episodes first, then their payer's facts (`with_payer_facts`)."""
    query = _unreported(Member.assignee_id == user.id if own else visible(Episode.member_id, user))
    return _with_payer(query) if rows else query


@built_once
def _unreported_of(sees: str, own: bool):
    """`unreported` for Today's section, built once per kind of rule, the user bound when it runs."""
    return _unreported(Member.assignee_id == viewer() if own else visible_to(Episode.member_id, sees))


def _unreported(whose):
    return (db.select(Episode).join(Member, Episode.member_id == Member.id)
            .where(Episode.reported_on.is_(None), Episode.closed_on.is_not(None), whose)
            .options(contains_eager(Episode.member)).order_by(Episode.closed_on, Episode.id))


def _with_payer(query):
    """Episodes with their member's latest referral's ID on the payer's platform, its payer, and the payer's words
    for the closing reason (None where there are none)."""
    latest = of_latest_referral(Referral.id, Episode.member_id).correlate(Episode)
    return (query.add_columns(Referral.external_id, Payer.name, PayerOutcomeWord.words)
            .outerjoin(Referral, Referral.id == latest)
            .outerjoin(Payer, Payer.id == Referral.payer_id)
            .outerjoin(PayerOutcomeWord, and_(PayerOutcomeWord.payer_id == Payer.id,
                                              PayerOutcomeWord.reason == Episode.close_reason)))


def with_payer_facts(episodes) -> list[tuple]:
    """These episodes (a page's, a section's) as rows (episode, ID on the payer's platform, payer, payer's words),
    the facts read for them alone in one statement: PostgreSQL joined every unreported episode's latest referral
    with a pass over every referral before the page was cut."""
    if not episodes:
        return []
    facts = {row[0]: tuple(row[1:]) for row in db.session.execute(
        _with_payer(db.select(Episode.id).where(Episode.id.in_([episode.id for episode in episodes]))))}
    return [(episode, *facts.get(episode.id, (None, None, None))) for episode in episodes]


class RowsPage:
    """A page of rows of several columns (Flask-SQLAlchemy's pages hold one entity): the same attributes."""

    def __init__(self, query, page: int, per_page: int, count_query=None):
        self.total = count_rows(count_query if count_query is not None else query)
        self.per_page = per_page
        self.pages = max((self.total + per_page - 1) // per_page, 1)
        self.page = min(max(page, 1), self.pages)
        self.items = db.session.execute(query.limit(per_page).offset((self.page - 1) * per_page)).unique().all()
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


def unreported_page(user, page: int):
    found = RowsPage(unreported(user, rows=False), page, OUTCOMES_PAGE)
    found.items = with_payer_facts([row[0] for row in found.items])
    return found


# Today ------------------------------------------------------------------------------------------------

def _mine(query, member_column, user_id):
    """`user_id`: the user's id, or `viewer()` in a statement built once."""
    return query.join(Member, member_column == Member.id).where(Member.assignee_id == user_id)


def _section(*args, **kwargs):
    """Today's sections of this step select the record beside the member: each line gets both."""
    return query_section(*args, columns=True, **kwargs)


def today_check_ins(user):
    """The user's check-ins due by the end of this week, and those overdue (first)."""
    if not user.can("contact"):
        return None
    from hrsn.today import Item
    today = local_today()

    def line(check_in):
        late = check_in.due_on < today
        text = (_("%(what)s, overdue since %(day)s", what=check_in.kind_label, day=format_date(check_in.due_on))
                if late else _("%(what)s, due %(day)s", what=check_in.kind_label, day=format_date(check_in.due_on)))
        return Item(check_in.member, text, url_for("followup.tab", member_id=check_in.member_id, case=check_in.case_id),
                    late=late, action=url_for("followup.complete", member_id=check_in.member_id,
                                              check_in_id=check_in.id),
                    action_label=_("Log the check-in"))
    return _section("followup-check-ins", _("Check-ins due this week and overdue"), _check_ins_due(),
                    (CheckIn.due_on, CheckIn.id), line, url_for("followup.week"),
                    load=(joinedload(CheckIn.member),))


@built_once
def _check_ins_due():
    return (_mine(db.select(CheckIn), CheckIn.member_id, viewer()).join(Case, CheckIn.case_id == Case.id)
            .where(CheckIn.status.in_(CHECK_IN_OPEN), CheckIn.due_on <= value(week_end), Case.status != "closed"))


def _deadlines():
    """Per payer: its days for the first contact and for the outreach window (defaults where it has none)."""
    return (func.coalesce(PayerDeadline.first_contact_days, FIRST_CONTACT_DAYS),
            func.coalesce(PayerDeadline.outreach_days, OUTREACH_DAYS))


@built_once
def _deadlines_near(sees: str, own: bool, dialect: str):
    """Today's section: open referrals whose member is not reached yet, with the day each of the payer's two
    deadlines falls on, those whose first deadline comes within the setting's days (or is missed)."""
    first_days, window_days = _deadlines()
    horizon = value(lambda: local_today() + timedelta(days=int(settings.get("followup_warn_days"))))
    return (db.select(Referral, first_days, window_days)
            .join(Member, Referral.member_id == Member.id)
            .outerjoin(PayerDeadline, PayerDeadline.payer_id == Referral.payer_id)
            .where(Referral.status.in_(("new", "enrolled")), Referral.outreach_state.in_(("trying", "met")),
                   Member.assignee_id == viewer() if own else visible_to(Referral.member_id, sees),
                   _plus_days(Referral.received_on, first_days, dialect) <= horizon))


def today_deadlines(user):
    """Referrals whose payer's deadline for the first contact, or for the whole outreach window, is within the
    setting's days (or missed): the user's own, or every one for a coordinator."""
    if not user.can("contact"):
        return None
    from hrsn.today import Item
    coordinator = user.role in (Role.COORDINATOR, Role.ADMIN)
    # The first-contact deadline is the nearest: a referral is shown once its first deadline comes within reach.
    base = _deadlines_near(rule_of(user), not coordinator, db.engine.dialect.name)
    today = local_today()

    def line(referral, first, window):
        first_on = referral.received_on + timedelta(days=first)
        window_on = referral.received_on + timedelta(days=window)
        if referral.outreach_attempts == 0:
            late, day = first_on < today, first_on
            text = (_("First contact deadline missed on %(day)s", day=format_date(day)) if late
                    else _("First contact due by %(day)s", day=format_date(day)))
        else:
            late, day = window_on < today, window_on
            text = (_("Outreach window closed on %(day)s", day=format_date(day)) if late
                    else _("Outreach window closes %(day)s", day=format_date(day)))
        return Item(referral.member, text, url_for("contact.tab", member_id=referral.member_id), late=late)
    return _section("followup-deadlines", _("Payer deadlines close to being missed"), base,
                    (Referral.received_on, Referral.id), line, load=(joinedload(Referral.member),))


def _plus_days(day_column, days, dialect: str | None = None):
    """A date column plus a number of days, in SQL on SQLite and PostgreSQL alike (`dialect`: the database's,
    when the statement is built once)."""
    if (dialect or db.engine.dialect.name) == "postgresql":
        return day_column + days
    return func.date(day_column, func.printf("+%d days", days), type_=db.Date)


def missed_deadlines() -> dict:
    """How many open referrals missed their payer's first-contact deadline and their outreach window (reports)."""
    first_days, window_days = _deadlines()
    today = local_today()
    base = (db.select(func.count(Referral.id)).outerjoin(PayerDeadline, PayerDeadline.payer_id == Referral.payer_id)
            .where(Referral.status.in_(("new", "enrolled"))))
    first = db.session.scalar(base.where(Referral.outreach_attempts == 0,
                                         Referral.outreach_state.in_(("trying", "met")),
                                         _plus_days(Referral.received_on, first_days) < today))
    window = db.session.scalar(base.where(Referral.outreach_state.in_(("trying", "met")),
                                          _plus_days(Referral.received_on, window_days) < today))
    return {"first_contact": first or 0, "outreach_window": window or 0}


def today_unreported(user):
    """Closed members whose outcome the payer has not heard yet (those the user may see)."""
    if not user.can("contact"):
        return None
    from hrsn.today import Item, Section, first_lines
    late_before = local_today() - timedelta(days=int(settings.get("followup_report_days")))
    episodes, total = first_lines(_unreported_of(rule_of(user), user.role == Role.CASE_MANAGER))
    items = [Item(episode.member, _("Closed %(day)s: %(reason)s", day=format_date(episode.closed_on),
                                    reason=words or episode.reason_label),
                  url_for("followup.outcomes"), late=episode.closed_on < late_before)
             for episode, _external_id, _payer, words in with_payer_facts(episodes)]
    return Section("followup-unreported", _("Outcomes not yet reported back to the payer"), items,
                   url_for("followup.outcomes"), total=total)


def today_waitlist(user):
    """The waitlist: a coordinator's whole list, a case manager's own waitlisted members."""
    if not user.can("referrals"):
        return None
    from hrsn.today import Item
    base = _waitlist(user.role == Role.CASE_MANAGER)
    today = local_today()

    def line(referral):
        days = (today - referral.received_on).days
        return Item(referral.member, ngettext("On the waitlist, referred %(num)d day ago",
                                              "On the waitlist, referred %(num)d days ago", days),
                    url_for("referrals.show", referral_id=referral.id))
    return _section("followup-waitlist", _("The waitlist"), base, (Referral.urgency_rank, Referral.received_on,
                                                                     Referral.id), line,
                    url_for("referrals.index", queue="waitlist"), load=(joinedload(Referral.member),))


@built_once
def _waitlist(own: bool):
    base = db.select(Referral).join(Member, Referral.member_id == Member.id).where(Referral.status == "waitlist")
    return base.where(Member.assignee_id == viewer()) if own else base


# The coordinator's week ------------------------------------------------------------------------------

def week_rows(page: int):
    """Every staff member who takes a caseload: members assigned, check-ins overdue and due this week, and outreach
    attempts due by the week's end (SQL aggregates, one query for the page)."""
    today, end = local_today(), week_end()
    caseload = (db.select(Member.assignee_id.label("user_id"), func.count(Member.id).label("members"))
                .where(Member.assignee_id.is_not(None)).group_by(Member.assignee_id).subquery())
    due = (db.select(CheckIn.member_id, CheckIn.due_on).join(Case, CheckIn.case_id == Case.id)
           .where(CheckIn.status.in_(CHECK_IN_OPEN), Case.status != "closed", CheckIn.due_on <= end)
           .subquery())
    per_user = (db.select(Member.assignee_id.label("user_id"),
                          func.sum(db.case((due.c.due_on < today, 1), else_=0)).label("overdue"),
                          func.sum(db.case((due.c.due_on >= today, 1), else_=0)).label("this_week"))
                .join(due, due.c.member_id == Member.id).group_by(Member.assignee_id).subquery())
    outreach = (db.select(Member.assignee_id.label("user_id"), func.count(Referral.id).label("attempts"))
                .join(Member, Referral.member_id == Member.id)
                .where(Referral.status.in_(("new", "enrolled")), Referral.outreach_state == "trying",
                       Referral.outreach_due_on <= end)
                .group_by(Member.assignee_id).subquery())
    query = (db.select(User, func.coalesce(caseload.c.members, 0), func.coalesce(per_user.c.overdue, 0),
                       func.coalesce(per_user.c.this_week, 0), func.coalesce(outreach.c.attempts, 0))
             .outerjoin(caseload, caseload.c.user_id == User.id).outerjoin(per_user, per_user.c.user_id == User.id)
             .outerjoin(outreach, outreach.c.user_id == User.id)
             .where(User.active.is_(True), User.role.in_([str(r) for r in (Role.CASE_MANAGER, Role.COORDINATOR,
                                                                            Role.ADMIN)]))
             .order_by(User.name, User.id))
    return RowsPage(query, page, WEEK_PAGE, db.select(User).where(
        User.active.is_(True), User.role.in_([str(r) for r in (Role.CASE_MANAGER, Role.COORDINATOR, Role.ADMIN)])))


def week_items(user_id: int, page: int):
    """One staff member's check-ins due this week and overdue, oldest first."""
    query = (db.select(CheckIn).join(Member, CheckIn.member_id == Member.id).join(Case, CheckIn.case_id == Case.id)
             .where(Member.assignee_id == user_id, CheckIn.status.in_(CHECK_IN_OPEN), Case.status != "closed",
                    CheckIn.due_on <= week_end())
             .options(joinedload(CheckIn.member)).order_by(CheckIn.due_on, CheckIn.id))
    return paginate(query, page=page, per_page=WEEK_PAGE)


def my_open_check_ins(user, limit: int = 300):
    """The user's check-ins still to do (the calendar feed), from a month back to six months ahead: each its id,
    day, last change, case, and the member's id and the first letters of their names."""
    return db.session.execute(
        _mine(db.select(CheckIn.id, CheckIn.due_on, CheckIn.changed_at, CheckIn.case_id,
                              Member.id.label("member_id"), func.substr(Member.first_name, 1, 1).label("first"),
                              func.substr(Member.last_name, 1, 1).label("last")),
              CheckIn.member_id, user.id).join(Case, CheckIn.case_id == Case.id)
        .where(CheckIn.status.in_(CHECK_IN_OPEN), Case.status != "closed")
        .where(CheckIn.due_on >= local_today() - timedelta(days=30),
               CheckIn.due_on <= local_today() + timedelta(days=183))
        .order_by(CheckIn.due_on, CheckIn.id).limit(limit)).all()
