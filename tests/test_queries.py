"""Every list page, tab and fragment sends as many SQL statements with 200 rows as with 10, but for the COUNT of a
list that 10 rows do not fill (sent once per list at most), and a saved contact answers within 10: no query per
row, no fragment rebuilding its whole tab."""
import re
from datetime import timedelta


from cases_helpers import busy_case
from plan_helpers import busy_plan
from conftest import ON_POSTGRES, PASSWORD, QueryCounter, make_app, make_member, make_user, org_today
from hrsn.extensions import db
from hrsn.models import (AuditEvent, ChecklistItem, ContactAttempt, DirectoryFlag, Document, DocumentVersion,
                         Organization, Phone, Schedule, Service, ServiceArea, ServiceCategory, ServiceLanguage,
                         UnableToReach, utcnow)

HX = {"HX-Request": "true"}


def build(tmp_path, n: int):
    """An app whose case manager holds n members, one of whom has n contacts, n files and n audit events."""
    app = make_app(tmp_path / str(n))
    with app.app_context():
        cm = make_user("case_manager", email="cm@test.local")
        make_user("coordinator", email="co@test.local")
        make_user("admin", email="ad@test.local")
        make_user("finance", email="fi@test.local")
        members = [make_member(f"Ana{i}", "García", assignee=cm, status=("new", "enrolled", "waitlist")[i % 3],
                               received_on=org_today() - timedelta(days=30), medicaid_id=f"OR{i:08d}")
                   for i in range(n)]
        member = members[0]
        item = db.session.scalar(db.select(ChecklistItem).where(ChecklistItem.member_id == member.id))
        for i in range(n):
            db.session.add(ContactAttempt(member_id=member.id, at=utcnow() - timedelta(hours=i), method="phone",
                                          outcome="no_answer", author_id=cm.id))
            document = Document(member_id=member.id, item_id=item.id if i % 2 else None, title=f"file {i}")
            document.versions.append(DocumentVersion(number=1, stored_name=f"{i:032x}.pdf", original_name="a.pdf",
                                                     content_type="application/pdf", size=10, sha256="0" * 64,
                                                     uploaded_by_id=cm.id))
            db.session.add(document)
            db.session.add(AuditEvent(action="view", user_id=cm.id, member_id=member.id, record_type="contact"))
        for other in members[1:]:
            db.session.add(UnableToReach(member_id=other.id, referral_id=other.latest_referral.id,
                                         marked_on=org_today(), marked_by_id=cm.id, attempts=3, methods=2))
        org = directory_rows(n, cm)
        db.session.commit()
        ids = {"org": org.id, "member": member.id, "referral": member.latest_referral.id, "contact": member.id and db.session.scalar(
            db.select(ContactAttempt.id).where(ContactAttempt.member_id == member.id).limit(1)), "item": item.id}
        ids.update(busy_case(member.id, cm, n))
        followup_rows(n, ids["case"], member, members[1:], cm)
        ids["cm"] = cm.id
        ids.update(busy_plan(member.id, cm, n))
        from hrsn.models import TimeEntry
        db.session.add_all(TimeEntry(staff_id=cm.id, day=org_today(), minutes=5 + i % 3, activity="admin",
                                     member_id=member.id, payer_id=1, source="manual") for i in range(n))
        db.session.commit()
        engine = db.engine
    return app, engine, ids


def followup_rows(n: int, case_id: int, member, others, user):
    """n check-ins on the member's case at every status, and the other members closed, their outcome unreported."""
    from hrsn.models import CheckIn, Episode
    statuses = ("due", "rescheduled", "done", "skipped")
    for i in range(n):
        day = org_today() + timedelta(days=i % 9 - 4)
        db.session.add(CheckIn(case_id=case_id, member_id=member.id, month=i + 1, due_on=day, planned_on=day,
                               status=statuses[i % 4], reason="x" if i % 4 in (1, 3) else None, changed_by_id=user.id))
    db.session.add_all(Episode(member_id=other.id, number=1, opened_on=org_today() - timedelta(days=30),
                               closed_on=org_today(), close_reason="declined", summary="s", closed_by_id=user.id)
                       for other in others)
    db.session.commit()


def directory_rows(n: int, user):
    """One organization with n services (each with its needs, languages, areas, phone and hours), n flagged."""
    org = Organization(name="Food Bank", name_key="food bank")
    for i in range(n):
        service = Service(organization=org, name=f"Service {i}", assured_on=None if i % 2 else org_today())
        service.categories = [ServiceCategory(domain="food"), ServiceCategory(domain="housing")]
        service.languages = [ServiceLanguage(code="en"), ServiceLanguage(code="es")]
        service.areas = [ServiceArea(name="Lane County", kind="county", key="lane")]
        service.refresh_search(org)
        db.session.add(service)
        db.session.add(DirectoryFlag(organization=org, service=service, note=f"note {i}", flagged_by_id=user.id))
    db.session.flush()
    for service in org.services:
        db.session.add_all([Phone(service_id=service.id, number="(541) 555-0100"),
                            Schedule(service_id=service.id, byday="MO", days=1, opens_at="00:00", closes_at="23:59")])
    return org


