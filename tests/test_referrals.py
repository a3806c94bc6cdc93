"""Triage and the queues: urgency order, counts, filters, decisions with history, and assignment."""
import re
from datetime import timedelta

from conftest import ON_POSTGRES, PASSWORD, events, make_member, make_user, org_today
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import AuditEvent, Member, Referral, ServiceType



def names_in_order(page: str) -> list[str]:
    return re.findall(r'<tr id="referral-row-\d+">\s*<td><a [^>]*>([^<]+)</a>', page)


def counts(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="count">(\d+)<', page)]


def referral_id(member_id):
    return db.session.get(Member, member_id).latest_referral.id


def test_queue_sorts_by_urgency_then_date_and_counts_each_tab(app, client, auth):
    with app.app_context():
        make_member("Normal", "Older", received_on=org_today() - timedelta(days=9))
        make_member("Normal", "Newer", received_on=org_today() - timedelta(days=1))
        make_member("High", "Rent", rent_months_owed=2, received_on=org_today() - timedelta(days=2))
        make_member("Urgent", "Notice", notice_date=org_today() + timedelta(days=14), received_on=org_today())
        make_member("Not", "Urgent", notice_date=org_today() + timedelta(days=15), received_on=org_today() - timedelta(days=20))
        make_member("Wait", "Listed", status="waitlist")
        make_member("Closed", "One", status="declined")
        make_member("Closed", "Two", status="redirected")
    auth.login("coordinator")
    page = client.get("/referrals/").get_data(as_text=True)
    assert names_in_order(page) == ["Urgent Notice", "High Rent", "Not Urgent", "Normal Older", "Normal Newer"]
    assert counts(page) == [5, 1, 0, 2]
    closed = client.post("/referrals/", data={"to_queue": "closed"}).get_data(as_text=True)
    assert sorted(names_in_order(closed)) == ["Closed One", "Closed Two"]
    with app.app_context():
        settings.put("urgent_notice_days", 20)
        db.session.commit()
    page = client.get("/referrals/").get_data(as_text=True)
    assert names_in_order(page)[:2] == ["Not Urgent", "Urgent Notice"]     # both urgent now: older first


def test_filters_and_search_narrow_the_queue_and_its_counts(app, client, auth):
    with app.app_context():
        cm = make_user("case_manager", email="maria@test.local", name="Maria Lopez")
        make_member("José", "Núñez", medicaid_id="OR1111111", preferred_language="es", assignee=cm, services=["utility"])
        make_member("Mary", "Smith", preferred_language="en", external_id="UU-4242")
        make_member("Rosa", "Núñez", preferred_language="es", status="waitlist")
        cm_id = cm.id
    auth.login("coordinator")

    def queue(**data):
        page = client.post("/referrals/", data=data, headers={"HX-Request": "true"}).get_data(as_text=True)
        return sorted(names_in_order(page)), counts(page)

    assert queue(q="nunez") == (["José Núñez"], [1, 1, 0, 0])
    assert queue(q="NÚÑEZ JOSÉ".split()[0]) == (["José Núñez"], [1, 1, 0, 0])
    assert queue(q="or1111") == (["José Núñez"], [1, 0, 0, 0])
    assert queue(q="uu-4242") == (["Mary Smith"], [1, 0, 0, 0])
    assert queue(language="en") == (["Mary Smith"], [1, 0, 0, 0])
    assert queue(service="utility") == (["José Núñez"], [1, 0, 0, 0])
    assert queue(assignee=str(cm_id)) == (["José Núñez"], [1, 0, 0, 0])
    assert queue(assignee="none") == (["Mary Smith"], [1, 1, 0, 0])
    assert queue(payer="2") == ([], [0, 0, 0, 0])
    assert queue(payer="1", queue="waitlist") == (["Rosa Núñez"], [2, 1, 0, 0])
    # Strange input is ignored, never an error.
    assert client.post("/referrals/", data={"payer": "1; drop", "queue": "<x>", "page": "99999999999"}).status_code == 200


def test_queue_pages(app, client, auth):
    with app.app_context():
        for i in range(30):
            make_member(f"Ana{chr(65 + i % 26)}", f"Test{i}", received_on=org_today() - timedelta(days=i))
    auth.login("coordinator")
    first = client.get("/referrals/").get_data(as_text=True)
    second = client.post("/referrals/", data={"page": "2"}).get_data(as_text=True)
    assert len(names_in_order(first)) == 25 and len(names_in_order(second)) == 5
    assert "Page 2 of 2" in second and not set(names_in_order(first)) & set(names_in_order(second))


def test_case_manager_sees_own_and_unassigned_new_only(app, client, auth):
    with app.app_context():
        other = make_user("case_manager", email="other@test.local")
        theirs = make_member("Their", "Member", assignee=other, status="enrolled").id
        unassigned = make_member("Un", "Assigned").id
        unassigned_waitlist = make_member("Waiting", "Unassigned", status="waitlist").id
        theirs_ref, unassigned_ref = referral_id(theirs), referral_id(unassigned)
        waitlist_ref = referral_id(unassigned_waitlist)
    auth.login("case_manager")
    page = client.get("/referrals/").get_data(as_text=True)
    assert names_in_order(page) == ["Un Assigned"] and counts(page) == [1, 0, 0, 0]
    assert client.get(f"/referrals/{unassigned_ref}").status_code == 200
    assert client.get(f"/referrals/{theirs_ref}").status_code == 404
    assert client.get(f"/referrals/{waitlist_ref}").status_code == 404
    assert client.post(f"/referrals/{theirs_ref}/triage", data={"decision": "accept"}).status_code == 404
    assert client.get("/referrals/assign").status_code == 403
    auth.logout()
    auth.login("finance")
    assert client.get("/referrals/").status_code == 403
    assert client.get(f"/referrals/{unassigned_ref}").status_code == 403


def test_triage_decisions_are_checked_kept_and_audited(app, client, auth):
    with app.app_context():
        member_id = make_member("Ana", "García").id
        ref = referral_id(member_id)
    auth.login("coordinator")
    refused = client.post(f"/referrals/{ref}/triage", data={"decision": "decline"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Say why, in a few words." in refused.get_data(as_text=True)
    refused = client.post(f"/referrals/{ref}/triage", data={"decision": "redirect", "reason": "x"})
    assert "Name the organization the member is redirected to." in refused.get_data(as_text=True)
    assert client.post(f"/referrals/{ref}/triage", data={"decision": "approve-all"}).status_code == 422

    waitlisted = client.post(f"/referrals/{ref}/triage", data={"decision": "waitlist", "reason": "No funds until the 1st"},
                             headers={"HX-Request": "true"})
    assert waitlisted.status_code == 200 and events(waitlisted) == {"referralChanged", "memberChanged"}
    again = client.post(f"/referrals/{ref}/triage", data={"decision": "waitlist", "reason": "again"})
    assert again.status_code == 422 and "already" in again.get_data(as_text=True)
    assert client.post(f"/referrals/{ref}/triage", data={"decision": "accept"}).status_code == 302
    assert client.post(f"/referrals/{ref}/triage", data={"decision": "decline", "reason": "late"}).status_code == 409
    with app.app_context():
        referral = db.session.get(Referral, ref)
        assert referral.status == "enrolled"
        assert [(d.decision, d.from_status, d.to_status, d.reason) for d in reversed(referral.decisions)] == [
            ("waitlist", "new", "waitlist", "No funds until the 1st"), ("accept", "waitlist", "enrolled", None)]
        trail = db.session.scalars(db.select(AuditEvent).where(AuditEvent.record_type == "Referral",
                                                               AuditEvent.action == "update").order_by(AuditEvent.id)).all()
        assert [e.changes["status"] for e in trail] == [["new", "waitlist"], ["waitlist", "enrolled"]]
    history = client.get(f"/referrals/{ref}").get_data(as_text=True)
    assert history.index("Accept") < history.index("No funds until the 1st")        # newest first


def test_redirect_keeps_the_organization_and_can_be_redecided(app, client, auth):
    with app.app_context():
        ref = referral_id(make_member("Ana", "García").id)
    auth.login("coordinator")
    client.post(f"/referrals/{ref}/triage", data={"decision": "redirect", "redirect_to": "Salem Housing Authority"})
    client.post(f"/referrals/{ref}/triage", data={"decision": "accept"})
    with app.app_context():
        decisions = db.session.get(Referral, ref).decisions
        assert [d.to_status for d in decisions] == ["enrolled", "redirected"]
        assert decisions[1].redirect_to == "Salem Housing Authority"


def test_case_manager_accepting_an_unassigned_referral_takes_it_on(app, client, auth):
    with app.app_context():
        member_id = make_member("Ana", "García").id
        ref = referral_id(member_id)
    user = auth.login("case_manager")
    response = client.post(f"/referrals/{ref}/triage", data={"decision": "accept"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Member, member_id).assignee_id == user.id
    assert client.get(f"/members/{member_id}").status_code == 200


def test_case_manager_waitlisting_an_unassigned_referral_is_sent_back_to_the_queue(app, client, auth):
    with app.app_context():
        ref = referral_id(make_member("Ana", "García").id)
    auth.login("case_manager")
    response = client.post(f"/referrals/{ref}/triage", data={"decision": "waitlist", "reason": "full"},
                           headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/referrals/"


def test_assignment_one_click_and_refusals(app, client, auth):
    with app.app_context():
        member_id = make_member("Ana", "García").id
        ref = referral_id(member_id)
        finance = make_user("finance", email="f@test.local").id
        gone = make_user("case_manager", email="gone@test.local", active=False).id
        colleague = make_user("case_manager", email="colleague@test.local").id
    me = auth.login("case_manager")
    for forbidden in (finance, gone, colleague, "abc"):
        response = client.post(f"/referrals/{ref}/assign", data={"assignee_id": forbidden})
        assert response.status_code == 422
    assert client.post(f"/referrals/{ref}/assign", data={"assignee_id": me.id}).status_code == 302
    with app.app_context():
        assert db.session.get(Member, member_id).assignee_id == me.id
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.record_type == "Member"))
        assert event.changes == {"assignee_id": [None, me.id]}


def test_batch_assignment_of_this_weeks_referrals(app, client, auth):
    with app.app_context():
        cm = make_user("case_manager", email="maria@test.local", name="Maria Lopez", languages="en,es")
        make_member("Old", "Case", assignee=cm, status="enrolled")
        ids = [make_member(f"New{i}", "Person", received_on=org_today() - timedelta(days=i)).id for i in (0, 3)]
        old = make_member("Last", "Month", received_on=org_today() - timedelta(days=30)).id
        refs = [referral_id(i) for i in ids]
        old_ref, cm_id = referral_id(old), cm.id
    auth.login("coordinator")
    page = client.get("/referrals/assign").get_data(as_text=True)
    assert "New0 Person" in page and "New3 Person" in page and "Last Month" not in page
    assert re.search(r"Maria Lopez</td><td>English, Spanish</td><td>1</td>", page)
    assert "Last Month" in client.get("/referrals/assign?all=1").get_data(as_text=True)
    nothing = client.post("/referrals/assign", data={"assignee_id": cm_id})
    assert nothing.status_code == 422 and "Tick at least one referral to assign." in nothing.get_data(as_text=True)
    done = client.post("/referrals/assign", data={"assignee_id": cm_id, "referral": refs + [old_ref]})
    assert done.status_code == 302
    with app.app_context():
        assert [db.session.get(Member, i).assignee_id for i in ids] == [cm_id, cm_id]
        assert db.session.get(Member, old).assignee_id is None          # not on this week's list
    page = client.get("/referrals/assign").get_data(as_text=True)
    assert re.search(r"Maria Lopez</td><td>English, Spanish</td><td>3</td>", page)


def test_today_lists_unassigned_for_coordinator_and_new_for_case_manager(app, client, auth):
    with app.app_context():
        cm = make_user("case_manager", email="maria@test.local")
        make_member("Urgent", "Person", notice_date=org_today() + timedelta(days=2))
        make_member("Mine", "Person", assignee=cm)
    auth.login("coordinator")
    page = client.get("/").get_data(as_text=True)
    section = page[page.index('id="today-referrals"'):]
    assert "Urgent Person" in section and "Mine Person" not in section[:section.index("</section>")]
    auth.logout()
    client.post("/login", data={"email": "maria@test.local", "password": "correct horse battery"})
    page = client.get("/").get_data(as_text=True)
    section = page[page.index('id="today-referrals"'):]
    assert "Mine Person" in section[:section.index("</section>")]


def test_spanish_queue_labels(app, client, auth):
    with app.app_context():
        make_member("Ana", "García", rent_months_owed=3)
    auth.login("coordinator", locale="es")
    page = client.get("/referrals/").get_data(as_text=True)
    for label in ("Nuevos", "Lista de espera", "Inscritos", "Cerrados", "Alta", "Sin asignar"):
        assert label in page, label


def test_history_shows_each_move_and_the_queue_links_to_the_member_record(app, client, auth):
    with app.app_context():
        member_id = make_member("Ana", "García").id
        ref = referral_id(member_id)
    auth.login("coordinator")
    queue = client.get("/referrals/").get_data(as_text=True)
    assert f'href="/members/{member_id}"' in queue and f'href="/referrals/{ref}"' in queue
    client.post(f"/referrals/{ref}/triage", data={"decision": "waitlist", "reason": "Funds committed"})
    client.post(f"/referrals/{ref}/triage", data={"decision": "accept"})
    page = client.get(f"/referrals/{ref}").get_data(as_text=True)
    assert "Waitlist → Enrolled (active)" in page and "New, not triaged → Waitlist" in page
    assert page.index("Waitlist → Enrolled (active)") < page.index("New, not triaged → Waitlist")
    assert 'name="decision"' not in page                     # enrolled: triage is done
    with app.app_context():
        views = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "view",
                                                               AuditEvent.member_id == member_id)).all()
        assert views                                        # opening a referral is a view of member data


def test_demo_seed_gives_every_triaged_referral_a_consistent_history(app):
    from hrsn.models.core import local_day, utcnow
    from hrsn.seed import run
    with app.app_context():
        run(members=20, password="demo pass 123", rng_seed=1)
        referrals = db.session.scalars(db.select(Referral)).all()
        statuses, redecided = set(), 0
        for referral in referrals:
            steps = list(reversed(referral.decisions))        # oldest first
            statuses.add(referral.status)
            if referral.status == "new":
                assert steps == []
                continue
            assert steps and steps[0].from_status == "new"
            assert all(a.to_status == b.from_status for a, b in zip(steps, steps[1:]))
            final = "enrolled" if referral.status == "closed" else referral.status
            assert steps[-1].to_status == final
            for step in steps:
                assert step.decided_by.role in ("coordinator", "case_manager")
                assert referral.received_on <= local_day(step.decided_at) and step.decided_at <= utcnow()
                assert step.reason or step.decision == "accept"
                assert (step.redirect_to is not None) == (step.decision == "redirect")
            redecided += len(steps) > 1
        assert {"new", "waitlist", "enrolled", "redirected", "declined", "closed"} <= statuses
        assert redecided >= 1


def test_redirect_offers_the_directorys_other_providers_of_the_service(app, client, auth):
    from hrsn.models import Organization
    with app.app_context():
        ref = make_member("Ana", "García", services=["rent"]).latest_referral.id
        rent = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "rent"))
        utility = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "utility"))
        for name, provides, preferred in (("Casa Rent Help", rent, False), ("Valley Housing", rent, True),
                                          ("Power Aid", utility, False)):
            organization = Organization(preferred_partner=preferred)
            organization.set_name(name)
            organization.hrsn_services = [provides]
            db.session.add(organization)
        db.session.commit()
    auth.login("coordinator")
    page = client.get(f"/referrals/{ref}").get_data(as_text=True)
    offered = re.findall(r'<option value="([^"]+)">', page[page.index(f'id="redirect-options-{ref}"'):])
    assert offered[:2] == ["Valley Housing", "Casa Rent Help"] and "Power Aid" not in offered
    assert f'list="redirect-options-{ref}"' in page


