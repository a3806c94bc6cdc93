"""Every page a coordinator and a case manager reach is well-formed for assistive technology: ids unique on the
page, htmx attributes written data-hx-*, every label and ARIA reference pointing at an element that exists,
every form control named, and <html lang> following the language."""
import re
from html.parser import HTMLParser

import pytest

from hrsn.extensions import db
from hrsn.models import Member, Screening
from hrsn.seed import run

PASSWORD = "demo pass phrase"
LINK = re.compile(r'href="(/[^"#?]*)"')
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageCheck(HTMLParser):
    """Collects what the checks need from one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.duplicates, self.problems = set(), set(), []
        self.references, self.lang = [], None
        self.stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            (self.duplicates if attrs["id"] in self.ids else self.ids).add(attrs["id"])
        for name in attrs:
            if name.startswith("hx-"):
                self.problems.append(f"<{tag} {name}>: write data-{name}")
        for name in ("for", "aria-describedby", "aria-labelledby", "aria-controls", "form"):
            if attrs.get(name) and not (name == "form" and tag == "form"):
                self.references.extend((tag, name, ref) for ref in attrs[name].split())
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit", "button"):
            if not (attrs.get("id") or attrs.get("aria-label") or attrs.get("aria-labelledby") or
                    any(t == "label" for t in self.stack)):
                self.problems.append(f"<{tag} name={attrs.get('name')}> has no label")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def verdict(self) -> list[str]:
        found = list(self.problems) + [f"duplicate id {i}" for i in sorted(self.duplicates)]
        found += [f"<{tag} {name}={ref}> points at nothing" for tag, name, ref in self.references if ref not in self.ids]
        return found


def check(html: str, locale: str) -> list[str]:
    parser = PageCheck()
    parser.feed(html)
    problems = parser.verdict()
    if parser.lang != locale:
        problems.append(f"<html lang={parser.lang}> in a {locale} page")
    return problems


@pytest.fixture
def seeded(app):
    with app.app_context():
        run(members=20, password=PASSWORD, rng_seed=5)
        member = db.session.scalar(db.select(Member).where(Member.assignee_id.is_not(None)).order_by(Member.id))
        screening = db.session.scalar(db.select(Screening).order_by(Screening.id))
        return member.id, screening


@pytest.mark.parametrize("email,locale", [("coordinator@demo.local", "en"), ("casemanager1@demo.local", "es"),
                                          ("coordinator@demo.local", "es"), ("admin@demo.local", "en")])
def test_every_page_reached_is_well_formed(app, client, seeded, email, locale):
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    client.post("/language", data={"lang": locale})
    member_id, _screening = seeded
    queue, seen, shapes, failures = ["/", "/members/", "/referrals/", "/referrals/assign", "/admin/",
                                     f"/members/{member_id}/contact", f"/members/{member_id}/documents"], set(), set(), {}
    while queue and len(seen) < 250:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url)
        if url in seen or shape in shapes or url.startswith(("/static", "/vendor")) or url.endswith((".pdf", ".csv")) \
                or "/files/" in url:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        shapes.add(shape)
        page = response.get_data(as_text=True)
        if problems := check(page, locale):
            failures[url] = problems
        queue.extend(link for link in LINK.findall(page) if link not in seen)
    assert len(shapes) > 15
    assert not failures, failures
