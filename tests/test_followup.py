"""Follow-up and closing: schedules from both template styles, re-application, reschedule/skip/complete with their
refusals, closing a member's episode (what is open must be resolved or carried, unable to reach only after a new
round of attempts), reopening, outcomes reported back, the payer's deadlines, and Today per role."""
from datetime import datetime, timedelta

import pytest

from cases_helpers import HX, Desk, month_start, ready_member
from conftest import events, make_member, make_user, org_today
from hrsn.extensions import db
from hrsn.models import (Case, CheckIn, ContactAttempt, Episode, FollowupTemplate, Member, Payer, PayerDeadline, Referral,
                         ServiceType, utcnow)
from hrsn.models.followup import add_months


@pytest.fixture
def cm(app, auth):
    return auth.login("case_manager", email="maria@test.local", name="Maria Lopez")


@pytest.fixture
def desk(app, client, cm):
    with app.app_context():
        ids = ready_member(assignee=cm)
    return Desk(app, client, ids)


def check_ins(desk, case_id):
    return desk.read(lambda: [(c.month, c.kind, c.due_on, c.status) for c in db.session.scalars(
        db.select(CheckIn).where(CheckIn.case_id == case_id).order_by(CheckIn.due_on, CheckIn.id))])


def template_of(desk, code):
    def read():
        service = db.session.scalar(db.select(ServiceType).where(ServiceType.code == code))
        return db.session.scalar(db.select(FollowupTemplate).where(FollowupTemplate.service_type_id == service.id))
    return desk.read(read)


def first_open(desk, case_id) -> CheckIn:
    return desk.read(lambda: db.session.scalar(db.select(CheckIn).where(CheckIn.case_id == case_id,
                                                                        CheckIn.status.in_(("due", "rescheduled")))
                                               .order_by(CheckIn.due_on)))


# Schedules -----------------------------------------------------------------------------------------

def test_fixed_months_counted_from_the_authorization(app, client, desk):
    """Rent: check-ins at months 3 and 5, closing at 6; from the opening until the authorization, then from its
    start."""
    case_id = desk.open_case()
    opened = org_today()
    assert check_ins(desk, case_id) == [(3, "check_in", add_months(opened, 3), "due"),
                                        (5, "check_in", add_months(opened, 5), "due"),
                                        (6, "closing", add_months(opened, 6), "due")]
    desk.submit(case_id)
    desk.decide(case_id)            # authorized from the first of this month
    start = month_start(0)
    assert check_ins(desk, case_id) == [(3, "check_in", add_months(start, 3), "due"),
                                        (5, "check_in", add_months(start, 5), "due"),
                                        (6, "closing", add_months(start, 6), "due")]
    page = client.get(f"/members/{desk.member}/followup").get_data(as_text=True)
    assert "Closing check-in, month 6" in page and "Check-in, month 3" in page


def test_monthly_template_counted_from_the_opening(app, client, desk):
    case_id = desk.open_case(service="tenancy", monthly="")
    rows = check_ins(desk, case_id)
    assert [r[0] for r in rows] == list(range(1, 13)) and rows[-1][1] == "closing"
    assert rows[0][2] == add_months(org_today(), 1) and rows[10][2] == add_months(org_today(), 11)


def test_a_service_without_template_gets_no_schedule(app, client, desk):
    case_id = desk.open_case(service="other", monthly="")
    assert check_ins(desk, case_id) == []
    assert client.post(f"/members/{desk.member}/followup/{case_id}/reapply", headers=HX).status_code == 409


