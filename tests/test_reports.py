"""The Reports page: every figure against values worked out by hand on a small fixed data set, the range and
filter checks, who sees what, the CSV and the chart."""
import csv
import io
import re
from datetime import date, datetime

import pytest

from conftest import PG_URL, make_app, make_member, make_user
from hrsn.extensions import db
from hrsn.models import (Authorization, Case, ContactAttempt, FundingSource, Member, Need, Organization, Payer,
                         Payment, Referral, ReferralOut, Service, ServiceCategory, ServiceType, ThirdParty, TimeEntry, TimeMonth,
                         TriageDecision, UnableToReach, User)

RANGE = {"start": "2026-01-01", "end": "2026-12-31"}


def noon(y, m, d):
    return datetime(y, m, d, 20, 0)      # noon in Oregon: the same calendar day there


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """Every report is SQL written for both databases: each test runs on both."""
    if request.param == "postgresql":
        schema = request.getfixturevalue("pg_schema")
        app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"{PG_URL}?options=-csearch_path%3D{schema}")
    else:
        app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def data(app):
    """Four members in 2026 (and one in 2025), two case managers: see each test for the figures by hand."""
    with app.app_context():
        a = make_user("case_manager", email="a@test.local", name="Alma")
        b = make_user("case_manager", email="b@test.local", name="Beto")
        second = Payer(name="Second CCO")
        db.session.add(second)
        db.session.commit()
        m1 = make_member("Uno", "Ortiz", assignee=a, preferred_language="es", received_on=date(2026, 3, 2))
        m2 = make_member("Dos", "Pérez", assignee=a, preferred_language="en", received_on=date(2026, 3, 10))
        m3 = make_member("Tres", "Ruiz", assignee=b, preferred_language="en", status="closed",
                         received_on=date(2026, 4, 1))
        m4 = make_member("Cuatro", "Soto", assignee=b, preferred_language="es", source="self",
                         received_on=date(2026, 4, 3))
        m4.latest_referral.payer = second
        make_member("Cinco", "Vega", assignee=a, received_on=date(2025, 1, 1))
        r1, r3, r4 = m1.latest_referral, m3.latest_referral, m4.latest_referral
        r1.decide("accept", a).decided_at = noon(2026, 3, 3)
        r4.decide("waitlist", b).decided_at = noon(2026, 4, 5)
        db.session.add_all([
            TriageDecision(referral_id=r3.id, decision="waitlist", from_status="new", to_status="waitlist",
                           decided_at=noon(2026, 5, 10)),
            TriageDecision(referral_id=r3.id, decision="accept", from_status="waitlist", to_status="enrolled",
                           decided_at=noon(2026, 7, 20))])
        for member, author, at, outcome, minutes, activity in (
                (m1, a, noon(2026, 3, 4), "reached", 30, "outreach"), (m2, a, noon(2026, 3, 16), "no_answer", 15,
                                                                        "outreach"),
                (m3, b, noon(2026, 4, 5), "reached", 45, "tenancy")):
            db.session.add(ContactAttempt(member_id=member.id, author_id=author.id, method="phone", outcome=outcome,
                                          at=at, minutes=minutes, activity=activity))
        db.session.add(TimeEntry(staff_id=a.id, day=date(2026, 3, 5), minutes=60, activity="travel", source="manual"))
        db.session.add_all([
            UnableToReach(member_id=m2.id, referral_id=m2.latest_referral.id, marked_on=date(2026, 5, 1),
                          marked_by_id=a.id, attempts=3, methods=2),
            UnableToReach(member_id=m3.id, referral_id=r3.id, marked_on=date(2026, 5, 20), marked_by_id=b.id,
                          attempts=2, methods=1)])
        # Money: one case of m1's, an authorization and three payments at different steps.
        source = db.session.scalar(db.select(FundingSource).order_by(FundingSource.sort_order, FundingSource.id))
        case = Case(member_id=m1.id, service_type_id=1, payer_id=1, funding_source_id=source.id,
                    opened_on=date(2026, 3, 3))
        payee = ThirdParty(kind="landlord", name="Pat")
        db.session.add_all([case, payee])
        db.session.flush()
        db.session.add(Authorization(case_id=case.id, member_id=m1.id, funding_source_id=source.id, number="A-1",
                                     amount_cents=300000, start_on=date(2026, 3, 3), end_on=date(2026, 9, 3)))
        for cents, requested, status, extra in (
                (100000, date(2026, 3, 5), "reimbursed", dict(paid_on=date(2026, 3, 12), invoiced_on=date(2026, 3, 15),
                                                              accepted_on=date(2026, 3, 20),
                                                              reimbursed_on=date(2026, 4, 1),
                                                              reimbursed_cents=100000)),
                (50000, date(2026, 4, 2), "paid", dict(paid_on=date(2026, 4, 5), status_at=noon(2026, 4, 5))),
                (20000, date(2026, 4, 3), "requested", dict(status_at=noon(2026, 4, 3)))):
            db.session.add(Payment(case_id=case.id, member_id=m1.id, payee_id=payee.id, amount_cents=cents,
                                   funding_source_id=source.id, requested_on=requested, status=status, **extra))
        # The directory: a food bank (food), legal aid (housing), one organization no one was referred to.
        orgs = {}
        for name, domain in (("Food Bank", "food"), ("Legal Aid", "housing"), ("Quiet Org", None)):
            org = Organization()
            org.set_name(name)
            db.session.add(org)
            db.session.flush()
            orgs[name] = org.id
            if domain:
                service = Service(organization_id=org.id, name=f"{name} help")
                service.categories = [ServiceCategory(domain=domain)]
                db.session.add(service)
        for member, org, made, status, extra in (
                (m1, "Food Bank", date(2026, 2, 1), "delivered", dict(started_on=date(2026, 2, 10))),
                (m1, "Food Bank", date(2026, 3, 1), "not_appropriate", {}),
                (m2, "Food Bank", date(2026, 3, 5), "receiving", dict(started_on=date(2026, 3, 10),
                                                                      receiving_on=date(2026, 11, 1))),
                (m3, "Legal Aid", date(2026, 6, 1), "sent", {}),
                (m4, None, date(2026, 7, 1), "ended", dict(started_on=date(2026, 7, 2), ended_on=date(2026, 7, 5)))):
            db.session.add(ReferralOut(member_id=member.id, organization_id=orgs.get(org), made_on=made, status=status,
                                       organization_name=org or "Cousin's church", **extra))
        # Two screenings completed in 2026 (one found food insecurity), one in 2025.
        from hrsn.models import Screening
        screenings = []
        for member, done in ((m1, noon(2026, 3, 2)), (m2, noon(2026, 3, 10)), (m3, noon(2025, 3, 1))):
            screening = Screening(member_id=member.id, instrument_id=1, language="en", domains=["food", "living"],
                                  answers={}, status="complete", completed_at=done)
            db.session.add(screening)
            screenings.append(screening)
        db.session.flush()
        for member, domain, priority, status, on, source in (
                (m1, "housing", 1, "identified", date(2026, 3, 2), "conversation"),
                (m1, "food", 2, "met", date(2026, 3, 2), "screening"),
                (m2, "housing", 1, "identified", date(2026, 3, 10), "conversation"),
                (m3, "legal", 3, "identified", date(2026, 6, 1), "conversation")):
            db.session.add(Need(member_id=member.id, domain=domain, priority=priority, status=status,
                                identified_on=on, source=source,
                                screening_id=screenings[0].id if source == "screening" else None))
        # Follow-up: payer 1 allows 3 days for the first contact; two closings, one reported back after 10 days.
        from hrsn.models import Episode, PayerDeadline
        deadline = db.session.scalar(db.select(PayerDeadline).where(PayerDeadline.payer_id == 1)) or \
            PayerDeadline(payer_id=1)
        deadline.first_contact_days = 3
        db.session.add(deadline)
        db.session.add_all([
            Episode(member_id=m1.id, number=1, opened_on=date(2026, 3, 2), closed_on=date(2026, 6, 1),
                    close_reason="goals_met", reported_on=date(2026, 6, 11)),
            Episode(member_id=m3.id, number=1, opened_on=date(2026, 4, 1), closed_on=date(2026, 8, 1),
                    close_reason="unable_to_reach"),
            Episode(member_id=m2.id, number=1, opened_on=date(2025, 3, 1), closed_on=date(2025, 12, 1))])
        db.session.commit()
        return {"a": a.id, "b": b.id, "m1": m1.id, "second": second.id}


