"""A case manager searches the directory as she types, opens an organization, flags it as outdated without a
page reload, puts two services on a resource list and downloads it in Spanish."""
import io

from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import PASSWORD, make_user
from hrsn.extensions import db
from test_directory import make_service


def settled(page):
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)


def test_search_flag_and_print_a_resource_list(live_server, page):
    with live_server.app.app_context():
        make_user("case_manager", email="maria@example.org", name="Maria Lopez", languages="en,es")
        make_service("Lane County Food Bank", "Weekly food boxes", ("food",), ("en", "es"),
                     application_process="Walk in on Mondays")
        make_service("Legal Aid of Oregon", "Eviction defense", ("legal", "housing"), ("en",))
        make_service("Clínica Núñez", "Atención primaria", ("physical_health",), ("es",))
        db.session.remove()

    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("maria@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Directory").click()
    page.evaluate("window.sameDocument = true")
    results = page.locator("#directory-results")
    expect(results).to_contain_text("3 services found")

    # As she types, the results narrow; nothing typed goes into the address bar.
    page.get_by_label("Search by name or what it offers").press_sequentially("evic", delay=40)
    expect(results).to_contain_text("1 service found")
    expect(results).to_contain_text("Eviction defense")
    assert "evic" not in page.url
    page.get_by_label("Search by name or what it offers").fill("")
    page.get_by_label("Language spoken").select_option(label="Spanish")
    expect(results).to_contain_text("2 services found")
    settled(page)

    # Two services on the resource list, without leaving the page.
    results.locator(".result", has_text="Weekly food boxes").get_by_role("button", name="Add to the resource list").click()
    expect(page.locator("#resource-list")).to_contain_text("Weekly food boxes")
    settled(page)
    results.locator(".result", has_text="Atención primaria").get_by_role("button", name="Add to the resource list").click()
    expect(page.locator("#resource-list")).to_contain_text("Atención primaria")
    expect(page.locator("#status-region")).to_have_text("Added to the resource list.")
    assert page.evaluate("window.sameDocument") is True

    page.get_by_label("In the member's language").select_option(label="Spanish")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the resource list (PDF)").click()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(open(info.value.path(), "rb").read())).pages)
    assert "Recursos para usted" in text and "Clínica Núñez" in text and "Walk in on Mondays" in text

    # The organization's page; flagging it keeps her on the page and says where it went.
    results.get_by_role("link", name="Atención primaria").click()
    expect(page.get_by_role("heading", name="Clínica Núñez")).to_be_visible()
    page.evaluate("window.sameDocument = true")
    page.get_by_text("Flag as outdated").click()
    page.get_by_role("button", name="Send to the review list").click()
    expect(page.locator("#directory-flags")).to_contain_text("Say what looks out of date.")
    page.get_by_label("What is out of date?").fill("The clinic moved to 5th Street.")
    page.get_by_role("button", name="Send to the review list").click()
    expect(page.locator("#directory-flags")).to_contain_text("The clinic moved to 5th Street.")
    expect(page.locator("#status-region")).to_have_text("Thank you. The entry is on the review list.")
    assert page.evaluate("window.sameDocument") is True

    page.get_by_role("link", name="Service directory").click()
    page.get_by_role("link", name="Review list").click()
    expect(page.locator("tr", has_text="Atención primaria")).to_contain_text("The clinic moved to 5th Street.")
