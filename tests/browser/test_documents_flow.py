"""A case manager uploads a pay stub to the checklist, sees the item become received without a page reload,
and downloads it back byte for byte; a file posing as a PDF is refused on the spot."""
from datetime import timedelta

from playwright.sync_api import expect

from conftest import PASSWORD, make_member, make_user, org_today
from hrsn.extensions import db

PAYSTUB = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
           b"trailer<</Root 1 0 R>>\n%%EOF\n")


def settled(page):
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)


def test_upload_pay_stub_then_download_it(live_server, page, tmp_path):
    with live_server.app.app_context():
        cm = make_user("case_manager", email="maria@example.org", name="Maria Lopez")
        member_id = make_member("Rosa", "Núñez", assignee=cm, status="enrolled", services=["rent"],
                                received_on=org_today() - timedelta(days=5)).id
        db.session.remove()
    stub = tmp_path / "paystub.pdf"
    stub.write_bytes(PAYSTUB)
    fake = tmp_path / "paystub-2.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 500)

    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("maria@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/members/{member_id}/documents")
    page.evaluate("window.sameDocument = true")

    item = page.locator(".checklist-item", has_text="Proof of income")
    expect(item.locator(".badge")).to_have_text("Needed")
    item.get_by_label("Upload “Proof of income”").set_input_files(str(fake))
    item.get_by_role("button", name="Upload", exact=True).click()
    expect(item.get_by_text("Only PDF, JPEG, PNG and HEIC files are accepted")).to_be_visible()
    expect(item.locator(".badge")).to_have_text("Needed")
    settled(page)

    item.get_by_label("Upload “Proof of income”").set_input_files(str(stub))
    item.get_by_role("button", name="Upload", exact=True).click()
    expect(item.locator(".badge")).to_have_text("Received")
    expect(item.get_by_text("File uploaded.")).to_be_visible()
    expect(page.locator("#request-missing")).to_contain_text("4 documents are still missing")
    assert page.evaluate("window.sameDocument") is True

    with page.expect_download() as info:
        item.get_by_role("link", name="paystub.pdf").click()
    download = info.value
    assert download.suggested_filename == "paystub.pdf"
    assert open(download.path(), "rb").read() == PAYSTUB
