"""What browser tests do on every screen: sign in as a person would, and wait for htmx to settle."""
from playwright.sync_api import expect

from conftest import PASSWORD


def settled(page):
    """htmx wires new content a moment after swapping it in (like a person, wait before using it)."""
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)


def sign_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
