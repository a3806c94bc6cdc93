"""seed-demo: years of history whose figures hold together, the same data for the same seed, and its refusals."""
import hashlib
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import make_app
from hrsn.extensions import db
from hrsn.models import (AuditEvent, ChecklistItem, ChecklistStep, Consent, ContactAttempt, DocumentVersion, Member,
                         Referral, Screening, SeverityAssessment, TriageDecision, UnableToReach, User)
from hrsn.models.core import local_day, local_today, utcnow
from hrsn.seed import run

PASSWORD = "demo pass phrase"


@pytest.fixture(scope="module")
def mid_size(tmp_path_factory):
    """300 members over 3 years, seeded once for the module: the tests that use it only read."""
    app = make_app(tmp_path_factory.mktemp("seed"))
    with app.app_context():
        run(members=300, password=PASSWORD, rng_seed=3, years=3)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def seeded(mid_size):
    # Pushed per test, not per module: a context left pushed would capture the CLI tests' commands.
    with mid_size.app_context():
        yield mid_size


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_counts_are_those_of_three_years_of_an_agency(seeded):
    members = count(Member)
    referrals = count(Referral)
    assert members == 300
    assert 330 <= referrals <= 420                         # some members came back
    per_member = {"contacts": count(ContactAttempt) / members, "checklist": count(ChecklistItem) / members,
                  "steps": count(ChecklistStep) / members, "audit": count(AuditEvent) / members}
    assert 8 <= per_member["contacts"] <= 20, per_member
    assert 2 <= per_member["checklist"] <= 6, per_member
    assert per_member["checklist"] <= per_member["steps"] <= 3 * per_member["checklist"], per_member
    assert 20 <= per_member["audit"] <= 60, per_member
    assert 0 < count(DocumentVersion) < count(ChecklistItem) / 2         # files for recent cases only
    assert count(Screening) and count(Consent) and count(SeverityAssessment) <= members
    received = db.session.execute(sa.select(sa.func.min(Referral.received_on), sa.func.max(Referral.received_on))).one()
    assert received[1] <= local_today() and (received[1] - received[0]).days > 2.5 * 365


def test_open_referrals_are_recent_and_caseloads_realistic(seeded):
    today = local_today()
    oldest_open = dict(db.session.execute(sa.select(Referral.status, sa.func.min(Referral.received_on))
                                          .where(Referral.status.in_(["new", "waitlist", "enrolled"]))
                                          .group_by(Referral.status)).all())
    assert (today - oldest_open["enrolled"]).days <= 250 and (today - oldest_open["waitlist"]).days <= 120
    statuses = Counter(db.session.scalars(sa.select(Referral.status)))
    assert statuses["closed"] + statuses["declined"] + statuses["redirected"] > 2 * (
        statuses["new"] + statuses["waitlist"] + statuses["enrolled"])
    open_members = sa.select(Referral.member_id).where(Referral.status.in_(["new", "waitlist", "enrolled"]))
    caseloads = dict(db.session.execute(
        sa.select(User.email, sa.func.count(Member.id)).join(Member, Member.assignee_id == User.id)
        .where(Member.id.in_(open_members)).group_by(User.email)).all())
    assert "casemanager1@demo.local" in caseloads
    assert all(10 <= load <= 150 for load in caseloads.values()), caseloads


def test_no_contact_before_its_referral_nor_in_the_future(seeded):
    first = dict(db.session.execute(sa.select(Referral.member_id, sa.func.min(Referral.received_on))
                                    .group_by(Referral.member_id)).all())
    now = utcnow()
    for member_id, at, created in db.session.execute(sa.select(ContactAttempt.member_id, ContactAttempt.at,
                                                               ContactAttempt.created_at)):
        assert first[member_id] <= local_day(at) and at <= created <= now
    for assessment in db.session.scalars(sa.select(SeverityAssessment)):
        assert assessment.contact.member_id == assessment.member_id and assessment.contact.reached
    for consent in db.session.scalars(sa.select(Consent)):
        assert first[consent.member_id] <= consent.given_on <= local_today() and consent.expires_on > consent.given_on
        assert consent.withdrawn_on is None or consent.given_on <= consent.withdrawn_on <= local_today()