def test_today_and_the_queue_count_what_their_lines_do_not_show(app, client, auth, queries):
    """A section with fewer lines than it shows needs no COUNT; one with more says how many there are in all."""
    with app.app_context():
        for i in range(3):
            make_member(f"Few{i}", "Person")
    auth.login("coordinator")
    with queries as q:
        page = client.get("/").get_data(as_text=True)
    few = q.count
    section = page[page.index('id="today-referrals"'):]
    assert re.search(r'class="count">3<', section[:section.index("</h2>")])
    with app.app_context():
        for i in range(9):
            make_member(f"More{i}", "Person")
    with queries as q:
        page = client.get("/").get_data(as_text=True)
    section = page[page.index('id="today-referrals"'):]
    assert re.search(r'class="count">12<', section[:section.index("</h2>")])
    assert section[:section.index("</section>")].count("Person</a>") == 8
    # The unassigned and the payer deadlines near are twelve each now, more than eight lines hold: both counted,
    # on SQLite in one statement of every full section's count, on PostgreSQL in the statement of its lines.
    assert q.count == few + (0 if ON_POSTGRES else 1)
    with app.test_request_context():
        from hrsn.today import Later, Section, settle
        sections = [Section("a", "A", total=Later(db.select(Member).where(Member.first_name.like("More%")))),
                    Section("b", "B", total=5), Section("c", "C", total=Later(db.select(Member)))]
        settle(sections)
        assert [section.count for section in sections] == [9, 5, 12]
    # The queue: twelve on a page of 25 are counted from the rows; a page past the end shows none and still counts.
    queue = client.get("/referrals/?queue=new").get_data(as_text=True)
    assert counts(queue)[0] == 12 and len(names_in_order(queue)) == 12
    past = client.get("/referrals/?queue=new&page=3").get_data(as_text=True)
    assert counts(past)[0] == 12 and names_in_order(past) == []


