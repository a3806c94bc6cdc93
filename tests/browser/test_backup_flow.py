"""An administrator sets the backup passphrase, backs up with one click, sees the archive listed and the
verification's result, and sees the last backup's age on Today."""
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from hrsn.extensions import db
from test_accessibility import violations


def test_set_passphrase_back_up_and_verify(live_server, page):
    with live_server.app.app_context():
        make_user("admin", email="dana@example.org", name="Dana Admin")
        db.session.remove()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#today-backup")).to_contain_text("No backup has been made yet.")
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Backups and verification").click()
    expect(page.get_by_text("Set a backup passphrase first.")).to_be_visible()

    page.get_by_label("New backup passphrase").fill("river stone lantern")
    page.get_by_label("The new passphrase again").fill("river stone lantern")
    page.get_by_role("button", name="Save the passphrase").click()
    expect(page.get_by_text("Backup passphrase saved.")).to_be_visible()

    page.get_by_role("button", name="Back up now").click()
    expect(page.get_by_text("Backup written:")).to_be_visible()
    expect(page.locator("table")).to_contain_text(".hrsnbak")

    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verify-result")).to_contain_text("everything checks")

    assert violations(page) == []
    page.get_by_role("link", name="Restore an archive").click()
    expect(page.locator("#replace-what")).to_contain_text("staff accounts: 1, members: 0")
    assert violations(page) == []
    page.goto(live_server.url + "/")
    expect(page.locator("#today-backup")).to_contain_text("Last backup less than a day ago.")
