"""Without a mouse: an intake and a logged contact with the keyboard alone, checking where focus is after each
htmx swap (the next step, never the top of the page)."""
from datetime import timedelta

from playwright.sync_api import expect

from conftest import PASSWORD, make_user, org_today
from hrsn.extensions import db
from hrsn.models import ContactAttempt, Member


def focused(page) -> str:
    """What has focus, as a person would name it: its label, or its text."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        if (!e || e === document.body) return "";
        const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
        return (label || e.getAttribute("aria-label") || e.innerText || e.value || "").trim();
    }""")


def tab_to(page, name: str, limit: int = 120, backwards=False) -> None:
    """Press Tab until the control named `name` has focus."""
    for _ in range(limit):
        if focused(page).startswith(name):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {name!r}; focus is on {focused(page)!r}")


def type_into(page, name: str, text: str) -> None:
    tab_to(page, name)
    page.keyboard.type(text)


def test_intake_and_a_contact_by_keyboard(live_server, page):
    with live_server.app.app_context():
        make_user("case_manager", email="cm@test.local", name="Maria Lopez")
    page.goto(live_server.url + "/login")
    type_into(page, "Email", "cm@test.local")
    type_into(page, "Password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.goto(live_server.url + "/intake/new")
    type_into(page, "First name", "Rosa")
    type_into(page, "Last name", "Núñez")
    type_into(page, "Date of birth", "03091984")              # the date field takes the digits in order
    tab_to(page, "Rent assistance")
    page.keyboard.press("Space")                             # the rent fields appear without a reload
    expect(page.get_by_label("Months of rent owed")).to_be_visible()
    assert focused(page).startswith("Rent assistance")       # the swap next to it did not take focus away
    type_into(page, "Months of rent owed", "2")
    type_into(page, "Rent per month ($)", "1,200")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Rosa Núñez")).to_be_visible()
    with live_server.app.app_context():
        member = db.session.scalar(db.select(Member))
        member_id = member.id
        assert member.latest_referral.rent_per_month_cents == 120000

    page.goto(f"{live_server.url}/members/{member_id}/contact")
    tab_to(page, "Outcome")
    page.keyboard.press("ArrowDown")                          # the first outcome after "Choose…"
    type_into(page, "Minutes spent", "900")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()   # refused: focus on what is wrong
    page.keyboard.press("Tab")
    assert focused(page).startswith("Minutes spent")          # the summary's link leads to the field
    page.keyboard.press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    expect(page.locator("#contact-form h2")).to_be_focused()  # saved: the form is ready for the next contact
    page.keyboard.press("Tab")
    assert focused(page).startswith("When")                   # and Tab goes on into it, in order
    expect(page.locator("#contact-log tbody tr")).to_have_count(1)

    tab_to(page, "Correct")
    page.keyboard.press("Enter")                              # the correction form opens in place of the row
    expect(page.get_by_role("heading", name="Correct this contact")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page).startswith("When")
    with live_server.app.app_context():
        contact = db.session.scalar(db.select(ContactAttempt))
        assert contact.minutes == 12 and contact.at.date() >= org_today() - timedelta(days=1)