def test_the_archive_lists_the_latest_first_page_by_page_for_each_rule(app, client, auth):
    """The closed queue is walked by the day received from the newest (ids break a tie, the newest first): the same
    order on every page, for who sees everyone and for a case manager (their members only), searched or not."""
    with app.app_context():
        cm = make_user("case_manager", email="cm@test.local")
        for n in range(27):
            make_member("Closed", f"N{n:02d}", status=("closed", "declined", "redirected")[n % 3],
                        received_on=org_today() - timedelta(days=n // 2), assignee=cm if n % 2 else None)
        make_member("Still", "New", received_on=org_today(), assignee=cm)
    # Received the same day, the one saved later comes first: N01 before N00, N03 before N02...
    newest_first = [f"Closed N{n:02d}" for pair in range(14) for n in (2 * pair + 1, 2 * pair) if n < 27]
    auth.login("coordinator")
    first = client.get("/referrals/?queue=closed").get_data(as_text=True)
    second = names_in_order(client.get("/referrals/?queue=closed&page=2").get_data(as_text=True))
    assert names_in_order(first) + second == newest_first and len(second) == 2
    assert counts(first) == [1, 0, 0, 27]
    searched = client.post("/referrals/", data={"q": "n2", "to_queue": "closed"}).get_data(as_text=True)
    assert names_in_order(searched) == [name for name in newest_first if "N2" in name]
    auth.logout()
    client.post("/login", data={"email": "cm@test.local", "password": PASSWORD})
    theirs = names_in_order(client.get("/referrals/?queue=closed").get_data(as_text=True))
    assert theirs == [name for name in newest_first if int(name[-2:]) % 2]