def test_every_referral_status_has_a_consistent_decision_history(seeded):
    decisions = defaultdict(list)
    for decision in db.session.scalars(sa.select(TriageDecision).order_by(TriageDecision.decided_at,
                                                                          TriageDecision.id)):
        decisions[decision.referral_id].append(decision)
    now = utcnow()
    for referral in db.session.scalars(sa.select(Referral)):
        steps = decisions[referral.id]
        if referral.status == "new":
            assert steps == []
            continue
        assert steps[0].from_status == "new"
        assert all(a.to_status == b.from_status for a, b in zip(steps, steps[1:]))
        assert steps[-1].to_status == ("enrolled" if referral.status == "closed" else referral.status)
        assert all(referral.received_on <= local_day(s.decided_at) and s.decided_at <= now for s in steps)


def test_unable_to_reach_marks_follow_the_outreach_rule(seeded):
    for mark in db.session.scalars(sa.select(UnableToReach)):
        referral = mark.referral
        attempts = db.session.scalars(sa.select(ContactAttempt).where(ContactAttempt.member_id == mark.member_id)
                                      .order_by(ContactAttempt.at)).all()
        tried = [c for c in attempts if referral.received_on <= local_day(c.at) <= mark.marked_on]
        assert mark.attempts >= 3 and mark.methods >= 2 and len(tried) >= mark.attempts
        assert not any(c.reached for c in tried)
        assert mark.reported_on is None or mark.marked_on <= mark.reported_on <= local_today()
        assert referral.status in ("new", "closed")


def test_checklists_move_step_by_step(seeded):
    steps = defaultdict(list)
    for step in db.session.scalars(sa.select(ChecklistStep).order_by(ChecklistStep.id)):
        steps[step.item_id].append(step)
    for item in db.session.scalars(sa.select(ChecklistItem)):
        path = steps[item.id]
        assert [s.from_status for s in path] == (["needed"] + [s.to_status for s in path])[:len(path)]
        assert item.status == (path[-1].to_status if path else "needed")
        assert [s.at for s in path] == sorted(s.at for s in path)
        assert item.updated_at == (path[-1].at if path else item.updated_at)


def test_every_stored_file_exists_with_its_hash(seeded):
    uploads = Path(seeded.instance_path) / "uploads"
    versions = db.session.scalars(sa.select(DocumentVersion)).all()
    assert versions
    for version in versions:
        content = (uploads / version.stored_name).read_bytes()
        assert len(content) == version.size and hashlib.sha256(content).hexdigest() == version.sha256
    assert len(list(uploads.glob("*.*"))) == len(versions)


def test_audit_events_are_dated_like_the_records_they_describe(seeded):
    now = utcnow()
    assert db.session.scalar(sa.select(sa.func.max(AuditEvent.at))) <= now
    assert db.session.scalar(sa.select(sa.func.min(AuditEvent.at))) >= now - timedelta(days=2 * 366 + 1)
    contacts = {c.id: c for c in db.session.scalars(sa.select(ContactAttempt))}
    decided = {(d.referral_id, d.decided_at) for d in db.session.scalars(sa.select(TriageDecision))}
    moved = {(s.item_id, s.at) for s in db.session.scalars(sa.select(ChecklistStep))}
    checked = Counter()
    for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.record_id.is_not(None))):
        if event.record_type == "ContactAttempt":
            contact = contacts[event.record_id]
            assert (event.at, event.member_id, event.user_id) == (contact.created_at, contact.member_id,
                                                                  contact.author_id)
        elif event.record_type == "Referral":
            assert (event.record_id, event.at) in decided
        elif event.record_type == "ChecklistItem":
            assert (event.record_id, event.at) in moved
        checked[event.record_type] += 1
    assert {"ContactAttempt", "Referral", "ChecklistItem", "Document"} <= set(checked)