def login_as(client, app, user_id):
    with app.app_context():
        email = db.session.get(User, user_id).email
    client.post("/login", data={"email": email, "password": "correct horse battery"})


def table(client, key, name=None, **params):
    """The report's table as CSV rows (the same figures the page shows)."""
    response = client.get(f"/reports/{key}/{name or key}.csv", query_string=RANGE | params)
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_funnel_by_payer_and_source(client, auth, data):
    auth.login("coordinator")
    rows = table(client, "funnel")
    assert rows[1:] == [
        # received, reached, enrolled, delivered, closed, median days to first contact (2, 4, 6), to first payment
        ["Local CCO (rename me)", "Payer via platform", "3", "2", "2", "1", "1", "4.0", "10.0"],
        ["Second CCO", "Self-referral", "1", "0", "0", "0", "0", "", ""],
    ]
    assert table(client, "funnel", payer=str(data["second"]))[1:] == [["Second CCO", "Self-referral", "1", "0", "0", "0", "0", "", ""]]
    assert table(client, "funnel", start="2026-04-01")[1][2] == "1"


def test_each_referrals_first_contact_conversation_and_payment_follow_corrections(app, client, auth, data):
    """The funnel reads them from the referral: they follow contacts corrected and moved, a payment paid, a new
    referral."""
    with app.app_context():
        m1 = db.session.get(Referral, db.session.scalar(db.select(Referral.id).join(Member)
                                                        .where(Member.first_name == "Uno")))
        assert (m1.first_contact_at, m1.first_reached_at, m1.first_paid_on) == (noon(2026, 3, 4), noon(2026, 3, 4),
                                                                                date(2026, 3, 12))
        first = db.session.scalar(db.select(ContactAttempt).where(ContactAttempt.member_id == m1.member_id))
        first.outcome = "no_answer"                   # corrected: that call was not answered
        later = ContactAttempt(member_id=m1.member_id, author_id=data["a"], method="text", outcome="declined",
                               at=noon(2026, 3, 9), minutes=5)
        db.session.add(later)
        db.session.commit()
        assert (m1.first_contact_at, m1.first_reached_at) == (noon(2026, 3, 4), noon(2026, 3, 9))
        first.at = noon(2026, 2, 1)                   # corrected: it was before the referral
        db.session.commit()
        assert (m1.first_contact_at, m1.first_reached_at) == (noon(2026, 3, 9), noon(2026, 3, 9))
        later.at = noon(2026, 1, 5)
        payment = db.session.scalar(db.select(Payment).where(Payment.status == "paid"))
        payment.paid_on = date(2026, 3, 10)
        db.session.commit()
        assert (m1.first_contact_at, m1.first_reached_at, m1.first_paid_on) == (None, None, date(2026, 3, 10))
        newer = Referral(member_id=m1.member_id, received_on=date(2026, 3, 11), source="platform", payer_id=1)
        db.session.add(newer)
        db.session.commit()
        assert (newer.first_contact_at, newer.first_paid_on) == (None, date(2026, 3, 12))
    auth.login("coordinator")
    funnel = table(client, "funnel")[1]
    assert funnel[2:6] == ["4", "1", "2", "2"]     # received, reached (only Tres now), enrolled, delivered