def test_changing_the_template_keeps_schedules_until_reapplied(app, client, desk, auth):
    case_id = desk.open_case(service="utility", monthly="")
    before = check_ins(desk, case_id)
    assert [r[0] for r in before] == [1, 3]
    # the first check-in is done: re-applying keeps it
    check_in = first_open(desk, case_id)
    done = client.post(f"/members/{desk.member}/check-ins/{check_in.id}/complete", headers=HX, data={
        "version": check_in.version, "method": "phone", "direction": "outbound", "outcome": "reached",
        "minutes": "10", "activity": "tenancy", "at": (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    assert done.status_code == 200, done.get_data(as_text=True)[:2000]
    template = template_of(desk, "utility")
    with app.app_context():
        t = db.session.get(FollowupTemplate, template.id)
        t.check_in_months, t.closing_month = "1, 2", 4
        db.session.commit()
    assert check_ins(desk, case_id) == [(1, "check_in", before[0][2], "done"), before[1]]
    answer = client.post(f"/members/{desk.member}/followup/{case_id}/reapply", headers=HX)
    assert answer.status_code == 200 and "checkInChanged" in events(answer)
    assert [(r[0], r[3]) for r in check_ins(desk, case_id)] == [(1, "done"), (2, "due"), (4, "due")]


def test_reschedule_skip_and_their_refusals(app, client, desk):
    case_id = desk.open_case(service="utility", monthly="")
    c = first_open(desk, case_id)
    url = f"/members/{desk.member}/check-ins/{c.id}"
    past = client.post(url + "/reschedule", headers=HX, data={f"r{c.id}-version": c.version, f"r{c.id}-reason": "away",
                                                               f"r{c.id}-due_on": (org_today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and "into the past" in past.get_data(as_text=True)
    beyond = client.post(url + "/reschedule", headers=HX, data={
        f"r{c.id}-version": c.version, f"r{c.id}-reason": "away",
        f"r{c.id}-due_on": add_months(org_today(), 4).isoformat()})
    assert beyond.status_code == 422 and "after the case ends" in beyond.get_data(as_text=True)
    no_reason = client.post(url + "/reschedule", headers=HX, data={
        f"r{c.id}-version": c.version, f"r{c.id}-due_on": (org_today() + timedelta(days=40)).isoformat()})
    assert no_reason.status_code == 422 and "Say why the check-in moves" in no_reason.get_data(as_text=True)
    # The refused row's form is open, keeps the date typed and marks the field that is wrong.
    refused = no_reason.get_data(as_text=True)
    row = refused[refused.index(f'id="check-in-{c.id}"'):]
    row = row[:row.index("</tr>")]
    typed = (org_today() + timedelta(days=40)).isoformat()
    assert "<details open>" in row and f'name="r{c.id}-due_on" value="{typed}"' in row
    assert f'id="r{c.id}-reason" name="r{c.id}-reason" value="" aria-invalid="true"' in row
    assert f'aria-describedby="err-r{c.id}-reason"' in row and f'<a href="#r{c.id}-reason">' in row
    day = org_today() + timedelta(days=40)
    ok = client.post(url + "/reschedule", headers=HX, data={f"r{c.id}-version": c.version,
                                                             f"r{c.id}-reason": "Member travelling",
                                                             f"r{c.id}-due_on": day.isoformat()})
    assert ok.status_code == 200 and "checkInChanged" in events(ok)
    moved = desk.read(lambda: db.session.get(CheckIn, c.id))
    assert moved.status == "rescheduled" and moved.due_on == day and moved.planned_on == c.planned_on
    stale = client.post(url + "/skip", headers=HX, data={f"s{c.id}-version": c.version, f"s{c.id}-reason": "x"})
    assert stale.status_code == 409
    assert client.post(url + "/skip", headers=HX, data={f"s{c.id}-version": moved.version}).status_code == 422
    skipped = client.post(url + "/skip", headers=HX, data={f"s{c.id}-version": moved.version,
                                                           f"s{c.id}-reason": "Member in hospital"})
    assert skipped.status_code == 200
    assert desk.read(lambda: db.session.get(CheckIn, c.id).status) == "skipped"
    again = client.post(url + "/skip", headers=HX, data={f"s{c.id}-version": moved.version + 1, f"s{c.id}-reason": "x"})
    assert again.status_code == 422 and "only a check-in still due" in again.get_data(as_text=True)


def test_completing_a_check_in_logs_a_contact_linked_to_it(app, client, desk):
    case_id = desk.open_case()
    c = first_open(desk, case_id)
    url = f"/members/{desk.member}/check-ins/{c.id}/complete"
    form = client.get(url, headers=HX).get_data(as_text=True)
    assert 'value="reached"' in form and "Log the check-in" in form
    data = {"version": c.version, "method": "phone", "direction": "outbound", "minutes": "15", "activity": "tenancy",
            "at": (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "note": "Rent paid, all well"}
    assert client.post(url, headers=HX, data={**data, "outcome": "no_answer"}).status_code == 422
    done = client.post(url, headers=HX, data={**data, "outcome": "reached"})
    assert done.status_code == 200 and {"checkInChanged", "contactLogged"} <= events(done)
    row = desk.read(lambda: db.session.get(CheckIn, c.id))
    contact = desk.read(lambda: db.session.get(ContactAttempt, row.contact_id))
    assert row.status == "done" and row.done_on == org_today() and contact.minutes == 15 and contact.reached
    tab = client.get(f"/members/{desk.member}/followup").get_data(as_text=True)
    assert "Phone, reached" in tab and "Maria Lopez" in tab
    assert client.post(url, headers=HX, data={**data, "outcome": "reached", "version": row.version}).status_code == 409


def test_a_check_in_writes_what_it_found_to_the_plan(app, client, desk):
    """A need met, a goal's progress and a new need, from the check-in's form; the plan is then due for review."""
    from hrsn.models import Goal, GoalProgress, Need, Plan, add_need
    case_id = desk.open_case()
    c = first_open(desk, case_id)

    def make():
        need = add_need(desk.member, "housing", description="Rent behind", source="conversation")
        goal = Goal(member_id=desk.member, text="Keep my apartment")
        db.session.add(goal)
        db.session.commit()
        return need.id, goal.id
    need_id, goal_id = desk.read(make)

    def theirs():
        need = add_need(make_member("Otra", "Persona").id, "food", source="conversation")
        db.session.commit()
        return need.id
    other_need = desk.read(theirs)
    url = f"/members/{desk.member}/check-ins/{c.id}/complete"
    form = client.get(url, headers=HX).get_data(as_text=True)
    assert "Rent behind" in form and "Keep my apartment" in form
    data = {"version": c.version, "method": "phone", "direction": "outbound", "minutes": "15", "activity": "tenancy",
            "outcome": "reached", "at": (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}
    # A goal without its progress, a description without its kind, a need that is not this member's: refused.
    for bad, words in (({"goal": goal_id}, "Write the progress"), ({"new_need": "Food"}, "kind of need first"),
                       ({"need_met": other_need}, "open needs"), ({"new_need_domain": "spaceflight"}, "from the list")):
        answer = client.post(url, headers=HX, data={**data, **bad})
        assert answer.status_code == 422 and words in answer.get_data(as_text=True), bad
    assert desk.read(lambda: db.session.get(CheckIn, c.id).status) == "due"
    done = client.post(url, headers=HX, data={**data, "need_met": need_id, "goal": goal_id,
                                              "progress": "Paid two months", "new_need_domain": "food",
                                              "new_need": "Groceries short at month end"})
    assert done.status_code == 200 and "planChanged" in events(done)

    def after():
        needs = {n.domain: (n.status, n.source) for n in db.session.scalars(
            db.select(Need).where(Need.member_id == desk.member))}
        notes = [(p.text, p.source, p.source_id) for p in db.session.scalars(
            db.select(GoalProgress).where(GoalProgress.goal_id == goal_id))]
        plan = db.session.scalar(db.select(Plan).where(Plan.member_id == desk.member))
        return needs, notes, plan.review_due_on
    needs, notes, review = desk.read(after)
    assert needs == {"housing": ("met", "conversation"), "food": ("identified", "check-in")}
    assert notes == [("Paid two months", "check-in", c.id)] and review == org_today()


def test_admin_refuses_overlapping_or_negative_offsets(app, client, auth):
    auth.login("admin", email="admin@test.local")
    with app.app_context():
        rent = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "rent"))
        t = db.session.scalar(db.select(FollowupTemplate).where(FollowupTemplate.service_type_id == rent.id))
        rent_id, version = rent.id, t.version
    url = f"/admin/followup-templates/{rent_id}"
    assert client.get(url).status_code == 200
    base = {"version": version, "style": "fixed", "count_from": "opened", "active": "y"}
    for months, closing, words in (("3, 3", "6", "same month"), ("-1, 3", "6", "negative"),
                                   ("3, 7", "6", "before the closing month"), ("3, x", "6", "whole numbers")):
        answer = client.post(url, data={**base, "check_in_months": months, "closing_month": closing})
        assert answer.status_code == 422 and words in answer.get_data(as_text=True), months
    assert client.post(url, data={**base, "check_in_months": "2, 4", "closing_month": "5"}).status_code == 302
    with app.app_context():
        t = db.session.scalar(db.select(FollowupTemplate).where(FollowupTemplate.service_type_id == rent_id))
        assert (t.check_in_months, t.closing_month, t.count_from) == ("2, 4", 5, "opened")
    assert client.get("/admin/followup-templates").status_code == 200


# Closing and reopening ----------------------------------------------------------------------------------

def close_data(**extra):
    return {"version": "0", "reason": "assistance_complete", "summary": "Six months of rent paid.",
            "closed_on": org_today().isoformat(), **extra}


def test_closing_lists_what_is_open_and_refuses_until_resolved_or_carried(app, client, desk):
    case_id = desk.authorized()
    desk.check(case_id)                 # an unpaid check request
    payment = desk.last_payment()
    refused = client.post(f"/members/{desk.member}/close", headers=HX, data=close_data())
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Unpaid check request" in text and "Open case" in text
    partly = client.post(f"/members/{desk.member}/close", headers=HX, data=close_data(carry=[f"case-{case_id}"]))
    assert partly.status_code == 422 and "Unpaid check request" in partly.get_data(as_text=True)
    assert client.post(f"/members/{desk.member}/close", headers=HX, data=close_data(summary="")).status_code == 422
    assert client.post(f"/members/{desk.member}/close", headers=HX, data=close_data(
        closed_on=(org_today() + timedelta(days=1)).isoformat(),
        carry=[f"case-{case_id}", f"check-{payment.id}"])).status_code == 422
    closed = client.post(f"/members/{desk.member}/close", headers=HX,
                         data=close_data(carry=[f"case-{case_id}", f"check-{payment.id}"]))
    assert closed.status_code == 200 and "memberClosed" in events(closed)
    episode = desk.read(lambda: db.session.scalar(db.select(Episode).where(Episode.member_id == desk.member)))
    assert episode.closed_on == org_today() and episode.close_reason == "assistance_complete"
    assert {c["kind"] for c in episode.carried} == {"case", "check"}
    # read-only: any change to the member is refused until reopened
    locked = client.post(f"/members/{desk.member}/case/{case_id}/notes", data={"text": "after closing"}, headers=HX)
    assert locked.status_code == 423
    case_page = client.get(f"/members/{desk.member}/case").get_data(as_text=True)
    assert "Closed " in case_page and "Assistance complete" in case_page        # the header says so
    assert client.post(f"/members/{desk.member}/close", headers=HX, data=close_data()).status_code == 409


def test_reopening_needs_a_reason_and_starts_a_new_episode(app, client, desk):
    assert client.post(f"/members/{desk.member}/reopen", headers=HX, data={"version": "1", "reason": "x"}).status_code == 409
    assert client.post(f"/members/{desk.member}/close", headers=HX, data=close_data(reason="moved_away")).status_code == 200
    episode = desk.read(lambda: db.session.scalar(db.select(Episode).where(Episode.member_id == desk.member)))
    no_reason = client.post(f"/members/{desk.member}/reopen", headers=HX, data={"version": episode.version, "reason": " "})
    assert no_reason.status_code == 422 and "Say why the record is reopened" in no_reason.get_data(as_text=True)
    ok = client.post(f"/members/{desk.member}/reopen", headers=HX, data={"version": episode.version,
                                                                        "reason": "Moved back, new eviction notice"})
    assert ok.status_code == 200
    page = client.get(f"/members/{desk.member}/followup").get_data(as_text=True)
    assert "Episode 1" in page and "Episode 2" in page and "Moved back, new eviction notice" in page and "Moved away" in page
    assert client.post(f"/members/{desk.member}/case/new", data={}).status_code == 422     # writable again


def test_unable_to_reach_needs_a_new_round_of_attempts_since_the_last_contact(app, client, desk, cm):
    cm_id = desk.read(lambda: db.session.scalar(db.select(Member.assignee_id).where(Member.id == desk.member)))

    def contact(days_ago, method, outcome):
        with app.app_context():
            db.session.add(ContactAttempt(member_id=desk.member, at=utcnow() - timedelta(days=days_ago), method=method,
                                          direction="outbound", outcome=outcome, author_id=cm_id))
            db.session.commit()
    contact(30, "phone", "no_answer")
    contact(29, "text", "no_answer")
    contact(28, "phone", "no_answer")
    contact(20, "phone", "reached")         # enrolled and answering; then stops answering
    contact(5, "phone", "no_answer")
    contact(3, "phone", "voicemail")
    early = client.post(f"/members/{desk.member}/close", headers=HX, data=close_data(reason="unable_to_reach"))
    assert early.status_code == 422 and "2 of 3 attempts by 1 of 2 methods" in early.get_data(as_text=True)
    contact(1, "email", "no_answer")
    assert client.post(f"/members/{desk.member}/close", headers=HX,
                       data=close_data(reason="unable_to_reach")).status_code == 200


# Outcomes and deadlines ----------------------------------------------------------------------------------

def test_outcomes_not_reported_back_list_csv_and_mark_reported(app, client, desk):
    with app.app_context():
        db.session.get(Referral, db.session.scalar(db.select(Referral.id).where(Referral.member_id == desk.member))
                       ).external_id = "UU-48213"
        db.session.commit()
    client.post(f"/members/{desk.member}/close", headers=HX, data=close_data(reason="declined"))
    page = client.get("/outcomes").get_data(as_text=True)
    assert "UU-48213" in page and "Unresolved - client declined services" in page
    section = client.get("/today/followup-unreported", headers=HX).get_data(as_text=True)    # in the payer's words
    assert "Unresolved - client declined services" in section and '<span class="count">1</span>' in section
    csv = client.get("/outcomes.csv")
    assert csv.mimetype == "text/csv" and "UU-48213" in csv.get_data(as_text=True)
    assert "declined" in csv.get_data(as_text=True)
    episode = desk.read(lambda: db.session.scalar(db.select(Episode).where(Episode.member_id == desk.member)))
    url = f"/outcomes/{episode.id}/reported"
    future = (org_today() + timedelta(days=2)).isoformat()
    assert client.post(url, headers=HX, data={f"e{episode.id}-version": episode.version,
                                              f"e{episode.id}-reported_on": future}).status_code == 422
    ok = client.post(url, headers=HX, data={f"e{episode.id}-version": episode.version,
                                            f"e{episode.id}-reported_on": org_today().isoformat()})
    assert ok.status_code == 200 and "outcomeReported" in events(ok)
    assert "UU-48213" not in client.get("/outcomes").get_data(as_text=True)


def test_calendar_export_has_initials_and_a_link_only(app, client, desk):
    case_id = desk.open_case()
    ics = client.get("/check-ins.ics")
    text = ics.get_data(as_text=True)
    assert ics.mimetype == "text/calendar" and text.count("BEGIN:VEVENT") == 3
    assert "Check-in: RN" in text and "Rosa" not in text and "Núñez" not in text and "Nunez" not in text
    assert f"/members/{desk.member}/followup?case={case_id}" in text.replace("\r\n ", "")
    from icalendar import Calendar
    events = [e for e in Calendar.from_ical(ics.data).walk("VEVENT")]
    assert all(e["DTSTAMP"].dt.tzinfo is not None and e["DTSTART"].dt == e["DTSTART"].dt for e in events)
    # Asked again unchanged: the same file, or 304 to an application that has it; a check-in moved: a new file.
    assert client.get("/check-ins.ics").data == ics.data
    assert client.get("/check-ins.ics", headers={"If-None-Match": ics.headers["ETag"]}).status_code == 304
    with app.app_context():
        check_in = db.session.scalar(db.select(CheckIn).where(CheckIn.case_id == case_id).order_by(CheckIn.id))
        check_in.due_on += timedelta(days=3)
        db.session.commit()
        moved = check_in.due_on
    again = client.get("/check-ins.ics", headers={"If-None-Match": ics.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != ics.headers["ETag"]
    assert moved in [e["DTSTART"].dt for e in Calendar.from_ical(again.data).walk("VEVENT")]


# Today per role -----------------------------------------------------------------------------------------

def due_now(app, case_id, days):
    with app.app_context():
        for c in db.session.scalars(db.select(CheckIn).where(CheckIn.case_id == case_id)):
            c.due_on = org_today() + timedelta(days=days)
            break
        db.session.commit()


def test_today_per_role(app, client, desk, auth, cm):
    case_id = desk.open_case()
    due_now(app, case_id, -3)               # overdue
    with app.app_context():
        other_cm = make_user("case_manager", email="other@test.local", name="Other CM")
        other = make_member("Zed", "Quinn", assignee=other_cm, status="enrolled", services=["tenancy"])
        waiting = make_member("Wanda", "Wait", assignee=cm, status="waitlist")
        payer = db.session.scalar(db.select(Payer.id).order_by(Payer.id))
        stale = make_member("Deb", "Dline", assignee=cm, status="new", received_on=org_today() - timedelta(days=2))
        db.session.scalar(db.select(Referral).where(Referral.member_id == stale.id)).payer_id = payer
        db.session.commit()
        from hrsn.models import store_all_outreach
        store_all_outreach()
        db.session.commit()
        other_id, other_cm_id = other.id, other_cm.id
        cm_id = db.session.scalar(db.select(Member.assignee_id).where(Member.id == desk.member))
    page = client.get("/").get_data(as_text=True)
    assert "Check-ins due this week and overdue" in page and "overdue since" in page
    assert "Rosa Núñez" in page and "Zed" not in page
    assert "The waitlist" in page and "Wanda" in page
    assert "Payer deadlines close to being missed" in page and "First contact due by" in page
    order = [page.index(t) for t in ("Check-ins due this week", "Payer deadlines", "The waitlist")]
    assert order == sorted(order)
    # finance: no member work
    auth.logout()
    auth.login("finance", email="fin@test.local")
    page = client.get("/").get_data(as_text=True)
    assert "Check-ins due" not in page and "The waitlist" not in page
    assert client.get("/today/followup-check-ins", headers=HX).status_code == 404
    # the coordinator: the waitlist of everyone, their own check-ins only; the week shows every staff member
    auth.logout()
    auth.login("coordinator", email="coord@test.local")
    check_section = client.get("/today/followup-check-ins", headers=HX).get_data(as_text=True)
    assert "Check-ins due" in check_section and "Rosa" not in check_section
    assert "Wanda" in client.get("/today/followup-waitlist", headers=HX).get_data(as_text=True)
    week = client.get("/week").get_data(as_text=True)
    assert "Maria Lopez" in week and "Other CM" in week
    maria_row = week.split(f'id="staff-{cm_id}"')[1].split("</tr>")[0]
    assert "<td>3</td>" in maria_row and 'class="late">1</td>' in maria_row       # 3 members; 1 check-in overdue
    assert client.get(f"/week?staff={cm_id}").status_code == 200
    answer = client.post(f"/week/reassign/{desk.member}", data={"assignee": other_cm_id}, headers=HX)
    assert answer.status_code == 200
    assert desk.read(lambda: db.session.get(Case, case_id).member.assignee_id) == other_cm_id
    # a case manager sees no other's member
    auth.logout()
    auth.login("case_manager", email="third@test.local")
    assert client.get(f"/members/{other_id}/followup").status_code == 404
    assert client.get("/week?staff=%d" % cm_id).status_code == 200       # only their own line, whatever is asked


def test_today_section_refreshes_after_completing(app, client, desk):
    case_id = desk.open_case()
    due_now(app, case_id, 0)
    section = client.get("/today/followup-check-ins", headers=HX).get_data(as_text=True)
    assert "checkInChanged from:body" in section and "Log the check-in" in section
    c = first_open(desk, case_id)
    client.post(f"/members/{desk.member}/check-ins/{c.id}/complete", headers=HX, data={
        "version": c.version, "method": "phone", "direction": "outbound", "outcome": "reached", "minutes": "5",
        "activity": "tenancy", "at": (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    section = client.get("/today/followup-check-ins", headers=HX).get_data(as_text=True)
    assert "Nothing here." in section


def test_payer_settings_are_edited_by_an_admin(app, client, auth):
    auth.login("admin", email="admin@test.local")
    with app.app_context():
        payer = db.session.scalar(db.select(Payer).order_by(Payer.id))
        deadline = db.session.scalar(db.select(PayerDeadline).where(PayerDeadline.payer_id == payer.id))
        payer_id, version = payer.id, deadline.version
    url = f"/admin/payer-followup/{payer_id}"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"version": version, "first_contact_days": "10", "outreach_days": "5"})
    assert bad.status_code == 422
    ok = client.post(url, data={"version": version, "first_contact_days": "5", "outreach_days": "45",
                                "words_declined": "Client declined"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(PayerDeadline.outreach_days).where(PayerDeadline.payer_id == payer_id)) == 45


def test_missed_payer_deadlines_are_counted_for_the_reports(app, client, auth):
    from hrsn.followup.rules import missed_deadlines
    with app.test_request_context():
        cm = make_user("case_manager", email="cm2@test.local")
        late = make_member("Lia", "Late", assignee=cm, status="new", received_on=org_today() - timedelta(days=40))
        make_member("Nia", "New", assignee=cm, status="new", received_on=org_today())
        payer = db.session.scalar(db.select(Payer.id).order_by(Payer.id))
        for referral in db.session.scalars(db.select(Referral)):
            referral.payer_id = payer
        db.session.commit()
        from hrsn.models import store_all_outreach
        store_all_outreach()
        db.session.commit()
        assert missed_deadlines() == {"first_contact": 1, "outreach_window": 1}
        assert late.id


def test_the_follow_up_tab_and_today_in_spanish(app, client, desk):
    case_id = desk.open_case()
    due_now(app, case_id, -1)
    client.post("/language", data={"lang": "es"})
    tab = client.get(f"/members/{desk.member}/followup").get_data(as_text=True)
    assert "Seguimientos de Ayuda con la renta" in tab and "Seguimiento de cierre, mes 6" in tab
    assert "Cerrar el expediente del miembro" in tab and "Motivo del cierre" in tab
    today = client.get("/today/followup-check-ins", headers=HX).get_data(as_text=True)
    assert "Seguimientos de esta semana y atrasados" in today and "atrasado desde el" in today
    refused = client.post(f"/members/{desk.member}/close", headers=HX, data=close_data())
    assert "Resuelva primero estos pendientes" in refused.get_data(as_text=True)


def test_closing_a_case_skips_its_check_ins_still_due(app, client, desk):
    case_id = desk.open_case(service="utility", monthly="")
    version = desk.read(lambda: db.session.get(Case, case_id).version)
    moved = client.post(f"/members/{desk.member}/case/{case_id}/move", headers=HX,
                        data={"move-to": "closed", "move-reason": "Bill paid", "move-version": version})
    assert moved.status_code == 200, moved.get_data(as_text=True)[:1000]
    assert {r[3] for r in check_ins(desk, case_id)} == {"skipped"}
    assert client.post(f"/members/{desk.member}/followup/{case_id}/reapply", headers=HX).status_code == 409
    version = desk.read(lambda: db.session.get(Case, case_id).version)
    reopened = client.post(f"/members/{desk.member}/case/{case_id}/move", headers=HX,
                           data={"move-to": "open", "move-reason": "A new bill", "move-version": version})
    assert reopened.status_code == 200
    assert {r[3] for r in check_ins(desk, case_id)} == {"due"}


def test_two_closings_at_once_leave_one_episode(app, client, desk):
    """The second of two closings sent from the same page (no episode yet) is refused, not a server error."""
    from unittest import mock
    from hrsn.followup import views
    with mock.patch.object(views, "current_episode", return_value=None):
        assert client.post(f"/members/{desk.member}/close", headers=HX, data=close_data()).status_code == 200
        second = client.post(f"/members/{desk.member}/close", headers=HX, data=close_data(reason="declined"))
    assert second.status_code == 409
    assert desk.read(lambda: db.session.scalar(db.select(db.func.count(Episode.id)))) == 1