def test_a_small_run_shows_every_state(app):
    with app.app_context():
        run(members=24, password=PASSWORD, rng_seed=11)
        assert {"new", "waitlist", "enrolled", "declined", "redirected", "closed"} <= set(
            db.session.scalars(sa.select(Referral.status)))
        assert set(db.session.scalars(sa.select(ChecklistItem.status))) == {
            "needed", "requested", "received", "sent", "waived"}
        assert {c.status() for c in db.session.scalars(sa.select(Consent))} >= {"valid", "expired", "withdrawn"}
        assert set(db.session.scalars(sa.select(Screening.status))) == {"complete", "in_progress"}
        reported = set(db.session.scalars(sa.select(UnableToReach.reported_on.is_(None))))
        assert reported == {True, False}                        # some still to report to the payer, some done
        redecided = db.session.scalar(sa.select(sa.func.count()).select_from(
            sa.select(TriageDecision.referral_id).group_by(TriageDecision.referral_id)
            .having(sa.func.count() > 1).subquery()))
        assert redecided >= 1


def fingerprint(app) -> tuple:
    with app.app_context():
        return (db.session.execute(sa.select(Member.first_name, Member.last_name, Member.dob, Member.medicaid_id,
                                             Member.assignee_id).order_by(Member.id)).all(),
                db.session.execute(sa.select(Referral.member_id, Referral.received_on, Referral.status)
                                   .order_by(Referral.id)).all(),
                db.session.execute(sa.select(ContactAttempt.member_id, ContactAttempt.method, ContactAttempt.outcome)
                                   .order_by(ContactAttempt.id)).all(),
                db.session.execute(sa.select(DocumentVersion.stored_name, DocumentVersion.sha256)
                                   .order_by(DocumentVersion.id)).all())


def test_the_same_seed_gives_the_same_data(tmp_path):
    apps = [make_app(tmp_path / name) for name in ("one", "two", "three")]
    for app, rng_seed in zip(apps, (5, 5, 6)):
        with app.app_context():
            run(members=60, password=PASSWORD, rng_seed=rng_seed, years=2)
    one, two, three = (fingerprint(app) for app in apps)
    assert one == two and one != three
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("years", ["0", "31", "ten"])
def test_years_are_checked(runner, app, years):
    result = runner.invoke(args=["seed-demo", "--members", "5", "--years", years])
    assert result.exit_code == 2 and "Invalid value for '--years'" in result.output
    with app.app_context():
        assert count(Member) == 0


def test_an_already_seeded_database_is_refused(runner, app):
    assert runner.invoke(args=["seed-demo", "--members", "5", "--years", "1"]).exit_code == 0
    again = runner.invoke(args=["seed-demo", "--members", "5"])
    assert again.exit_code != 0 and "already has members" in again.output
    with app.app_context():
        assert count(Member) == 5


def test_follow_up_schedules_and_closed_and_reopened_members(seeded):
    from hrsn.models import CheckIn, Episode
    statuses = dict(db.session.execute(sa.select(CheckIn.status, sa.func.count()).group_by(CheckIn.status)).all())
    assert {"done", "due", "rescheduled", "skipped"} <= set(statuses), statuses
    overdue = db.session.scalar(sa.select(sa.func.count()).where(CheckIn.status.in_(("due", "rescheduled")),
                                                                  CheckIn.due_on < local_today()))
    assert overdue > 0
    assert db.session.scalar(sa.select(sa.func.count()).where(Episode.number == 2, Episode.closed_on.is_(None)))
    closed = db.session.execute(sa.select(Episode.reported_on.is_(None), sa.func.count())
                                .where(Episode.closed_on.is_not(None)).group_by(Episode.reported_on.is_(None))).all()
    assert dict(closed).get(True) and dict(closed).get(False)          # some reported back, some not yet