def test_a_case_manager_sees_their_own_members_figures(app, client, data):
    login_as(client, app, data["a"])
    # Alma's two members of 2026: first contacts after 2 and 6 days, the median between them
    assert table(client, "funnel")[1:] == [["Local CCO (rename me)", "Payer via platform", "2", "1", "1", "1", "0",
                                            "4.0", "10.0"]]
    assert [r[0] for r in table(client, "time")[1:]] == ["Alma"]
    # ...but the referral evaluation is the organization's, the same for everyone
    assert table(client, "evaluation")[1][1] == "5"


TABLES = [("funnel", "funnel"), ("waitlist", "waitlist"), ("deadlines", "deadlines"), ("deadlines", "reported"),
          ("outreach", "outreach"), ("needs", "needs"), ("needs", "screening"), ("needs", "gaps"),
          ("money", "money"), ("money", "waiting"), ("caseload", "caseload"), ("time", "time"),
          ("evaluation", "evaluation"), ("evaluation", "trend"), ("evaluation", "gaps")]


def test_each_filter_narrows_the_figures_and_each_value_gets_its_own(app, client, auth, data):
    """A report's statements are built once for each set of filters and given their values when they run: a
    value asked after another still gets its own figures, and every report answers with every filter set."""
    with app.app_context():
        rent = db.session.scalar(db.select(ServiceType.id).where(ServiceType.code == "rent"))
        utility = db.session.scalar(db.select(ServiceType.id).where(ServiceType.code == "utility"))
    auth.login("coordinator")
    alma = table(client, "funnel", staff=str(data["a"]))
    # the same figures Alma sees of her own members (test_a_case_manager_sees_their_own_members_figures)
    assert alma[1:] == [["Local CCO (rename me)", "Payer via platform", "2", "1", "1", "1", "0", "4.0", "10.0"]]
    assert [(r[0], r[2]) for r in table(client, "funnel", staff=str(data["b"]))[1:]] == [
        ("Local CCO (rename me)", "1"), ("Second CCO", "1")]            # Tres, and Cuatro
    assert table(client, "funnel", staff=str(data["a"])) == alma
    assert [(r[0], r[2]) for r in table(client, "funnel", language="es")[1:]] == [
        ("Local CCO (rename me)", "1"), ("Second CCO", "1")]            # Uno, and Cuatro
    assert len(table(client, "funnel", service=str(rent))) == 3 and table(client, "funnel", service=str(utility))[1:] == []
    def waiting(**narrowed):
        return [row[1] for row in table(client, "waitlist", **narrowed)[1:]]
    assert waiting(payer="1") == ["0"] * 4 + ["1", "1"] + ["0"] * 6           # Tres, May 10 to July 20
    assert waiting(payer=str(data["second"])) == ["0"] * 3 + ["1"] * 9       # Cuatro, since April 5
    assert waiting(staff=str(data["a"])) == ["0"] * 12 and waiting(staff=str(data["b"])) == waiting()
    hours = {r[0]: r[-1] for r in table(client, "time", staff=str(data["b"]))[1:]}
    assert hours == {"Beto": "0.8"}
    every = {"staff": str(data["a"]), "language": "es", "payer": "1", "service": str(rent)}
    for key, name in TABLES:
        for narrowed in ({}, every, {"staff": str(data["b"])}):
            assert len(table(client, key, name, **narrowed)) >= 1, (key, name, narrowed)
    # Uno alone: reached on 4 March, two days after the referral; enrolled; a payment made
    assert table(client, "funnel", **every)[1:] == [["Local CCO (rename me)", "Payer via platform", "1", "1", "1",
                                                     "1", "0", "2.0", "10.0"]]


