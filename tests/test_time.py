"""Time and billing: contacts count as time once, time added by hand, the weekly timesheet's lock, units, the billing
export (rows, rounding, amounts, CSV safety) and who may run it."""
import csv
import io
from datetime import date, datetime, timedelta

import pytest

from conftest import make_member, make_user
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import (AuditEvent, Authorization, ContactAttempt, Payer, PayerBilling, Timesheet, TimeEntry, User,
                         units, week_of)
from hrsn.sheets import csv_text, spreadsheet_cell

HX = {"HX-Request": "true"}
WEEK = date(2026, 11, 2)          # a Monday


@pytest.fixture
def cm(auth):
    return auth.login("case_manager", email="cm@test.local", name="Maria Lopez")


@pytest.fixture
def member_id(app, cm):
    with app.app_context():
        user = db.session.get(User, cm.id)
        return make_member("Ana", "García", assignee=user, status="enrolled", medicaid_id="AB123456",
                           external_id="REF-77", received_on=date(2026, 10, 1)).id


def contact(app, member_id, author_id, at, minutes, activity="outreach"):
    with app.app_context():
        row = ContactAttempt(member_id=member_id, author_id=author_id, method="phone", outcome="reached",
                             minutes=minutes, activity=activity, at=at)
        db.session.add(row)
        db.session.commit()
        return row.id


def entries(app):
    with app.app_context():
        return db.session.execute(db.select(TimeEntry.source, TimeEntry.day, TimeEntry.minutes, TimeEntry.activity)
                                  .order_by(TimeEntry.id)).all()


@pytest.mark.parametrize("minutes, per_unit, rounding, expected", [
    (0, 15, "nearest", 0), (7, 15, "nearest", 0), (8, 15, "nearest", 1), (22, 15, "nearest", 1),
    (23, 15, "nearest", 2), (1, 15, "up", 1), (15, 15, "up", 1), (16, 15, "up", 2), (14, 15, "down", 0),
    (29, 15, "down", 1), (30, 15, "down", 2), (60, 60, "nearest", 1), (90, 60, "nearest", 2), (89, 60, "nearest", 1),
])
def test_units_follow_the_payers_rounding(minutes, per_unit, rounding, expected):
    assert units(minutes, per_unit, rounding) == expected


def test_csv_cells_that_start_like_a_formula_are_defused_and_text_stays_valid():
    assert [spreadsheet_cell(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "ok", None, 5)] == \
        ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "ok", "", "5"]
    text = csv_text(["a", "b"], [['O\'Hara, "Pat"', "line one\nline two"], ["=1+1", "plain"]])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ['O\'Hara, "Pat"', "line one\nline two"],
                                                    ["'=1+1", "plain"]]


def test_a_contact_counts_as_time_once_even_when_corrected(app, client, cm, member_id):
    contact_id = contact(app, member_id, cm.id, datetime(2026, 11, 3, 18, 0), 20)
    assert entries(app) == [("contact", date(2026, 11, 3), 20, "outreach")]
    with app.app_context():
        row = db.session.get(ContactAttempt, contact_id)
        row.minutes, row.activity = 35, "tenancy"
        db.session.commit()
    assert entries(app) == [("contact", date(2026, 11, 3), 35, "tenancy")]
    # 02:00 UTC is still the evening before in Oregon: the day is the organization's
    contact(app, member_id, cm.id, datetime(2026, 11, 4, 2, 0), 10)
    assert entries(app)[-1][1] == date(2026, 11, 3)
    page = client.get(f"/time?week={WEEK.isoformat()}").get_data(as_text=True)
    assert "45" in page and "García" in page


def test_time_added_by_hand_then_corrected_with_its_version(app, client, cm, member_id):
    data = {"day": "2026-11-04", "minutes": "40", "activity": "travel", "member_id": str(member_id), "payer_id": "",
            "note": "Drive to the apartment"}
    response = client.post(f"/time/entries?week={WEEK.isoformat()}", data=data)
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(db.select(TimeEntry))
        assert (entry.minutes, entry.activity, entry.payer_id, entry.source) == (40, "travel", 1, "manual")
        entry_id = entry.id
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "TimeEntry",
                                                             AuditEvent.action == "create")) is not None
    url = f"/time/entries/{entry_id}/edit"
    assert client.post(url, data={**data, "minutes": "50", "version": "1"}).status_code == 302
    stale = client.post(url, data={**data, "minutes": "55", "version": "1"})
    assert stale.status_code == 409 and "55" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TimeEntry, entry_id).minutes == 50