def test_plans_hold_needs_goals_and_referrals_out_in_every_state(seeded):
    from hrsn.models import OUT_STATUSES, Goal, Need, Plan, ReferralOut, ReferralOutStep, ScreeningApplied
    assert count(ScreeningApplied) == db.session.scalar(sa.select(sa.func.count()).where(Screening.status == "complete"))
    assert count(Need) and count(Goal) and count(Plan)
    assert set(db.session.scalars(sa.select(ReferralOut.status))) == set(OUT_STATUSES)
    # Every referral's history starts at "sent" and ends at its status.
    last = dict(db.session.execute(sa.select(ReferralOutStep.referral_out_id, sa.func.max(ReferralOutStep.id))
                                   .group_by(ReferralOutStep.referral_out_id)).all())
    ends = dict(db.session.execute(sa.select(ReferralOutStep.id, ReferralOutStep.to_status)
                                   .where(ReferralOutStep.id.in_(last.values()))).all())
    for referral in db.session.scalars(sa.select(ReferralOut)):
        assert ends[last[referral.id]] == referral.status
        assert referral.made_on <= (referral.delivered_on or referral.made_on)
    # Two plans span pages: one member reading Spanish, one English.
    long = db.session.execute(sa.select(Need.member_id).group_by(Need.member_id)
                              .having(sa.func.count() >= 20)).scalars().all()
    assert {db.session.get(Member, m).preferred_language for m in long} == {"es", "en"}
def test_time_follows_every_contact_and_the_weeks_are_submitted(seeded):
    from hrsn.models import Timesheet, TimeEntry
    with_minutes = db.session.scalar(sa.select(sa.func.count()).where(ContactAttempt.minutes > 0))
    from_contacts = db.session.scalar(sa.select(sa.func.count(sa.distinct(TimeEntry.contact_id)))
                                      .where(TimeEntry.source == "contact"))
    assert from_contacts == with_minutes > 0
    assert db.session.scalar(sa.select(sa.func.count()).where(TimeEntry.source == "manual")) > 300
    assert db.session.scalar(sa.select(sa.func.count()).where(Timesheet.status == "submitted")) > 100
    assert db.session.scalar(sa.select(sa.func.min(TimeEntry.day))) < local_today() - timedelta(days=700)


def test_the_sums_kept_for_the_reports_agree_with_the_rows_written_in_bulk(seeded):
    from hrsn.models import REACHED_OUTCOMES, Payment, Referral, TimeEntry, TimeMonth
    kept = db.session.execute(sa.select(Referral.id, Referral.first_contact_at, Referral.first_reached_at,
                                        Referral.first_paid_on).order_by(Referral.id)).all()
    after = (ContactAttempt.member_id == Referral.member_id, ContactAttempt.at >= Referral.received_on)
    worked_out = db.session.execute(sa.select(
        Referral.id,
        sa.select(sa.func.min(ContactAttempt.at)).where(*after).scalar_subquery(),
        sa.select(sa.func.min(ContactAttempt.at)).where(*after, ContactAttempt.outcome.in_(REACHED_OUTCOMES))
        .scalar_subquery(),
        sa.select(sa.func.min(Payment.paid_on)).where(Payment.member_id == Referral.member_id,
                                                      Payment.paid_on >= Referral.received_on).scalar_subquery())
        .order_by(Referral.id)).all()
    assert kept == worked_out
    assert sum(1 for row in kept if row[3] is not None) > 10
    assert db.session.scalar(sa.select(sa.func.sum(TimeMonth.minutes))) == \
        db.session.scalar(sa.select(sa.func.sum(TimeEntry.minutes))) > 0
    assert db.session.scalar(sa.select(sa.func.sum(TimeMonth.entries))) == count(TimeEntry)