def test_waitlist_at_each_months_end(client, auth, data):
    auth.login("coordinator")
    counts = {row[0]: row[1] for row in table(client, "waitlist")[1:]}
    assert [counts[f"2026-{m:02d}"] for m in range(1, 13)] == ["0", "0", "0", "1", "2", "2", "1", "1", "1", "1", "1",
                                                                "1"]


def test_outreach_compliance(client, auth, data):
    auth.login("coordinator")
    assert table(client, "outreach")[1:] == [["2026-05", "2", "1", "50.0"], ["All months", "2", "1", "50.0"]]


def test_money_by_month_payer_and_source(client, auth, data):
    auth.login("finance")
    rows = table(client, "money")
    assert rows[1][0:3] == ["2026-03", "Local CCO (rename me)", rows[1][2]]
    # authorized, paid, invoiced, accepted, reimbursed, outstanding
    assert [r[3:] for r in rows[1:]] == [["3000.00", "1000.00", "1000.00", "1000.00", "1000.00", "0.00"],
                                         ["0.00", "500.00", "0.00", "0.00", "0.00", "500.00"]]
    waiting = table(client, "money", "waiting")
    assert [r[2] for r in waiting[1:]] == ["Check requested", "Paid"]
    assert [r[3] for r in waiting[1:]] == ["200.00", "500.00"]


