"""The referral evaluation as a case manager reads it: from the menu to the report, a new date range, the chart drawn
on the server, and the CSV downloaded."""
import csv
import io
from datetime import date

from playwright.sync_api import expect

from conftest import make_member, make_user
from hrsn.extensions import db
from hrsn.models import Organization, ReferralOut
from screens import sign_in


def test_a_case_manager_reads_the_referral_evaluation_and_downloads_it(live_server, page):
    with live_server.app.app_context():
        maria = make_user("case_manager", email="maria@example.org", name="Maria Lopez")
        member = make_member("Rosa", "Núñez", assignee=maria, status="enrolled", received_on=date(2026, 1, 5))
        org = Organization()
        org.set_name("Lane County Food Bank, \"East\"")
        db.session.add(org)
        db.session.flush()
        for made, status in ((date(2026, 2, 1), "delivered"), (date(2026, 3, 1), "not_appropriate"),
                             (date(2025, 6, 1), "sent")):
            db.session.add(ReferralOut(member_id=member.id, organization_id=org.id, organization_name=org.name,
                                       made_on=made, status=status))
        db.session.commit()
        db.session.remove()

    sign_in(page, live_server.url, "maria@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Referral evaluation").click()
    expect(page.get_by_role("heading", name="Referral evaluation")).to_be_visible()

    page.get_by_label("First day", exact=True).fill("2026-01-01")
    page.get_by_label("Last day", exact=True).fill("2026-12-31")
    page.get_by_role("button", name="Show the report").click()
    table = page.get_by_role("table").first
    row = table.get_by_role("row").filter(has_text="Lane County Food Bank")
    # two referrals made in 2026 (the 2025 one is outside the range), one person, delivered, one not appropriate
    expect(row).to_contain_text("2")
    expect(row.get_by_role("cell").last).to_have_text("50.0 %")
    chart = page.get_by_role("img", name="Chart of the table below: Referrals made, per organization")
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Referrals made, per organization” as CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text)))
    found = [r for r in rows if r[0].startswith("Lane County Food Bank")]
    assert found and found[0][:3] == ['Lane County Food Bank, "East"', "2", "1"]
    assert found[0][9] == "50.0"

    page.get_by_label("Last day", exact=True).fill("2025-12-31")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("alert")).to_contain_text("The end of the range is before its start.")
