"""The Health Action Plan through the screens: a case manager adds a need and a goal in the member's words,
records a referral out (with the consent warning), moves it to delivered on its row, and downloads the member
copy in the member's language."""
import io

from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import make_member, make_user
from hrsn.extensions import db
from screens import settled, sign_in


def test_a_need_a_goal_and_a_referral_out_delivered_then_the_printed_plan(live_server, page):
    with live_server.app.app_context():
        maria = make_user("case_manager", email="maria@example.org", name="Maria Lopez")
        member_id = make_member("Rosa", "Núñez", assignee=maria, status="enrolled", preferred_language="es").id
        db.session.remove()

    sign_in(page, live_server.url, "maria@example.org")
    page.goto(f"{live_server.url}/members/{member_id}/plan")
    page.get_by_role("link", name="Add a need").click()
    page.get_by_label("Need", exact=True).select_option(label="Food")
    page.get_by_label("In a few words").fill("Runs out of food before the end of the month")
    page.get_by_role("button", name="Add the need").click()
    expect(page.get_by_text("Need added.")).to_be_visible()
    expect(page.locator("#plan-needs")).to_contain_text("Runs out of food")

    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("The goal, in the member's own words").fill("Tener comida para mis hijos todo el mes")
    page.get_by_label("Food · Runs out of food").check()
    page.get_by_role("button", name="Add the goal").click()
    expect(page.locator("#plan-goals")).to_contain_text("Tener comida para mis hijos todo el mes")

    page.get_by_role("link", name="Record a referral out").click()
    page.get_by_label("Organization", exact=True).fill("Marion Food Share")
    page.get_by_label("Need it addresses").select_option(index=1)
    page.get_by_label("What to bring").fill("Photo ID")
    page.get_by_role("button", name="Record the referral").click()
    expect(page.locator("#err-consent_warned")).to_contain_text("no valid consent")   # refused until warned
    page.get_by_label("The consent does not cover it: I told the member, and the member chose to go ahead").check()
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_text("Referral out recorded.")).to_be_visible()
    page.evaluate("window.sameDocument = true")

    row = page.locator("tbody.referral-out", has_text="Marion Food Share")
    summary = page.locator("#plan-summary")
    expect(summary).to_contain_text("made 1 · delivered 0 · pending 1")
    row.get_by_text("Change the status").first.click()
    row.get_by_label("New status").select_option(label="Service started")
    row.get_by_role("button", name="Change the status").click()
    expect(row).to_contain_text("Referral now: Service started.")
    settled(page)
    row.get_by_text("Change the status").first.click()
    row.get_by_label("New status").select_option(label="Delivered")
    row.get_by_label("Food box or pantry visit").check()
    row.get_by_role("button", name="Change the status").click()
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "delivered")
    expect(summary).to_contain_text("made 1 · delivered 1 · pending 0")
    row.get_by_text("History").click()
    expect(row.locator("ol.history li")).to_have_count(3)
    assert page.evaluate("window.sameDocument") is True

    with page.expect_download() as download:
        page.get_by_role("link", name="Member copy (PDF)").click()
    body = open(download.value.path(), "rb").read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Mi Plan de Acción de Salud" in text and "Tener comida para mis hijos" in text and "Entregado" in text
    header = page.locator("#plan-header")
    header.get_by_role("button", name="Given in person").click()         # offered once the copy was printed
    expect(page.locator("#plan-header")).to_contain_text("logged as a contact")