def test_caseload_and_time(client, auth, data):
    auth.login("coordinator")
    assert table(client, "caseload")[1:] == [["Alma", "0", "1", "1"]]
    time_rows = {r[0]: r[1:] for r in table(client, "time")[1:]}
    # outreach, tenancy, navigation, admin, travel, total (hours)
    assert time_rows["Alma"] == ["0.8", "0.0", "0.0", "0.0", "1.0", "1.8"]
    assert time_rows["Beto"] == ["0.0", "0.8", "0.0", "0.0", "0.0", "0.8"]


def test_caseload_counts_each_active_member_once_and_follows_the_filters(app, client, auth, data):
    """A member with two enrolled referrals is one member; the payer and service filters ask of those referrals."""
    with app.app_context():
        beto = db.session.get(User, data["b"])
        again = Referral(member_id=data["m1"], received_on=date(2026, 6, 1), source="agency", status="enrolled",
                         payer_id=data["second"])
        again.services = list(db.session.scalars(db.select(ServiceType).where(ServiceType.code == "utility")))
        db.session.add(again)
        make_member("Seis", "Luna", assignee=beto, preferred_language="en", status="enrolled",
                    received_on=date(2026, 6, 2), services=["utility"])
        utility, rent = (db.session.scalar(db.select(ServiceType.id).where(ServiceType.code == code))
                         for code in ("utility", "rent"))
    auth.login("coordinator")
    # Alma: Uno (Spanish, enrolled twice); Beto: Seis (English); columns English, Spanish, total
    assert table(client, "caseload")[1:] == [["Alma", "0", "1", "1"], ["Beto", "1", "0", "1"]]
    assert table(client, "caseload", payer=str(data["second"]))[1:] == [["Alma", "0", "1", "1"]]
    assert table(client, "caseload", service=str(utility))[1:] == [["Alma", "0", "1", "1"], ["Beto", "1", "0", "1"]]
    assert table(client, "caseload", service=str(rent))[1:] == [["Alma", "0", "1", "1"]]
    assert table(client, "caseload", language="en")[1:] == [["Beto", "1", "0", "1"]]


