"""Strange input never gives a 500, on SQLite and on PostgreSQL: every POST the app accepts, and every page with
query parameters, is sent values a form would never send (NUL and other control characters, digits Python reads
but we do not, huge and empty strings, lists where one value is expected, dates that do not exist)."""
import random
import re

import pytest

from conftest import PASSWORD, make_member, make_user
from hrsn.extensions import db
from hrsn.models import ChecklistItem, ContactAttempt, Referral, utcnow

ODD = ["\x00", "a\x00b", "\x1b[2J", "²", "٣", "-1", "0", "1e9", "9" * 40, "", " ", "<script>alert(1)</script>",
       "' OR 1=1 --", "%", "_", "../../etc/passwd", "2026-02-30", "9999-99-99", "ñ" * 5000, "\u202e\u200b", "null",
       "{" * 300, "1,2,3", "y", "on"]


def odd_form(rng, names) -> dict:
    return {name: rng.choice(ODD) if rng.random() < .8 else [rng.choice(ODD), rng.choice(ODD)] for name in names}


FIELDS = ["first_name", "last_name", "dob", "medicaid_id", "phone", "email", "received_on", "source", "payer_id",
          "services", "rent_months_owed", "rent_per_month", "utility_owed", "notice_date", "current_needs",
          "decision", "reason", "redirect_to", "assignee_id", "at", "method", "direction", "outcome", "minutes",
          "activity", "note", "message_text", "given_on", "form", "scope", "expires_on", "withdrawn_on", "to",
          "channel", "status", "q", "page", "version", "item_id", "third_party_id", "name", "kind", "amount",
          "queue", "to_queue", "language", "domains", "action", "title", "code", "name_en", "name_es"]


def ids_for(app) -> dict:
    with app.app_context():
        member = make_member("Ana", "García", status="enrolled", email="ana@example.org", phone="(503) 555-0100")
        cm = make_user("case_manager", email="fuzz-cm@test.local")
        db.session.add(ContactAttempt(member_id=member.id, at=utcnow(), method="phone", outcome="no_answer",
                                      author_id=cm.id))
        db.session.commit()
        return {"member_id": member.id, "referral_id": db.session.scalar(db.select(Referral.id)),
                "item_id": db.session.scalar(db.select(ChecklistItem.id)),
                "contact_id": db.session.scalar(db.select(ContactAttempt.id))}


def fuzz(app, rounds: int = 3):
    ids = ids_for(app)
    with app.app_context():
        make_user("admin", email="fuzz@test.local")
    client = app.test_client()
    assert client.post("/login", data={"email": "fuzz@test.local", "password": PASSWORD}).status_code == 302
    rng, failures = random.Random(11), {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout", "auth.htmx_js") or rule.endpoint.startswith("auth.setup"):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)
        for _ in range(rounds):
            if "POST" in rule.methods:
                response = client.post(url, data=odd_form(rng, FIELDS), headers={"HX-Request": "true"})
            else:
                query = "&".join(f"{name}={rng.choice(['%00', '%C2%B2', '-1', '9' * 30, 'x'])}"
                                 for name in ("page", "q", "member", "user", "start", "end", "lang", "queue", "all"))
                response = client.get(f"{url}?{query}")
            if response.status_code >= 500 and response.status_code != 507:
                failures[url] = response.status_code
    return failures


def test_strange_input_on_sqlite(app):
    assert fuzz(app) == {}


def test_strange_input_on_postgresql(pg_app):
    assert fuzz(pg_app, rounds=2) == {}
