"""First run in a real browser: create the administrator, sign out and in, switch to Spanish."""
import re

from playwright.sync_api import expect


def test_first_run_sign_in_and_spanish(live_server, page):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    page.get_by_label("Organization name").fill("Casa Esperanza")
    page.get_by_label("Your name").fill("Rosa Díaz")
    page.get_by_label("Your email").fill("rosa@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create the organization and my administrator account").click()
    expect(page.get_by_text("Use at least 8 characters.", exact=True)).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Rosa Díaz")

    page.get_by_label("Password", exact=True).fill("three quiet rivers")
    page.get_by_label("Repeat the password").fill("three quiet rivers")
    page.get_by_role("button", name="Create the organization and my administrator account").click()
    expect(page.get_by_role("heading", name="Ready for the first referral")).to_be_visible()

    page.get_by_text("Rosa Díaz").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill("rosa@example.org")
    page.get_by_label("Password").fill("three quiet rivers")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.get_by_role("button", name="Español").click()
    nav = page.get_by_role("navigation", name="Principal")
    for label in ("Hoy", "Miembros", "Referidos", "Administración"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("link", name="Administración").click()
    expect(page.get_by_role("link", name="Cuentas del personal")).to_be_visible()
