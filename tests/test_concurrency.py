"""Several people at once: a page being read never holds up a save, writers never lose one another's work, and
the view of a record is recorded even while others write."""
import threading
import time
from datetime import timedelta

from sqlalchemy import select

from conftest import PASSWORD, make_app, make_member, make_user, org_today
from hrsn.extensions import db
from hrsn.models import AuditEvent, ContactAttempt, Member, Referral, TimeEntry, TimeMonth


def contact_form(day_offset=1):
    return {"at": (org_today() - timedelta(days=day_offset)).isoformat() + "T10:00", "method": "phone",
            "direction": "outbound", "outcome": "no_answer", "minutes": "3", "activity": "outreach"}


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_a_long_read_does_not_hold_up_a_save(tmp_path):
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT=0.5)
    with app.app_context():
        make_user("coordinator", email="co@test.local")
        member_id = make_member("Ana", "García", received_on=org_today() - timedelta(days=5)).id
    client = signed_in(app, "co@test.local")
    with app.test_request_context("/", method="GET"):       # a page being drawn: its transaction is still open
        reader = db.engine.connect()
        assert reader.execute(select(Member.id)).all()
        response = client.post(f"/members/{member_id}/contact", data=contact_form())
        reader.close()
    assert response.status_code == 302                      # saved at once, not "database busy"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ContactAttempt.id))) == 1
        db.engine.dispose()


def test_a_sign_in_checks_its_password_without_the_write_lock(tmp_path, monkeypatch):
    """Twenty people signing in at nine: each password check is slow on purpose; saves go through meanwhile."""
    from hrsn import passwords
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT=0.5)
    with app.app_context():
        make_user("coordinator", email="co@test.local")
        make_user("coordinator", email="late@test.local")
        member_id = make_member("Ana", "García", received_on=org_today() - timedelta(days=5)).id
    client = signed_in(app, "co@test.local")
    checking, verify = threading.Event(), passwords.verify

    def slow_verify(stored, password):
        checking.set()
        time.sleep(1.5)                       # three times the busy timeout
        return verify(stored, password)
    monkeypatch.setattr(passwords, "verify", slow_verify)
    signing_in = threading.Thread(target=lambda: signed_in(app, "late@test.local"))
    signing_in.start()
    assert checking.wait(5)
    saved = client.post(f"/members/{member_id}/contact", data=contact_form())
    signing_in.join()
    assert saved.status_code == 302                          # not "database busy"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ContactAttempt.id))) == 1
        signed = db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "sign-in",
                                                                               AuditEvent.email == "late@test.local"))
        assert signed == 1
        db.engine.dispose()


def test_concurrent_writers_lose_nothing_and_views_are_recorded(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        emails = [make_user("coordinator", email=f"co{n}@test.local").email for n in range(6)]
        members = [make_member(f"M{n}", "García", received_on=org_today() - timedelta(days=5)).id for n in range(3)]
    failures, per_writer = [], 8

    def work(email):
        try:
            client = signed_in(app, email)
        except AssertionError:
            failures.append(("sign-in", email))
            return
        for i in range(per_writer):
            member_id = members[i % len(members)]
            saved = client.post(f"/members/{member_id}/contact", data=contact_form(), headers={"HX-Request": "true"})
            viewed = client.get(f"/members/{member_id}")
            if saved.status_code != 200 or viewed.status_code != 200:
                failures.append((saved.status_code, viewed.status_code))

    threads = [threading.Thread(target=work, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ContactAttempt.id))) == len(emails) * per_writer
        views = db.session.scalar(select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "view",
                                                                              AuditEvent.record_type == "intake"))
        assert views == len(emails) * per_writer
        # What is kept beside the rows followed every writer: each staff member's minutes of the month, and each
        # referral's first contact.
        kept = db.session.execute(select(TimeMonth.staff_id, TimeMonth.minutes, TimeMonth.entries)
                                  .order_by(TimeMonth.staff_id)).all()
        summed = db.session.execute(select(TimeEntry.staff_id, db.func.sum(TimeEntry.minutes), db.func.count())
                                    .group_by(TimeEntry.staff_id).order_by(TimeEntry.staff_id)).all()
        assert [tuple(row) for row in kept] == [tuple(row) for row in summed] and len(kept) == len(emails)
        first = db.session.execute(select(Referral.member_id, Referral.first_contact_at)
                                   .order_by(Referral.member_id)).all()
        earliest = db.session.execute(select(ContactAttempt.member_id, db.func.min(ContactAttempt.at))
                                      .group_by(ContactAttempt.member_id).order_by(ContactAttempt.member_id)).all()
        assert [tuple(row) for row in first] == [tuple(row) for row in earliest]
        db.engine.dispose()


def test_a_search_is_posted_without_the_write_lock(tmp_path):
    """Searches are POSTed to keep names out of URLs, yet only read: one being drawn does not hold up a save."""
    from flask import template_rendered
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT=0.5)
    with app.app_context():
        make_user("coordinator", email="co@test.local")
        member_id = make_member("Ana", "García", received_on=org_today() - timedelta(days=5)).id
    searching, saver = signed_in(app, "co@test.local"), signed_in(app, "co@test.local")
    for days_ago, path in enumerate(("/members/", "/referrals/"), start=1):
        saved = []

        def save_meanwhile(_sender, **_drawn):
            # The search's page is drawn, its transaction still open: someone else saves a contact now (from a
            # thread of its own, as another person's request, with its own connection).
            if threading.current_thread() is not threading.main_thread() or saved:
                return
            other = threading.Thread(target=lambda: saved.append(
                saver.post(f"/members/{member_id}/contact", data=contact_form(days_ago))))
            other.start()
            other.join()
        template_rendered.connect(save_meanwhile, app)
        try:
            found = searching.post(path, data={"q": "garc"})
        finally:
            template_rendered.disconnect(save_meanwhile, app)
        assert found.status_code == 200 and "García" in found.get_data(as_text=True)
        assert saved[0].status_code == 302, path                # saved, not "database busy"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ContactAttempt.id))) == 2
        db.engine.dispose()