@pytest.mark.parametrize("field, value, message", [
    ("minutes", "0", "from 1 to 1440"), ("minutes", "2000", "from 1 to 1440"), ("minutes", "abc", "from 1 to 1440"),
    ("activity", "golf", "activity from the list"), ("day", "", "the day the time was spent"),
    ("member_id", "999", "member from your caseload"),
])
def test_bad_time_is_refused_with_a_clear_message(client, cm, member_id, field, value, message):
    data = {"day": "2026-11-04", "minutes": "40", "activity": "travel", "member_id": "", "payer_id": "", "note": ""}
    response = client.post("/time/entries", data={**data, field: value})
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_a_submitted_week_is_locked_until_a_coordinator_reopens_it_with_a_reason(app, client, auth, cm, member_id):
    data = {"day": "2026-11-04", "minutes": "40", "activity": "travel", "member_id": "", "payer_id": "", "note": ""}
    client.post("/time/entries", data=data)
    contact(app, member_id, cm.id, datetime(2026, 11, 3, 18, 0), 20)
    assert client.post(f"/time/submit?week={WEEK.isoformat()}", data={"version": ""}).status_code == 302
    with app.app_context():
        sheet = db.session.scalar(db.select(Timesheet))
        assert (sheet.status, sheet.submitted_minutes, sheet.week_start) == ("submitted", 60, WEEK)
        entry_id = db.session.scalar(db.select(TimeEntry.id).where(TimeEntry.source == "manual"))
    locked = client.post("/time/entries", data={**data, "day": "2026-11-06"})
    assert locked.status_code == 422 and "locked" in locked.get_data(as_text=True)
    assert client.get(f"/time/entries/{entry_id}/edit").status_code == 409
    assert client.post(f"/time/unlock?week={WEEK.isoformat()}", data={"reason": "x", "version": "2"}).status_code == 403
    assert client.post(f"/time/submit?week={WEEK.isoformat()}", data={"version": "2"}).status_code == 409
    # another week stays open
    assert client.post("/time/entries", data={**data, "day": "2026-11-10"}).status_code == 302
    auth.logout()
    coordinator = auth.login("coordinator")
    url = f"/time/unlock?staff={cm.id}&week={WEEK.isoformat()}"
    assert client.post(url, data={"reason": "", "version": "2"}).status_code == 422
    assert client.post(url, data={"reason": "Forgot Friday's travel", "version": "2"}).status_code == 302
    with app.app_context():
        sheet = db.session.scalar(db.select(Timesheet))
        assert sheet.status == "open" and sheet.steps[-1].note == "Forgot Friday's travel"
        assert sheet.steps[-1].by_id == coordinator.id
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "Timesheet")
                                  .order_by(AuditEvent.id.desc()))
        assert event.changes["reason"] == [None, "Forgot Friday's travel"]
    assert client.post(url, data={"reason": "again", "version": "3"}).status_code == 409


def test_a_case_manager_sees_only_their_own_week(app, client, cm):
    with app.app_context():
        other = make_user("case_manager", email="other@test.local").id
    assert client.get(f"/time?staff={other}").status_code == 403
    assert client.get("/time").status_code == 200


# Billing ------------------------------------------------------------------------------------------------------------

def export(client, **params):
    query = {"payer_id": "1", "period": "month", "start": "2026-11-15"} | params
    return client.get("/billing/export.csv", query_string=query)


def rows_of(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def billing_data(app, cm_id, member_id):
    """Two members of payer 1 in November: minutes by day and activity that round in each direction."""
    with app.app_context():
        db.session.add(PayerBilling(payer_id=1, minutes_per_unit=15, rounding="nearest", rate_cents=2050))
        cm = db.session.get(User, cm_id)
        odd = make_member("=HYPERLINK(\"x\")", "O'Hara, \"Jr\"\nII", assignee=cm, status="enrolled",
                          medicaid_id="ZZ999999", received_on=date(2026, 10, 2))
        db.session.commit()
        odd_id = odd.id
    contact(app, member_id, cm_id, datetime(2026, 11, 3, 18), 10)      # same day, same activity: 10 + 12 = 22 -> 1
    contact(app, member_id, cm_id, datetime(2026, 11, 3, 19), 12)
    contact(app, member_id, cm_id, datetime(2026, 11, 3, 20), 8, "tenancy")   # 8 -> 1
    contact(app, member_id, cm_id, datetime(2026, 11, 5, 18), 23)      # 23 -> 2
    contact(app, member_id, cm_id, datetime(2026, 12, 5, 18), 60)      # next month: not in the export
    contact(app, odd_id, cm_id, datetime(2026, 11, 10, 18), 7)         # 7 -> 0 units, still listed
    return odd_id


def test_the_billing_export_counts_units_and_amounts_per_member_activity_and_day(app, client, auth, cm, member_id):
    billing_data(app, cm.id, member_id)
    auth.logout()
    auth.login("finance")
    response = export(client)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = rows_of(response)
    assert rows[0][:8] == ["Kind", "Medicaid ID", "Member", "Referral or authorization ID", "Day",
                           "Activity or service", "Minutes", "Units"]
    body = [(r[1], r[3], r[4], r[5], r[6], r[7], r[10]) for r in rows[1:]]
    assert body == [
        ("AB123456", "REF-77", "2026-11-03", "Outreach and engagement", "22", "1", "20.50"),
        ("AB123456", "REF-77", "2026-11-03", "Tenancy support", "8", "1", "20.50"),
        ("AB123456", "REF-77", "2026-11-05", "Outreach and engagement", "23", "2", "41.00"),
        ("ZZ999999", "", "2026-11-10", "Outreach and engagement", "7", "0", "0.00"),
    ]
    assert rows[4][2] == "'=HYPERLINK(\"x\") O'Hara, \"Jr\"\nII"       # defused, and the CSV still parses
    week = rows_of(export(client, period="week", start="2026-11-04"))
    assert [r[4] for r in week[1:]] == ["2026-11-03", "2026-11-03", "2026-11-05"]
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "billing"))
        assert event.action == "export" and event.changes["rows"] == [None, 4]


