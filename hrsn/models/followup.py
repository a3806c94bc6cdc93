"""Follow-up and closing: the program templates a case's check-ins are drawn from, the check-ins themselves, the
member's episodes (closed with a reason, reopened as a new episode), and what each payer asks of us (deadlines,
the words its referral platform uses for an outcome).

`generate_schedule` is called by the case step when a case opens; it lives here, in the shared layer, so the case
step never imports the follow-up step."""
import calendar
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hrsn.extensions import db
from hrsn.models.core import Versioned, local_day, local_today, once_per_request, utcnow

__all__ = ["TEMPLATE_STYLES", "COUNT_FROM", "CHECK_IN_STATUSES", "CHECK_IN_OPEN", "CLOSING_REASONS",
           "OUTCOME_REASONS", "FollowupTemplate", "CheckIn", "Episode", "PayerDeadline", "PayerOutcomeWord",
           "month_offsets", "offset_problems", "parse_months", "generate_schedule", "schedule_dates",
           "member_closed", "closed_episode", "current_episode", "schedule_from_authorization", "case_end",
           "close_schedule", "reopen_schedule",
           "reengagement_progress", "MONTHLY_CAP"]

TEMPLATE_STYLES = {"fixed": _l("Check-ins at fixed months"), "monthly": _l("A check-in every month")}
COUNT_FROM = {"opened": _l("The case's opening"), "authorization": _l("The authorization's start")}
CHECK_IN_STATUSES = {"due": _l("Due"), "rescheduled": _l("Rescheduled"), "done": _l("Done"),
                     "skipped": _l("Skipped")}
CHECK_IN_OPEN = ("due", "rescheduled")      # still to be done
CLOSING_REASONS = {
    "goals_met": _l("Goals met"),
    "assistance_complete": _l("Assistance complete"),
    "unable_to_reach": _l("Unable to reach"),
    "not_eligible": _l("Not eligible or request denied"),
    "no_capacity": _l("No capacity or redirected to another provider"),
    "moved_away": _l("Moved away"),
    "declined": _l("Declined further services"),
    "transferred": _l("Transferred to another organization"),
    "deceased": _l("Deceased"),
    "other": _l("Other"),
}
# Every reason a payer hears about (the closing reasons cover unable to reach, declined and not eligible).
OUTCOME_REASONS = CLOSING_REASONS
MONTHLY_CAP = 24        # a monthly template without a closing month stops after two years


def parse_months(text: str | None) -> list[int]:
    """"3, 5" -> [3, 5]; ValueError for anything that is not a list of whole numbers."""
    parts = [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]
    numbers = []
    for part in parts:
        if not (part.lstrip("-").isascii() and part.lstrip("-").isdigit()) or len(part) > 4:
            raise ValueError(part)
        numbers.append(int(part))
    return numbers


def offset_problems(style: str, months: list[int], closing_month: int | None) -> list[str]:
    """Why a template's offsets cannot be used, in plain words (empty when they can)."""
    from flask_babel import gettext as _
    problems = []
    if any(m < 0 for m in months) or (closing_month is not None and closing_month < 0):
        problems.append(_("Months are counted forward from the start: a negative month is not possible."))
    if len(set(months)) != len(months):
        problems.append(_("Two check-ins fall in the same month: each month can appear once."))
    if closing_month is not None and any(m >= closing_month for m in months):
        problems.append(_("Every check-in must come before the closing month (%(n)d).", n=closing_month))
    if style == "fixed" and not months and closing_month is None:
        problems.append(_("Give at least one check-in month or a closing month."))
    if any(m == 0 for m in months):
        problems.append(_("A check-in at month 0 would be due the day the case opens: start at month 1."))
    return problems


def month_offsets(template: "FollowupTemplate") -> list[tuple[int, str]]:
    """(months after the start, "check_in" or "closing") in order, as the template says."""
    if template.style == "monthly":
        last = template.closing_month or (MONTHLY_CAP + 1)
        points = [(m, "check_in") for m in range(1, last)]
    else:
        points = [(m, "check_in") for m in sorted(parse_months(template.check_in_months))]
    if template.closing_month:
        points.append((template.closing_month, "closing"))
    return points


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class FollowupTemplate(Versioned, db.Model):
    """A service's follow-up schedule, edited by an admin: check-ins at fixed months (and a closing month), or a
    check-in every month; months counted from the case's opening or its authorization's start."""
    id: Mapped[int] = mapped_column(primary_key=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("service_type.id"), unique=True)
    style: Mapped[str] = mapped_column(sa.String(10), default="fixed")
    check_in_months: Mapped[str | None] = mapped_column(sa.String(100))    # "3,5" (fixed style)
    closing_month: Mapped[int | None]
    count_from: Mapped[str] = mapped_column(sa.String(15), default="opened")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service_type = relationship("ServiceType")

    @property
    def style_label(self) -> str:
        return str(TEMPLATE_STYLES.get(self.style, self.style))

    @property
    def count_from_label(self) -> str:
        return str(COUNT_FROM.get(self.count_from, self.count_from))


