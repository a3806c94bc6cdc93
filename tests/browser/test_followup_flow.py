"""A case manager completes a check-in due today from Today: the contact form opens in the line, and once saved
the check-in leaves Today's list without the page reloading."""
from datetime import timedelta

from playwright.sync_api import expect

from cases_helpers import ready_member
from conftest import make_user, org_today
from hrsn.extensions import db
from hrsn.models import Case, CheckIn, FundingSource, ServiceType, generate_schedule
from screens import settled, sign_in


def test_a_due_check_in_is_completed_from_today(live_server, page):
    app = live_server.app
    with app.test_request_context():
        maria = make_user("case_manager", email="maria@example.org", name="Maria Lopez")
        ids = ready_member(assignee=maria)
        tenancy = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "tenancy"))
        source = db.session.scalar(db.select(FundingSource).order_by(FundingSource.id))
        case = Case(member_id=ids["member"], service_type_id=tenancy.id, payer_id=ids["payer"],
                    funding_source_id=source.id, opened_on=org_today() - timedelta(days=31), status="open")
        db.session.add(case)
        db.session.flush()
        generate_schedule(case)
        first = db.session.scalar(db.select(CheckIn).where(CheckIn.case_id == case.id).order_by(CheckIn.due_on))
        first.due_on = org_today()
        db.session.commit()
        db.session.remove()

    sign_in(page, live_server.url, "maria@example.org")
    page.goto(f"{live_server.url}/")
    section = page.locator("#today-followup-check-ins")
    expect(section.get_by_role("heading")).to_contain_text("Check-ins due this week and overdue")
    expect(section.locator(".count")).to_have_text("1")
    page.evaluate("window.sameDocument = true")          # gone if the page reloads
    section.get_by_role("link", name="Log the check-in").click()
    form = section.locator(".complete-check-in")
    expect(form.get_by_label("Outcome")).to_have_value("reached")
    form.get_by_label("Minutes spent").fill("20")
    form.get_by_label("What was said").fill("Rent is paid, the landlord is satisfied.")
    form.get_by_role("button", name="Save the check-in").click()
    expect(page.locator("#status-region")).to_contain_text("The check-in is done")
    section = page.locator("#today-followup-check-ins")
    expect(section.locator(".count")).to_have_text("0")
    expect(section.get_by_text("Nothing here.")).to_be_visible()
    settled(page)
    assert page.evaluate("window.sameDocument") is True