def test_time_of_whole_months_and_of_the_days_around_them_adds_up_as_the_rows_do(app, client, auth, data):
    """Months wholly in the range are read from each month's sums, kept in step as rows are added, corrected and
    deleted; a partial first or last month from the rows: every range gives the rows' own figures."""
    with app.app_context():
        alma, beto = data["a"], data["b"]
        rows = [TimeEntry(staff_id=staff, day=day, minutes=minutes, activity=activity, payer_id=payer,
                          source="manual")
                for staff, day, minutes, activity, payer in (
                    (alma, date(2026, 5, 31), 25, "admin", None), (alma, date(2026, 6, 1), 40, "admin", 1),
                    (beto, date(2026, 6, 15), 50, "travel", 1), (beto, date(2026, 7, 1), 70, "tenancy", None),
                    (alma, date(2026, 7, 31), 35, "travel", data["second"]))]
        db.session.add_all(rows)
        db.session.commit()
        rows[2].day, rows[2].minutes, rows[2].activity = date(2026, 8, 2), 90, "admin"   # moved to another month
        rows[0].payer_id = 1
        db.session.delete(rows[3])
        db.session.commit()
        summed = {(m, s, a, p): (n, k) for m, s, a, p, n, k in db.session.execute(
            db.select(TimeMonth.month, TimeMonth.staff_id, TimeMonth.activity, TimeMonth.payer_key, TimeMonth.minutes,
                      TimeMonth.entries).where(TimeMonth.entries > 0))}
        every = db.session.execute(db.select(TimeEntry.day, TimeEntry.staff_id, TimeEntry.activity,
                                             TimeEntry.payer_id, TimeEntry.minutes)).all()
        names = dict(db.session.execute(db.select(User.id, User.name)).all())
    expected_months: dict = {}
    for day, staff, activity, payer, minutes in every:
        n, k = expected_months.get((day.replace(day=1), staff, activity, payer or 0), (0, 0))
        expected_months[(day.replace(day=1), staff, activity, payer or 0)] = (n + minutes, k + 1)
    assert summed == expected_months

    def by_hand(start, end, payer=None):
        hours: dict = {}
        for day, staff, activity, row_payer, minutes in every:
            if start <= day <= end and payer in (None, row_payer):
                hours.setdefault(names[staff], {}).setdefault(activity, 0)
                hours[names[staff]][activity] += minutes
        codes = ("outreach", "tenancy", "navigation", "admin", "travel")
        return sorted([name, *[str(round(m.get(c, 0) / 60, 1)) for c in codes], str(round(sum(m.values()) / 60, 1))]
                      for name, m in hours.items())

    auth.login("coordinator")
    for start, end, payer in ((date(2026, 1, 1), date(2026, 12, 31), None), (date(2026, 3, 5), date(2026, 6, 14), None),
                              (date(2026, 5, 31), date(2026, 6, 1), None), (date(2026, 6, 2), date(2026, 8, 31), None),
                              (date(2026, 3, 1), date(2026, 7, 31), 1), (date(2026, 6, 1), date(2026, 6, 30), 1)):
        params = {"start": start.isoformat(), "end": end.isoformat(), **({"payer": str(payer)} if payer else {})}
        assert sorted(table(client, "time", **params)[1:]) == by_hand(start, end, payer), (start, end, payer)


def test_referral_evaluation_with_its_denominators(client, auth, data):
    auth.login("coordinator")
    rows = table(client, "evaluation")
    # made, people, people delivered, %, people started by the cut-off (3 months before the end), still receiving, %,
    # not appropriate, % of referrals
    assert rows[1:] == [
        ["All organizations", "5", "4", "3", "75.0", "3", "1", "33.3", "1", "20.0"],
        ["Food Bank", "3", "2", "2", "100.0", "2", "1", "50.0", "1", "33.3"],
        ["Legal Aid", "1", "1", "0", "0.0", "0", "0", "", "0", "0.0"],
        ["Quiet Org", "0", "0", "0", "", "0", "0", "", "0", ""],
        ["Not in the directory", "1", "1", "1", "100.0", "1", "0", "0.0", "0", "0.0"],
    ]
    assert table(client, "evaluation", "trend")[1:] == [["2026-02", "1", "1", "0"], ["2026-03", "2", "1", "1"],
                                                        ["2026-06", "1", "0", "0"], ["2026-07", "1", "1", "0"]]
    assert table(client, "evaluation", "gaps")[1:] == [["2026-06", "Legal help", "1"]]
    page = client.get("/reports/evaluation", query_string=RANGE).get_data(as_text=True)
    assert "PEOPLE referred" in page and "REFERRALS made" in page


def test_deadlines_and_reporting_back(client, auth, data):
    auth.login("coordinator")
    # payer 1 (3 days): first contacts after 2 (in time), 4 and 6 days (missed); Second CCO: no contact at all, its
    # 3 days long gone
    assert table(client, "deadlines")[1:] == [
        ["Local CCO (rename me)", "3", "1", "2", "0", "33.3", "4.0"],
        ["Second CCO", "1", "0", "1", "0", "0.0", ""]]
    assert table(client, "deadlines", "reported")[1:] == [["Local CCO (rename me)", "2", "1", "1", "50.0", "10.0"]]


