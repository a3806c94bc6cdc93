"""Usable by keyboard, screen reader and phone: axe-core finds nothing at WCAG 2.1 AA on the pages a coordinator
and a case manager reach (English and Spanish, and after htmx changes), no page scrolls sideways at 320 px, and
focus lands where the next step is after every swap."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PASSWORD
from hrsn.extensions import db
from hrsn.models import Member, Referral
from hrsn.seed import run

AXE = Axe()
AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
LINK = re.compile(r'href="(/[^"#?]*)"')


@pytest.fixture
def demo(live_server):
    with live_server.app.app_context():
        run(members=14, password=PASSWORD, rng_seed=3)
        cm_member = db.session.scalar(db.select(Member).join(Member.assignee).where(Member.assignee_id.is_not(None))
                                      .order_by(Member.id))
        referral = db.session.scalar(db.select(Referral).where(Referral.status == "new").order_by(Referral.id))
        return {"member": cm_member.id, "referral": referral.id}


def sign_in(page, server, email, locale):
    page.goto(server.url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if locale == "es":
        page.get_by_role("button", name="Español").click()


def pages_of(server, email, member_id) -> list[str]:
    """One address of each page shape this person reaches by following links."""
    client = server.app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)" name="csrf_token"',
                      client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1) or token.group(2)})
    queue = ["/", "/members/", "/referrals/", "/referrals/assign", "/admin/", f"/members/{member_id}/contact",
             f"/members/{member_id}/documents", "/contact/unable-to-reach"]
    seen, shapes, found = set(), set(), []
    while queue and len(seen) < 150:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url)
        if url in seen or shape in shapes or url.startswith(("/static", "/vendor", "/logout")) or \
                url.endswith((".pdf", ".csv")) or "/files/" in url:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            shapes.add(shape)
            found.append(url)
            queue.extend(LINK.findall(response.get_data(as_text=True)))
    return found


def violations(page) -> list[str]:
    results = AXE.run(page, options=AA)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results.response["violations"]]


@pytest.mark.parametrize("email,locale", [("coordinator@demo.local", "en"), ("casemanager1@demo.local", "en"),
                                          ("coordinator@demo.local", "es"), ("casemanager1@demo.local", "es")])
def test_no_axe_violations_on_the_pages_each_role_reaches(live_server, demo, page, email, locale):
    urls = pages_of(live_server, email, demo["member"])
    assert len(urls) > 12
    sign_in(page, live_server, email, locale)
    found = {}
    for url in urls:
        page.goto(live_server.url + url)
        expect(page.locator("html")).to_have_attribute("lang", locale)
        if problems := violations(page):
            found[url] = problems
    assert not found, found


def test_no_axe_violations_after_htmx_changes(live_server, demo, page):
    sign_in(page, live_server, "coordinator@demo.local", "en")
    page.goto(f"{live_server.url}/members/{demo['member']}/contact")
    page.get_by_label("Minutes spent").fill("nine hundred")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".error-summary")).to_be_focused()          # refused: focus on what is wrong
    assert violations(page) == []
    page.get_by_label("Minutes spent").fill("9")
    page.get_by_label("Outcome").select_option(label="No answer")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#contact-form h2")).to_be_focused()        # saved: ready to log the next one
    expect(page.locator("#status-region")).to_have_text("Contact saved.")
    assert violations(page) == []
    page.goto(f"{live_server.url}/referrals/{demo['referral']}")
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator("#triage")).to_contain_text("Decision saved")
    assert violations(page) == []


@pytest.mark.parametrize("email", ["coordinator@demo.local", "casemanager1@demo.local"])
def test_nothing_scrolls_sideways_at_320_pixels(live_server, demo, page, email):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, email, "es")
    wide = {}
    for url in pages_of(live_server, email, demo["member"]):
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 321:
            wide[url] = width
    assert not wide, wide
