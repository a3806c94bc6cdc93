"""The idle sign-out warning appears before the end and 'Stay signed in' keeps the session."""
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from hrsn import settings
from hrsn.extensions import db


def test_idle_warning_and_stay_signed_in(live_server, page):
    with live_server.app.app_context():
        make_user("case_manager", email="cm@test.local")
        settings.put("idle_minutes", 2)   # the warning shows in the last two minutes
        db.session.commit()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("cm@test.local")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    banner = page.get_by_role("alertdialog")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("signed out soon")
    with page.expect_response(lambda r: r.url.endswith("/session/keepalive") and r.status == 204):
        page.get_by_role("button", name="Stay signed in").click()
    expect(banner).to_be_hidden()