def test_the_funnel_deadlines_and_evaluation_read_their_ranges_from_indexes_alone(app, client, auth, data):
    """Over years of an agency every referral is in the range: each read from the table in turn cost more than the
    figures. Both databases hold the indexes; the plans are asked of SQLite (PostgreSQL plans by its statistics,
    and reads a table this small whole)."""
    import warnings
    from sqlalchemy import event, inspect
    from sqlalchemy.exc import SAWarning
    auth.login("coordinator")
    with app.app_context(), warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)      # SQLite's index of lower(external_id) is not read back
        held = {index["name"]: index["column_names"] for table in ("referral", "referral_out")
                for index in inspect(db.engine).get_indexes(table)}
        assert held["ix_referral_received_figures"] == [
            "received_on", "payer_id", "source", "status", "member_id", "first_reached_at", "first_contact_at",
            "first_paid_on"]
        assert held["ix_referral_out_made_figures"] == [
            "made_on", "organization_id", "member_id", "status", "started_on", "receiving_on", "ended_on"]
        if db.engine.dialect.name != "sqlite":
            return
        seen = []
        record = lambda conn, cursor, statement, params, context, many: seen.append((statement, params))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            for key in ("funnel", "deadlines", "evaluation"):
                assert client.get(f"/reports/{key}", query_string=RANGE).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        plans = []
        with db.engine.connect() as conn:
            for statement, params in seen:
                if statement.lstrip().upper().startswith(("SELECT", "WITH")) and (" referral " in statement or
                                                                                 " referral_out " in statement):
                    plans += [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
    reads = [step for step in plans if re.match(r"(SEARCH|SCAN) (referral|referral_out)\b", step)]
    assert any("COVERING INDEX ix_referral_received_figures (received_on>? AND received_on<?)" in s for s in reads)
    assert any("COVERING INDEX ix_referral_out_made_figures (made_on>? AND made_on<?)" in s for s in reads)
    assert not [s for s in reads if "received_on>" in s and "COVERING" not in s], reads
    assert not [s for s in reads if "made_on>" in s and "COVERING" not in s], reads


def test_needs_of_the_caseload(client, auth, data):
    auth.login("coordinator")
    assert table(client, "needs")[1:] == [["Food", "Medium", "Met", "1"], ["Housing", "High", "Identified", "2"],
                                          ["Legal help", "Low", "Identified", "1"]]
    # food found by one of the two screenings completed in 2026, now met; the Food Bank meets it
    assert table(client, "needs", "screening")[1:] == [["Food", "1", "2", "50.0", "0", "Yes"]]


@pytest.mark.parametrize("params, message", [
    ({"start": "2026-01-01", "end": ""}, "Enter both the first and the last day"),
    ({"start": "2026-05-01", "end": "2026-04-01"}, "before its start"),
    ({"start": "2000-01-01", "end": "2020-01-02"}, "at most 10 years"),
    ({"start": "2026-02-30", "end": "2026-04-01"}, "enter a date like"),
    ({"payer": "999"}, "Payer: there is no such choice"),
    ({"staff": "abc"}, "Staff member: there is no such choice"),
    ({"language": "fr"}, "Language: there is no such choice"),
    ({"service": "-1"}, "Service: there is no such choice"),
])
def test_a_bad_range_or_filter_says_what_is_wrong(client, auth, params, message):
    auth.login("coordinator")
    response = client.get("/reports/funnel", query_string=params)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert client.get("/reports/funnel/funnel.csv", query_string=params).status_code == 422


def test_an_empty_range_shows_an_empty_report(client, auth, data):
    auth.login("coordinator")
    response = client.get("/reports/funnel", query_string={"start": "2030-01-01", "end": "2030-01-31"})
    assert response.status_code == 200 and "Nothing in this range." in response.get_data(as_text=True)


def test_who_opens_which_report(app, client, auth, data):
    auth.login("finance")
    assert client.get("/reports/money").status_code == 200
    assert client.get("/reports/evaluation").status_code == 200
    for key in ("funnel", "caseload", "needs", "time"):
        assert client.get(f"/reports/{key}").status_code == 403
    assert client.get("/reports/nothing").status_code == 404
    index = client.get("/reports").get_data(as_text=True)
    assert "Referral evaluation" in index and "Intake funnel" not in index
    auth.logout()
    login_as(client, app, data["a"])
    assert client.get("/reports/funnel").status_code == 200
    assert client.get("/billing").status_code == 403


def test_the_chart_is_a_self_contained_svg_under_its_own_policy(client, auth, data):
    auth.login("coordinator")
    page = client.get("/reports/evaluation", query_string=RANGE).get_data(as_text=True)
    assert re.search(r'<img class="chart" src="/reports/evaluation/evaluation.svg\?[^"]*start=2026-01-01', page)
    assert "<script" not in page.split("<main")[1]
    response = client.get("/reports/evaluation/evaluation.svg", query_string=RANGE)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    text = response.get_data(as_text=True)
    assert "<svg" in text and "Food Bank" in text and "<script" not in text
    # nothing fetched: no link or import anywhere, and the only address is the SVG namespace itself
    assert not re.search(r'(href|src)\s*=|@import|url\(\s*["\']?http', text)
    assert set(re.findall(r"https?://[^\"'\s)]+", text)) <= {"http://www.w3.org/2000/svg",
                                                            "http://www.w3.org/1999/xlink"}



def test_a_chart_is_drawn_again_only_when_its_figures_or_language_change(app, client, auth, data, monkeypatch):
    from hrsn.reports import charts
    drawn = []
    draw = charts._draw
    monkeypatch.setattr(charts, "_draw", lambda table, title: drawn.append(title) or draw(table, title))
    monkeypatch.setattr(charts, "_drawn", charts.OrderedDict())
    auth.login("coordinator")
    first = client.get("/reports/funnel/funnel.svg", query_string=RANGE)
    again = client.get("/reports/funnel/funnel.svg", query_string=RANGE)
    assert first.status_code == again.status_code == 200 and again.data == first.data and len(drawn) == 1
    tag = first.headers["ETag"]
    assert client.get("/reports/funnel/funnel.svg", query_string=RANGE,
                      headers={"If-None-Match": tag}).status_code == 304 and len(drawn) == 1
    with app.app_context():                      # one referral more in the range: new figures, a new drawing
        make_member("Seis", "Luna", received_on=date(2026, 6, 1))
    changed = client.get("/reports/funnel/funnel.svg", query_string=RANGE, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag and len(drawn) == 2
    client.post("/language", data={"lang": "es", "next": "/reports"})
    spanish = client.get("/reports/funnel/funnel.svg", query_string=RANGE)
    assert "Recibido" in spanish.get_data(as_text=True) and len(drawn) == 3

def test_each_download_is_in_the_audit_trail(app, client, auth, data):
    from hrsn.models import AuditEvent
    auth.login("coordinator")
    table(client, "money")
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "report:money"))
        assert event.action == "export" and event.changes["start"] == [None, "2026-01-01"]


def test_the_reports_speak_spanish(client, auth, data):
    auth.login("coordinator")
    client.post("/language", data={"lang": "es", "next": "/reports"})
    page = client.get("/reports/evaluation", query_string=RANGE).get_data(as_text=True)
    assert "Evaluación de las derivaciones" in page


def test_medians_in_sql_count_repeated_values_and_even_groups(app):
    import sqlalchemy as sa
    from hrsn.reports.sql import medians
    rows = [("a", 1), ("a", 1), ("a", 5),                 # odd, a value repeated: 1
            ("b", 2), ("b", 9), ("b", 3), ("b", 3),       # even: the mean of 3 and 3
            ("c", 4), ("c", 10),                          # even: 7
            ("d", 8), ("d", None)]                        # the missing one does not count: 8
    values = sa.union_all(*[sa.select(sa.literal(k, sa.String).label("k"), sa.literal(v, sa.Integer).label("days"))
                            for k, v in rows]).subquery()
    found = medians(values, ["k"])
    with app.app_context():
        got = dict(db.session.execute(sa.select(found.c.k, found.c.median).order_by(found.c.k)).all())
    assert {k: float(v) for k, v in got.items()} == {"a": 1.0, "b": 3.0, "c": 7.0, "d": 8.0}