def test_an_authorization_number_is_preferred_over_the_referral_id(app, client, auth, cm, member_id):
    from cases_helpers import Desk  # noqa: F401  (the case step's factories are heavier than needed here)
    from hrsn.models import Case, FundingSource
    with app.app_context():
        source = db.session.scalar(db.select(FundingSource))
        case = Case(member_id=member_id, service_type_id=1, payer_id=1, funding_source_id=source.id,
                    opened_on=date(2026, 10, 5))
        db.session.add(case)
        db.session.flush()
        db.session.add(Authorization(case_id=case.id, member_id=member_id, funding_source_id=source.id,
                                     number="AUTH-9", start_on=date(2026, 10, 5), end_on=date(2027, 4, 5)))
        db.session.commit()
    contact(app, member_id, cm.id, datetime(2026, 11, 3, 18), 30)
    auth.logout()
    auth.login("coordinator")
    assert rows_of(export(client))[1][3] == "AUTH-9"


@pytest.mark.parametrize("params, message", [
    ({"payer_id": "999"}, "Choose a payer"), ({"period": "year"}, "week or a month"), ({"start": ""}, "a day in"),
    ({"start": "2026-13-45"}, "2026-03-31"),
])
def test_a_bad_export_request_says_what_is_wrong(client, auth, params, message):
    auth.login("finance")
    response = export(client, **params)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_case_managers_bill_only_their_own_time_and_only_when_the_setting_allows(app, client, auth, cm, member_id):
    billing_data(app, cm.id, member_id)
    with app.app_context():
        other = make_user("case_manager", email="other@test.local").id
    contact(app, member_id, other, datetime(2026, 11, 3, 18), 30)
    assert export(client).status_code == 403
    assert client.get("/billing").status_code == 403
    with app.app_context():
        settings.put("case_managers_bill", "on")
        db.session.commit()
    rows = rows_of(export(client))
    assert [(r[4], r[6]) for r in rows[1:3]] == [("2026-11-03", "22"), ("2026-11-03", "8")]   # the other's 30 left out


def test_the_export_adds_accepted_direct_service_payments(app, client, auth, cm, member_id):
    from hrsn.models import Case, FundingSource, Payment, ThirdParty
    with app.app_context():
        source = db.session.scalar(db.select(FundingSource))
        case = Case(member_id=member_id, service_type_id=1, payer_id=1, funding_source_id=source.id,
                    opened_on=date(2026, 10, 5))
        payee = ThirdParty(kind="landlord", name="Pat")
        db.session.add_all([case, payee])
        db.session.flush()
        for cents, accepted, status in ((115000, date(2026, 11, 20), "accepted"), (5000, date(2026, 10, 20), "accepted"),
                                        (7000, None, "invoiced"), (9000, date(2026, 11, 21), "reimbursed")):
            db.session.add(Payment(case_id=case.id, member_id=member_id, payee_id=payee.id, amount_cents=cents,
                                   funding_source_id=source.id, requested_on=date(2026, 10, 10), status=status,
                                   accepted_on=accepted, invoice_number=f"INV-{cents}"))
        db.session.commit()
    auth.logout()
    auth.login("finance")
    rows = [r for r in rows_of(export(client)) if r[0] == "direct_service"]
    assert [(r[4], r[10], r[11]) for r in rows] == [("2026-11-20", "1150.00", "INV-115000"),
                                                    ("2026-11-21", "90.00", "INV-9000")]


def test_only_an_admin_sets_a_payers_billing_units(app, client, auth):
    auth.login("coordinator")
    assert client.get("/admin/billing/1").status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.post("/admin/billing/1", data={"minutes_per_unit": "0", "rounding": "up", "rate": "10"}).status_code == 422
    assert client.post("/admin/billing/1", data={"minutes_per_unit": "30", "rounding": "up", "rate": "12.50"}).status_code == 302
    with app.app_context():
        rule = db.session.scalar(db.select(PayerBilling))
        assert (rule.minutes_per_unit, rule.rounding, rule.rate_cents) == (30, "up", 1250)
    assert client.post("/admin/billing/1", data={"minutes_per_unit": "20", "rounding": "up", "rate": "1",
                                                 "version": "0"}).status_code == 409
