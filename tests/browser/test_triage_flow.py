"""Triage through the screens, the parts the intake walk does not cover: the coordinator's batch assignment of the
week's referrals, the queue filtered by assignee, a decline with its reason, and the referral page in Spanish."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from conftest import PASSWORD, make_member, make_user, org_today
from hrsn.extensions import db


def settled(page):
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)


def test_batch_assignment_decline_and_spanish_referral_page(live_server, page):
    today = org_today()
    with live_server.app.app_context():
        make_user("coordinator", email="carmen@example.org", name="Carmen Ruiz", languages="en,es")
        make_user("case_manager", email="maria@example.org", name="Maria Lopez", languages="en,es")
        make_member("Rosa", "Núñez", received_on=today - timedelta(days=2), notice_date=today + timedelta(days=5))
        make_member("Mary", "Smith", received_on=today - timedelta(days=1), preferred_language="en")
        make_member("Old", "Referral", received_on=today - timedelta(days=40))
        db.session.remove()

    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("carmen@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    # The week's unassigned referrals, most urgent first; last month's waits behind the "show all" switch.
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Assign referrals").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Rosa Núñez")
    expect(rows.first).to_contain_text("Urgent")
    staff = page.locator("table.staff")
    expect(staff.locator("tr", has_text="Maria Lopez")).to_contain_text("English, Spanish")

    page.get_by_role("button", name="Assign the ticked referrals").click()
    expect(page.get_by_text("Tick at least one referral to assign.")).to_be_visible()
    page.get_by_label("Rosa Núñez").check()
    page.get_by_label("Mary Smith").check()
    page.get_by_label("Assign to").select_option(label="Maria Lopez")
    page.get_by_role("button", name="Assign the ticked referrals").click()
    expect(page.get_by_text("Assigned 2 referrals to Maria Lopez.")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("No unassigned referrals.")
    expect(staff.locator("tr", has_text="Maria Lopez")).to_contain_text("2")
    page.get_by_role("link", name="Show every unassigned referral").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Old Referral")

    # The queue, filtered by assignee with htmx, shows the two just assigned.
    page.get_by_role("link", name="Referrals").click()
    queue = page.locator("#queue")
    page.get_by_label("Assigned to").select_option(label="Maria Lopez")
    expect(queue.locator("tbody tr")).to_have_count(2)
    expect(queue.get_by_role("button", name=re.compile(r"^New"))).to_contain_text("2")

    # Declining needs a reason; the history keeps the move and who made it.
    queue.get_by_role("link", name="Mary Smith").click()
    triage = page.locator("#triage")
    triage.get_by_label("Decline").check()
    triage.get_by_role("button", name="Save decision").click()
    expect(triage.get_by_text("Say why, in a few words.", exact=True)).to_be_visible()
    settled(page)
    triage.get_by_label("Reason").fill("Already housed through the county program")
    triage.get_by_role("button", name="Save decision").click()
    expect(triage.get_by_text("Decision saved: Decline.")).to_be_visible()
    history = triage.locator("ol.history li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Carmen Ruiz")
    expect(history.first).to_contain_text("New, not triaged → Declined")
    expect(page.locator(".member-header")).to_contain_text("Declined")

    # The same page in Spanish.
    settled(page)
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name="Clasificación")).to_be_visible()
    expect(page.get_by_role("heading", name="Decisiones")).to_be_visible()
    expect(page.locator("#triage").get_by_label("Aceptar")).to_be_visible()
    expect(page.get_by_role("button", name="Guardar decisión")).to_be_visible()
    expect(page.get_by_role("link", name="Volver a las colas")).to_be_visible()
