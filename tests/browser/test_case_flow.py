"""A case from the service request to the reimbursement, through the screens, one role at a time: the case manager
opens the case, records the request and the payer's authorization, and requests the check; finance records the
check, the invoice, its acceptance and the reimbursement from the payment queue."""
from playwright.sync_api import expect

from cases_helpers import month_start, ready_member
from conftest import make_user, org_today
from hrsn.extensions import db
from screens import settled, sign_in


def test_case_manager_then_finance_take_a_rent_case_to_reimbursed(live_server, page):
    today, start, end = org_today(), month_start(0), month_start(6).toordinal() - 1
    with live_server.app.app_context():
        maria = make_user("case_manager", email="maria@example.org", name="Maria Lopez")
        make_user("finance", email="frank@example.org", name="Frank Finance")
        member_id = ready_member(assignee=maria)["member"]
        db.session.remove()
    last_day = start.fromordinal(end)

    sign_in(page, live_server.url, "maria@example.org")
    page.goto(f"{live_server.url}/members/{member_id}/case")
    expect(page.get_by_text("No case yet.")).to_be_visible()
    page.get_by_role("link", name="Open a case").click()
    page.get_by_label("Service").select_option(label="Rent assistance")
    page.get_by_label("Funding source for its payments").select_option(label="HRSN")
    page.get_by_label("Rent or bill per month").fill("1,150.00")
    page.get_by_label("Program rules explained to the member on").fill(today.isoformat())
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_text("Case opened.")).to_be_visible()
    page.evaluate("window.sameDocument = true")          # gone if the page reloads

    requests = page.locator("#case-requests")
    requests.get_by_label("Sent to the payer on").fill(today.isoformat())
    requests.get_by_role("button", name="Record the request").click()
    expect(requests.get_by_text("Submitted, waiting for the payer", exact=True)).to_be_visible()
    settled(page)
    requests.get_by_label("Authorization number").fill("AUTH-77")
    requests.get_by_label("Amount authorized").fill("6,900.00")
    requests.get_by_label("How many (months, hours or sessions)").fill("6")
    requests.get_by_label("From", exact=True).fill(start.isoformat())
    requests.get_by_label("To", exact=True).fill(last_day.isoformat())
    requests.get_by_role("button", name="Save the answer").click()
    expect(requests.get_by_text("The authorization is recorded.")).to_be_visible()
    glance = page.locator("#case-glance")
    expect(glance.get_by_role("row", name="Authorization AUTH-77")).to_contain_text("$6,900.00")
    settled(page)

    check = page.locator("#payment-request")
    check.get_by_label("Pay to").select_option(label="Pat O'Hara (Oak Street Apartments) · Landlord")
    check.get_by_label("Month it pays").fill(start.strftime("%Y-%m"))
    check.get_by_role("button", name="Request the check").click()
    expect(check.get_by_text("Check request for $1,150.00 recorded.")).to_be_visible()
    payment = page.locator(".payment", has_text="Oak Street Apartments")
    expect(payment).to_contain_text("Check requested")
    expect(payment).to_contain_text("AUTH-77")            # the running authorization was offered first
    expect(glance.get_by_role("row", name="Authorization AUTH-77")).to_contain_text("$5,750.00")
    assert page.evaluate("window.sameDocument") is True
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server.url, "frank@example.org")
    page.get_by_role("link", name="Payments").click()
    row = page.get_by_role("row", name="Rosa Núñez")
    expect(row).to_contain_text("$1,150.00")
    row.get_by_label("Check or transfer number").fill("1042")
    row.get_by_role("button", name="Record the check").click()
    expect(row).to_contain_text("Recorded: Paid.")
    expect(row).to_contain_text("Check 1042")
    settled(page)
    row.get_by_label("Invoice number").fill("INV-501")
    row.get_by_role("button", name="Record the invoice").click()
    expect(row).to_contain_text("Invoice INV-501")
    settled(page)
    row.get_by_role("button", name="Invoice accepted").click()
    expect(row).to_contain_text("Recorded: Invoice accepted.")
    settled(page)
    expect(row.get_by_label("Amount reimbursed")).to_have_value("1,150.00")
    row.get_by_role("button", name="Record the reimbursement").click()
    expect(row).to_contain_text("Recorded: Reimbursed.")

    row.get_by_role("link", name="Rosa Núñez").click()
    expect(page.locator(".payment", has_text="Oak Street Apartments")).to_contain_text("Reimbursed")
    auth_row = page.locator("#case-glance").get_by_role("row", name="Authorization AUTH-77")
    expect(auth_row).to_contain_text("$1,150.00")
    expect(auth_row).to_contain_text("$5,750.00")
    expect(auth_row).to_contain_text("5 months")
    expect(page.get_by_text("Case notes")).to_have_count(0)
