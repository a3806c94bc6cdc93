"""The case step's arithmetic: the 6-month limit counted over every episode within its look-back window, an
administrator's override with its written reason, a month split between two funding sources, and an
authorization in hours that contacts count against."""
from datetime import datetime

import pytest

from cases_helpers import HX, Desk, month_start, ready_member
from conftest import events, org_today
from hrsn.extensions import db
from hrsn.models import (AuditEvent, Case, ContactAttempt, LimitOverride, PartyContact, Payment, ServiceType,
                         utcnow)


@pytest.fixture
def desk(app, client, auth):
    user = auth.login("admin", email="alex@test.local", name="Alex Admin")
    with app.app_context():
        ids = ready_member(assignee=user, services=("rent", "tenancy"))
    return Desk(app, client, ids)


def earlier_episode(desk, months_ago):
    """A closed case from an earlier episode with HRSN rent paid for each of those months."""
    def make():
        rent = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "rent"))
        case = Case(member_id=desk.member, service_type_id=rent.id, payer_id=desk.ids["payer"], status="closed",
                    funding_source_id=desk.ids["sources"]["HRSN"], opened_on=month_start(-max(months_ago) - 1))
        db.session.add(case)
        db.session.flush()
        for months in months_ago:
            period = month_start(-months)
            db.session.add(Payment(case_id=case.id, member_id=desk.member, payee_id=desk.ids["landlord"],
                                   amount_cents=90000, period=period, funding_source_id=desk.ids["sources"]["HRSN"],
                                   status="reimbursed", requested_on=period, paid_on=period,
                                   status_at=datetime.combine(period, datetime.min.time())))
        db.session.commit()
    desk.read(make)


def test_the_limit_counts_earlier_episodes_within_its_window_and_an_override_keeps_its_reason(app, client, desk):
    earlier_episode(desk, [20, 22, 40])           # two months inside the 36-month window, one outside
    case_id = desk.authorized()
    for month in range(4):
        desk.check(case_id, month=month)
    glance = client.get(f"/members/{desk.member}/case/{case_id}/glance", headers=HX).get_data(as_text=True)
    assert "Limit reached: HRSN, Rent assistance: at most 6 months in any 36 months" in glance
    refused = desk.check(case_id, month=4, expect=422).get_data(as_text=True)
    assert ("This payment would go past a limit (HRSN, Rent assistance: at most 6 months in any 36 months): "
            "6 months used so far, 7 months with this payment.") in refused
    assert "Allow it past the limit because" in refused                       # offered to an administrator
    assert "Write why this payment may go past the limit." in refused
    allowed = desk.check(case_id, month=4, override_reason="Eviction hearing on the 12th; board approved.")
    assert events(allowed) == {"paymentRequested", "paymentRecorded"}

    def kept():
        override = db.session.scalar(db.select(LimitOverride))
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "LimitOverride"))
        return override.extra, override.reason, override.granted_by.name, event.changes["reason"][1]
    assert desk.read(kept) == (1, "Eviction hearing on the 12th; board approved.", "Alex Admin",
                               "Eviction hearing on the 12th; board approved.")
    glance = client.get(f"/members/{desk.member}/case/{case_id}/glance", headers=HX).get_data(as_text=True)
    assert "7 months used, 0 months left" in glance and "an administrator allowed 1 month more" in glance


def test_a_case_manager_cannot_override_a_limit(app, client, desk, auth):
    earlier_episode(desk, [1, 2, 3, 4, 5, 6])
    case_id = desk.authorized()
    auth.logout()
    auth.login("coordinator", email="carmen@test.local")
    refused = desk.check(case_id, override_reason="Please", expect=422).get_data(as_text=True)
    assert "6 months used so far" in refused and "Allow it past the limit because" not in refused
    assert desk.read(lambda: db.session.scalar(db.select(db.func.count(LimitOverride.id)))) == 0


def test_an_old_episode_outside_the_window_does_not_count(app, client, desk):
    earlier_episode(desk, [37, 38, 39, 40, 41, 42])
    case_id = desk.authorized()
    for month in range(6):
        desk.check(case_id, month=month)
    assert desk.read(lambda: db.session.scalar(db.select(db.func.count(Payment.id)).where(Payment.case_id == case_id))) == 6


def test_a_month_split_between_two_funding_sources(app, client, desk):
    case_id = desk.authorized()
    desk.check(case_id, amount="600.00")
    glance = client.get(f"/members/{desk.member}/case/{case_id}/glance", headers=HX).get_data(as_text=True)
    assert "$550.00 still to cover" in glance
    desk.check(case_id, amount="550,00", source="County emergency rental assistance", auth=False)
    glance = client.get(f"/members/{desk.member}/case/{case_id}/glance", headers=HX).get_data(as_text=True)
    assert "HRSN $600.00 + County emergency rental assistance $550.00" in glance
    assert "Fully covered" in glance and "$1,150.00" in glance
    auth_row = glance[glance.index('id="auth-'):glance.index("</tr>", glance.index('id="auth-'))]
    assert "$6,900.00" in auth_row and "$600.00" in auth_row and "$6,300.00" in auth_row and "5 months" in auth_row
    assert "All funding sources" in glance
    # The HRSN share counts one month against the authorization and the limit; the county's share counts neither.
    for month in range(1, 6):
        desk.check(case_id, month=month, amount="100.00")
    glance = client.get(f"/members/{desk.member}/case/{case_id}/glance", headers=HX).get_data(as_text=True)
    assert "6 months used, 0 months left" in glance
    auth_row = glance[glance.index('id="auth-'):glance.index("</tr>", glance.index('id="auth-'))]
    assert "$1,100.00" in auth_row and "$5,800.00" in auth_row and "0 months" in auth_row


def test_an_authorization_in_hours_counts_contacts_against_it(app, client, desk):
    case_id = desk.open_case(service="tenancy", monthly="")
    desk.submit(case_id)
    desk.decide(case_id, amount="", unit="hours", quantity="20", number="TS-9")

    def log():
        user = db.session.scalar(db.select(Case)).opened_by
        db.session.add(ContactAttempt(member_id=desk.member, at=utcnow(), method="phone", outcome="reached",
                                      minutes=90, activity="tenancy", author_id=user.id))
        db.session.add(ContactAttempt(member_id=desk.member, at=utcnow(), method="phone", outcome="reached",
                                      minutes=45, activity="admin", author_id=user.id))      # not tenancy support
        db.session.commit()
    desk.read(log)
    response = client.post(f"/members/{desk.member}/case/{case_id}/contacts", headers=HX, data={
        "party-third_party_id": desk.ids["landlord"], "party-contact_on": org_today().isoformat(),
        "party-method": "phone", "party-minutes": "30", "party-activity": "tenancy", "party-outcome": "agreed"})
    assert response.status_code == 200 and events(response) == {"partyContactLogged"}
    glance = client.get(f"/members/{desk.member}/case/{case_id}/glance", headers=HX).get_data(as_text=True)
    row = glance[glance.index('id="auth-'):glance.index("</tr>", glance.index('id="auth-'))]
    assert "20 hours" in row and "used: 2 hours" in row and "18 hours" in row
    assert desk.read(lambda: db.session.scalar(db.select(PartyContact.minutes))) == 30
