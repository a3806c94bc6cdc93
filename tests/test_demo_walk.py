"""After seed-demo, every screen a role can reach opens with data, in both languages, without an error."""
import re

import pytest

from hrsn.extensions import db
from hrsn.models import Member, Screening
from hrsn.seed import run

PASSWORD = "demo pass phrase"
LINK = re.compile(r'href="(/[^"#?]*)"')


@pytest.fixture
def seeded(app):
    with app.app_context():
        run(members=24, password=PASSWORD, rng_seed=11)
        members = db.session.scalars(db.select(Member).order_by(Member.id)).all()
        screening = db.session.scalar(db.select(Screening).where(Screening.status == "complete"))
        return {"members": [m.id for m in members], "screening": (screening.member_id, screening.id)}


def walk(client, start: list[str], limit: int = 400) -> dict[str, int]:
    """Follow the links of each page (GET only, within the app), as a person clicking around would."""
    seen, queue = {}, list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(("/static", "/vendor", "/logout")) or url.endswith(".pdf") or "/files/" in url:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code == 200 and response.mimetype == "text/html":
            queue.extend(link for link in LINK.findall(response.get_data(as_text=True)) if link not in seen)
    return seen


@pytest.mark.parametrize("email,locale", [("coordinator@demo.local", "en"), ("casemanager1@demo.local", "es"),
                                          ("finance@demo.local", "en"), ("admin@demo.local", "es")])
def test_every_reachable_screen_opens(app, client, seeded, email, locale):
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    client.post("/language", data={"lang": locale})
    member_id, screening_id = seeded["screening"]
    start = ["/", "/members/", "/referrals/", "/referrals/assign", "/admin/",
             f"/members/{member_id}/documents", f"/members/{member_id}/screenings/{screening_id}"]
    seen = walk(client, start)
    errors = {url: code for url, code in seen.items() if code >= 500}
    assert not errors
    opened = [url for url, code in seen.items() if code == 200]
    if email.startswith(("coordinator", "casemanager")):
        for pattern in (r"^/members/\d+$", r"^/members/\d+/contact$", r"^/members/\d+/documents$",
                        r"^/referrals/\d+$", r"^/members/\d+/screenings/\d+$"):
            assert any(re.match(pattern, url) for url in opened), pattern
    if email.startswith("finance"):
        assert not any(re.match(r"^/members/\d+/(documents|contact)$", url) for url in opened)
