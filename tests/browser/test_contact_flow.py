"""A case manager logs three outreach attempts on the Contact tab and marks the member unable to reach."""
from datetime import timedelta

from playwright.sync_api import expect

from conftest import PASSWORD, make_member, make_user, org_today
from hrsn import settings
from hrsn.extensions import db


def settled(page):
    """htmx wires new content a moment after swapping it in (like a person, wait before using it)."""
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)


def test_three_attempts_then_unable_to_reach(live_server, page):
    with live_server.app.app_context():
        cm = make_user("case_manager", email="maria@example.org", name="Maria Lopez")
        member_id = make_member("Rosa", "Núñez", assignee=cm, status="new", preferred_language="es",
                                email="rosa@example.org", phone="(503) 555-0142",
                                received_on=org_today() - timedelta(days=10)).id
        settings.put("org_name", "Community Housing Services")
        settings.put("org_phone", "(503) 555-0100")
        settings.put("callback_hours", "weekdays 9 to 5")
        db.session.commit()
        db.session.remove()

    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("maria@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.goto(f"{live_server.url}/members/{member_id}/contact")
    progress = page.locator("#outreach-progress")
    expect(progress).to_contain_text("0 of 3 attempts · 0 of 2 methods")
    expect(page.get_by_role("button", name="Mark unable to reach")).to_have_count(0)
    page.evaluate("window.sameDocument = true")    # gone if the page reloads

    def log_attempt(method, outcome, minutes):
        page.get_by_label("Method").select_option(label=method)
        page.get_by_label("Outcome").select_option(label=outcome)
        page.get_by_label("Minutes spent").fill(minutes)
        page.get_by_role("button", name="Save contact").click()
        expect(page.locator("#contact-form").get_by_text("Contact saved.")).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="Contact saved.")).to_have_count(1)
        settled(page)

    log_attempt("Phone", "No answer", "4")
    expect(progress).to_contain_text("1 of 3 attempts · 1 of 2 methods")

    # A mistake is refused with a message and what was typed is kept.
    page.get_by_label("Method").select_option(label="Phone")
    page.get_by_label("Outcome").select_option(label="Left voicemail")
    page.get_by_label("Minutes spent").fill("900")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Enter the minutes spent, a whole number from 0 to 600.", exact=True)).to_be_visible()
    expect(page.get_by_label("Outcome")).to_have_value("voicemail")
    settled(page)

    # A text: the suggested message is in the member's language, Spanish.
    page.get_by_label("Method").select_option(label="Text message")
    expect(page.get_by_text("Suggested text message in Spanish, the member's language")).to_be_visible()
    expect(page.get_by_label("Message sent")).to_have_value(
        "Hola, Rosa. Soy Maria Lopez de Community Housing Services. Su plan de salud nos pidió ayudarle "
        "con su vivienda. Llámeme al (503) 555-0100 (weekdays 9 to 5).")
    expect(page.get_by_role("link", name="Open the suggested text in your phone's messages app")).to_be_visible()
    page.get_by_label("Outcome").select_option(label="No answer")
    page.get_by_label("Minutes spent").fill("2")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#contact-form").get_by_text("Contact saved.")).to_be_visible()
    expect(progress).to_contain_text("2 of 3 attempts · 2 of 2 methods")
    settled(page)

    log_attempt("Phone", "Left voicemail", "3")
    expect(progress).to_contain_text("3 of 3 attempts · 2 of 2 methods")
    rows = page.locator("#contact-rows tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Left voicemail")
    assert page.evaluate("window.sameDocument") is True   # no reload happened
    settled(page)

    # The author corrects a row in place; the others stay as they were.
    rows.first.get_by_role("link", name="Correct").click()
    page.get_by_label("Minutes spent").last.fill("6")
    page.get_by_role("button", name="Save the correction").click()
    expect(rows.first).to_contain_text("Corrected")
    expect(rows).to_have_count(3)
    settled(page)

    page.get_by_role("button", name="Mark unable to reach").click()
    expect(progress).to_contain_text("Marked unable to reach on")
    expect(progress).to_contain_text("after 3 attempts by 2 methods")
    page.get_by_role("link", name="On the list to report back to the payer.").click()
    expect(page.get_by_role("heading", name="Unable to reach: report back to the payer")).to_be_visible()
    expect(page.get_by_role("link", name="Rosa Núñez")).to_be_visible()