class CheckIn(Versioned, db.Model):
    """One follow-up due on a case: done by a contact logged as that check-in, rescheduled (new date, reason) or
    skipped (reason). A template's later change never rewrites it unless someone re-applies the template."""
    __table_args__ = (sa.Index("ix_check_in_status_due", "status", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("service_case.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("followup_template.id"))
    month: Mapped[int]                              # months after the start, as the template said
    kind: Mapped[str] = mapped_column(sa.String(10), default="check_in")     # or "closing"
    due_on: Mapped[date]
    planned_on: Mapped[date]                        # the date first generated (a reschedule keeps it)
    status: Mapped[str] = mapped_column(sa.String(12), default="due")
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    done_on: Mapped[date | None]
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact_attempt.id"))
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    changed_at: Mapped[datetime | None]

    case = relationship("Case")
    member = relationship("Member")
    contact = relationship("ContactAttempt")
    changed_by = relationship("User")

    @property
    def open(self) -> bool:
        return self.status in CHECK_IN_OPEN

    @property
    def late(self) -> bool:
        return self.open and self.due_on < local_today()

    @property
    def status_label(self) -> str:
        return str(CHECK_IN_STATUSES.get(self.status, self.status))

    @property
    def kind_label(self) -> str:
        from flask_babel import gettext as _
        return _("Closing check-in, month %(n)d", n=self.month) if self.kind == "closing" else \
            _("Check-in, month %(n)d", n=self.month)


class Episode(Versioned, db.Model):
    """A member's time with the agency, from opening (or reopening) to closing with a reason. A closed episode is
    read-only; reopening starts a new one, and the history shows both."""
    __tablename__ = "member_episode"
    __table_args__ = (sa.UniqueConstraint("member_id", "number", name="member_episode_number"),
                      sa.Index("ix_member_episode_reported", "reported_on", "closed_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    opened_on: Mapped[date]
    open_reason: Mapped[str | None] = mapped_column(sa.String(1000))       # why it was reopened
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    closed_on: Mapped[date | None]
    close_reason: Mapped[str | None] = mapped_column(sa.String(30))
    summary: Mapped[str | None] = mapped_column(sa.String(2000))
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    carried: Mapped[list | None] = mapped_column(sa.JSON)     # [{"kind", "id", "label"}] left open on purpose
    reported_on: Mapped[date | None]                # the outcome reported back to the payer
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    member = relationship("Member")
    opened_by = relationship("User", foreign_keys=[opened_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])

    @property
    def closed(self) -> bool:
        return self.closed_on is not None

    @property
    def reason_label(self) -> str:
        return str(CLOSING_REASONS.get(self.close_reason, self.close_reason or ""))


class PayerDeadline(Versioned, db.Model):
    """Per payer: the days allowed for the first contact and for the whole outreach window."""
    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payer.id"), unique=True)
    first_contact_days: Mapped[int] = mapped_column(default=3)
    outreach_days: Mapped[int] = mapped_column(default=30)

    payer = relationship("Payer")


class PayerOutcomeWord(Versioned, db.Model):
    """The words one payer's referral platform uses for one of our closing reasons."""
    __table_args__ = (sa.UniqueConstraint("payer_id", "reason", name="payer_outcome_reason"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payer.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(30))
    words: Mapped[str] = mapped_column(sa.String(200))


# Schedules -----------------------------------------------------------------------------------------

def schedule_start(case, template) -> date:
    """The day the template's months count from: the case's opening, or its first authorization's start (the
    opening while there is none yet)."""
    if template.count_from == "authorization":
        from hrsn.models.cases import Authorization
        start = db.session.scalar(sa.select(sa.func.min(Authorization.start_on))
                                  .where(Authorization.case_id == case.id))
        if start is not None:
            return start
    return case.opened_on


def schedule_dates(template, start: date) -> list[tuple[int, str, date]]:
    return [(month, kind, add_months(start, month)) for month, kind in month_offsets(template)]


def generate_schedule(case, by=None, *, replace: bool = False) -> list[CheckIn]:
    """The case's check-ins from its service's template (none when the service has no active template).

    Re-applying (`replace=True`) removes the check-ins still open and adds the template's dates from today on;
    what was done or skipped stays as it was. The caller commits."""
    template = db.session.scalar(sa.select(FollowupTemplate).where(
        FollowupTemplate.service_type_id == case.service_type_id, FollowupTemplate.active.is_(True)))
    if template is None:
        return []
    if case.id is None:             # a case being opened: it needs its id first
        db.session.add(case)
        db.session.flush()
    kept = set()
    if replace:
        for old in db.session.scalars(sa.select(CheckIn).where(CheckIn.case_id == case.id)):
            if old.open:
                db.session.delete(old)
            else:
                kept.add(old.month)
    today = local_today()
    added = []
    for month, kind, due in schedule_dates(template, schedule_start(case, template)):
        if month in kept or (replace and due < today):
            continue
        check_in = CheckIn(case_id=case.id, member_id=case.member_id, template_id=template.id, month=month,
                           kind=kind, due_on=due, planned_on=due, status="due",
                           changed_by_id=getattr(by, "id", None), changed_at=utcnow())
        db.session.add(check_in)
        added.append(check_in)
    return added


def schedule_from_authorization(case, by=None) -> list[CheckIn]:
    """The case's first authorization was just recorded: a template counted from its start is applied again
    (check-ins done or skipped stay). Nothing for a template counted from the opening."""
    db.session.flush()
    template = db.session.scalar(sa.select(FollowupTemplate).where(
        FollowupTemplate.service_type_id == case.service_type_id, FollowupTemplate.active.is_(True)))
    if template is None or template.count_from != "authorization":
        return []
    from hrsn.models.cases import Authorization
    if db.session.scalar(sa.select(sa.func.count(Authorization.id)).where(Authorization.case_id == case.id)) != 1:
        return []
    return generate_schedule(case, by, replace=True)


def close_schedule(case, by=None) -> int:
    """The case closed: its check-ins still due are skipped, with that reason (reopening the case brings back
    those still ahead, see reopen_schedule). Returns how many."""
    from flask_babel import gettext as _
    rows = db.session.scalars(sa.select(CheckIn).where(CheckIn.case_id == case.id,
                                                       CheckIn.status.in_(CHECK_IN_OPEN))).all()
    for check_in in rows:
        check_in.status, check_in.reason = "skipped", _("The case was closed.")
        check_in.changed_by_id, check_in.changed_at = getattr(by, "id", None), utcnow()
    return len(rows)


def reopen_schedule(case, closed_at: datetime, by=None) -> int:
    """The case was reopened: the check-ins its closing (at `closed_at`) skipped and still ahead are due again;
    those a person skipped before stay skipped. Returns how many."""
    rows = db.session.scalars(sa.select(CheckIn).where(
        CheckIn.case_id == case.id, CheckIn.status == "skipped", CheckIn.changed_at >= closed_at - timedelta(seconds=5),
        CheckIn.due_on >= local_today())).all()
    for check_in in rows:
        check_in.status, check_in.reason = "due", None
        check_in.changed_by_id, check_in.changed_at = getattr(by, "id", None), utcnow()
    return len(rows)


def case_end(case) -> date | None:
    """The last day a check-in of the case may fall on: its closing day when closed, else the later of its latest
    authorization's end and its closing check-in's planned date; None when nothing says."""
    if case.closed_on:
        return case.closed_on
    from hrsn.models.cases import Authorization
    ends = [db.session.scalar(sa.select(sa.func.max(Authorization.end_on)).where(Authorization.case_id == case.id)),
            db.session.scalar(sa.select(sa.func.max(CheckIn.planned_on)).where(CheckIn.case_id == case.id,
                                                                               CheckIn.kind == "closing"))]
    ends = [end for end in ends if end is not None]
    return max(ends) if ends else None


# Episodes ------------------------------------------------------------------------------------------

def current_episode(member_id: int) -> Episode | None:
    return once_per_request(("episode", member_id), lambda: db.session.scalar(_LATEST_EPISODE,
                                                                              {"member_id": member_id}))


# Asked on every page of a member's record: built once, the member's id bound when it runs.
_LATEST_EPISODE = (sa.select(Episode).where(Episode.member_id == sa.bindparam("member_id"))
                   .order_by(Episode.number.desc()).limit(1))


def closed_episode(member_id_column):
    """A scalar subquery: the closing day of the member's latest episode (NULL while it is open, or none)."""
    return (sa.select(Episode.closed_on).where(Episode.member_id == member_id_column)
            .order_by(Episode.number.desc()).limit(1).correlate_except(Episode).scalar_subquery())


def member_closed(member_id: int) -> bool:
    """The member's latest episode is closed: their record is read-only until it is reopened."""
    closed = db.session.scalar(sa.select(Episode.closed_on).where(Episode.member_id == member_id)
                               .order_by(Episode.number.desc()).limit(1))
    return closed is not None


def reengagement_progress(member_id: int, rule=None) -> dict:
    """The outreach rule counted afresh from the last contact that reached the member: attempts and methods since
    then, and whether the rule is met (an enrolled member is closed as unable to reach only then)."""
    from hrsn.models.contact import REACHED_OUTCOMES, ContactAttempt
    from hrsn.models.outreach import OutreachRule
    rule = rule or OutreachRule.current()
    last_reached = db.session.scalar(sa.select(sa.func.max(ContactAttempt.at)).where(
        ContactAttempt.member_id == member_id, ContactAttempt.outcome.in_(REACHED_OUTCOMES)))
    since = sa.and_(ContactAttempt.member_id == member_id, ContactAttempt.direction == "outbound",
                    ContactAttempt.outcome.not_in(REACHED_OUTCOMES))
    if last_reached is not None:
        since = sa.and_(since, ContactAttempt.at > last_reached)
    attempts, methods = db.session.execute(sa.select(sa.func.count(ContactAttempt.id),
                                                     sa.func.count(sa.distinct(ContactAttempt.method)))
                                           .where(since)).one()
    return {"attempts": attempts, "methods": methods, "rule": rule, "since": last_reached and local_day(last_reached),
            "met": attempts >= rule.attempts and methods >= rule.methods}


def deadline_days(received_on: date, days: int) -> date:
    return received_on + timedelta(days=days)