PAGES = [   # who, method, url, data, htmx
    ("cm", "get", "/", None, False),
    ("cm", "get", "/members/", None, False),
    ("cm", "post", "/members/", {"q": "garc"}, True),
    ("cm", "get", "/members/{member}", None, False),
    ("cm", "get", "/members/{member}/header", None, True),
    ("cm", "get", "/members/{member}/contact", None, False),
    ("cm", "get", "/members/{member}/contact/log", None, True),
    ("cm", "get", "/members/{member}/contact/progress", None, True),
    ("cm", "get", "/members/{member}/contact/{contact}", None, True),
    ("cm", "get", "/members/{member}/documents", None, False),
    ("cm", "get", "/members/{member}/documents/missing", None, True),
    ("cm", "get", "/referrals/", None, False),
    ("cm", "post", "/referrals/", {"to_queue": "enrolled"}, True),
    ("cm", "get", "/referrals/{referral}", None, False),
    ("cm", "get", "/referrals/{referral}/summary", None, True),
    ("cm", "get", "/contact/unable-to-reach", None, False),
    ("cm", "get", "/contact/unable-to-reach.csv", None, False),
    ("cm", "get", "/contact/unable-to-reach.csv?all=1", None, False),
    ("cm", "get", "/today/referrals", None, True),
    ("cm", "get", "/today/outreach-due", None, True),
    ("cm", "get", "/members/{member}/case", None, False),
    ("cm", "get", "/members/{member}/case/{case}/glance", None, True),
    ("cm", "get", "/members/{member}/case/{case}/payments", None, True),
    ("cm", "get", "/members/{member}/case/{case}/payment-form", None, True),
    ("cm", "get", "/members/{member}/case/{case}/notes", None, True),
    ("cm", "get", "/members/{member}/case/{case}/contacts", None, True),
    ("cm", "get", "/today/case-checks", None, True),
    ("cm", "get", "/today/case-due", None, True),
    ("fi", "get", "/", None, False),
    ("fi", "get", "/payments", None, False),
    ("fi", "get", "/payments?queue=to_invoice", None, True),
    ("fi", "get", "/members/{member}/case", None, False),
    ("co", "get", "/", None, False),
    ("co", "get", "/referrals/assign?all=1", None, False),
    ("ad", "get", "/admin/audit", None, False),
    ("ad", "get", "/admin/data/", None, False),
    ("ad", "get", "/admin/data/restore", None, False),
    ("ad", "get", "/today/backup", None, True),
    ("cm", "get", "/directory/", None, False),
    ("cm", "post", "/directory/", {"q": "service", "need": "food", "language": "es", "area": "lane"}, True),
    ("cm", "post", "/directory/", {"open_now": "1", "accepting": "1", "hrsn_service": "rent"}, True),
    ("cm", "get", "/directory/organizations/{org}", None, False),
    ("cm", "get", "/directory/review", None, False),
    ("cm", "post", "/directory/list", {"service_id": "1"}, True),
    ("co", "get", "/directory/import", None, False),
    ("cm", "get", "/members/{member}/followup", None, False),
    ("cm", "get", "/members/{member}/followup/{case}/schedule", None, True),
    ("cm", "get", "/members/{member}/followup/closing", None, True),
    ("cm", "get", "/today/followup-check-ins", None, True),
    ("cm", "get", "/today/followup-deadlines", None, True),
    ("cm", "get", "/today/followup-unreported", None, True),
    ("cm", "get", "/today/followup-waitlist", None, True),
    ("cm", "get", "/outcomes", None, False),
    ("cm", "get", "/outcomes.csv", None, False),
    ("cm", "get", "/check-ins.ics", None, False),
    ("cm", "get", "/week", None, False),
    ("co", "get", "/week", None, False),
    ("co", "get", "/week?staff={cm}", None, False),
    ("co", "get", "/today/followup-deadlines", None, True),
    ("ad", "get", "/admin/followup-templates", None, False),
    ("cm", "get", "/members/{member}/plan", None, False),
    ("cm", "get", "/members/{member}/plan/header", None, True),
    ("cm", "get", "/members/{member}/plan/needs", None, True),
    ("cm", "get", "/members/{member}/plan/goals", None, True),
    ("cm", "get", "/members/{member}/plan/referrals", None, True),
    ("cm", "get", "/members/{member}/plan/referrals/{referral_out}/move?version=1", None, True),
    ("cm", "get", "/members/{member}/plan/summary", None, True),
    ("cm", "get", "/members/{member}/plan/extras", None, True),
    ("cm", "get", "/members/{member}/plan/team", None, True),
    ("cm", "get", "/members/{member}/plan.pdf", None, False),
    ("cm", "get", "/today/plan-referrals", None, True),
    ("cm", "get", "/today/plan-reviews", None, True),
    ("cm", "get", "/time", None, False),
    ("co", "get", "/time?staff=1", None, False),
    ("co", "get", "/reports", None, False),
    *[("co", "get", f"/reports/{key}", None, False)
      for key in ("evaluation", "funnel", "waitlist", "deadlines", "outreach", "needs", "money", "caseload", "time")],
    ("cm", "get", "/reports/funnel", None, False),
    ("fi", "get", "/reports/money", None, False),
    ("co", "get", "/reports/money/money.csv", None, False),
    ("co", "get", "/reports/funnel/funnel.svg", None, False),
    ("fi", "get", "/billing/export.csv?payer_id=1&period=week&start={today}", None, False),
]


def counts(tmp_path, n: int) -> dict:
    app, engine, ids = build(tmp_path, n)
    clients = {}
    for who in ("cm", "co", "ad", "fi"):
        clients[who] = app.test_client()
        clients[who].post("/login", data={"email": f"{who}@test.local", "password": PASSWORD})
    found, counted = {}, {}
    for who, method, url, data, htmx in PAGES:
        target = url.format(**ids, today=org_today().isoformat())
        with QueryCounter(engine) as q:
            response = getattr(clients[who], method)(target, data=data, headers=HX if htmx else {})
        assert response.status_code == 200, (target, response.status_code)
        found[(who, url)] = q.count
        counted[(who, url)] = [s for s in q.statements if COUNT.match(s)]
    with QueryCounter(engine) as q:
        saved = clients["cm"].post(f"/members/{ids['member']}/contact", headers=HX, data={
            "at": (org_today() - timedelta(days=1)).isoformat() + "T10:00", "method": "phone", "direction": "outbound",
            "outcome": "no_answer", "minutes": "3", "activity": "outreach"})
    assert saved.status_code == 200
    found["save a contact"] = q.count
    with QueryCounter(engine) as q:
        paid = clients["fi"].post(f"/payments/{ids['payment']}/step", headers=HX, data={
            "to": "paid", "version": "1", "view": "queue", "day": org_today().isoformat(), "number": "X-1"})
    assert paid.status_code == 200
    found["record a payment step"] = q.count
    with app.app_context():
        from hrsn.models import CheckIn
        check_in = db.session.scalar(db.select(CheckIn).where(CheckIn.status == "due").order_by(CheckIn.id))
        check_in_id, check_in_version = check_in.id, check_in.version
    with QueryCounter(engine) as q:
        done = clients["cm"].post(f"/members/{ids['member']}/check-ins/{check_in_id}/complete", headers=HX, data={
            "at": (org_today() - timedelta(days=1)).isoformat() + "T10:00", "method": "phone", "direction": "outbound",
            "outcome": "reached", "minutes": "3", "activity": "tenancy", "version": str(check_in_version)})
    assert done.status_code == 200
    found["complete a check-in"] = q.count
    with app.app_context():
        db.engine.dispose()
    return found, counted


COUNT = re.compile(r"\s*SELECT (\(SELECT )?count\(", re.I)     # a COUNT, or Today's sections' counts at once


def test_query_counts_do_not_grow_with_the_rows(tmp_path):
    (small, small_counts), (large, large_counts) = counts(tmp_path, 10), counts(tmp_path, 200)
    # A list whose rows do not fill its page (or a Today section its lines) needs no COUNT: those come back at 200.
    grew = {page: (small[page], large[page]) for page in small_counts
            if large[page] - len(large_counts[page]) != small[page] - len(small_counts[page])}
    assert not grew, grew
    repeated = {page: found for page, found in large_counts.items() if len(set(found)) != len(found)}
    assert not repeated, repeated
    for extra in ("save a contact", "record a payment step", "complete a check-in"):
        assert large[extra] == small[extra], extra
    # A contact saved is also its time entry, added to its month's sums (one statement); it and a payment paid
    # move the referrals' first contact or payment (one UPDATE; PostgreSQL locks their rows first); a save reads
    # the audit trail's newest hash once to link its events (on PostgreSQL it first takes the chain's advisory lock).
    chain = milestones = 2 if ON_POSTGRES else 1
    assert small["save a contact"] <= 12 + milestones + chain, small["save a contact"]
    assert small["record a payment step"] <= 12 + milestones + chain, small["record a payment step"]
    # + its time and the plan's needs and goals offered; PostgreSQL sends four statements more than SQLite here
    assert small["complete a check-in"] <= (24 if ON_POSTGRES else 21), small["complete a check-in"]
    fragments = [(who, url) for who, _m, url, _d, htmx in PAGES if htmx]
    assert all(small[page] <= 10 for page in fragments), {page: small[page] for page in fragments if small[page] > 10}
