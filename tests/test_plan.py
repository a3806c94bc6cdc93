"""The Health Action Plan: needs (by hand and from a screening, once), goals and progress, referrals out through
their lifecycle with its refusals, the summary counted in SQL, consent warnings kept, the organization's own cases
by need, and the printed plan (member copy without staff notes, in the member's language)."""
import io
import threading
from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader

from cases_helpers import HX
from conftest import PASSWORD, announced, events, make_member, make_user, org_today
from hrsn.extensions import db
from hrsn.models import (OUT_HL7, OUT_MOVES, OUT_STATUSES, AuditEvent, Consent, ContactAttempt, Goal, GoalProgress,
                         Need, Plan, PlanCopy, ReferralOut, ReferralOutStep, Screening, ScreeningInstrument,
                         add_goal_progress, add_need, need_domain_of_screening, NEED_DOMAINS)

HTML = '<font color=red>Hi</font><img src=x> & <script>alert(1)</script>'


@pytest.fixture
def cm(app, auth):
    return auth.login("case_manager", email="maria@test.local", name="Maria Lopez", locale="en")


@pytest.fixture
def member_id(app, cm):
    with app.app_context():
        return make_member("Rosa", "Núñez", assignee=cm, status="enrolled", preferred_language="es").id


def read(app, fn):
    with app.app_context():
        return fn()


def screening(app, member_id, results, days_ago=3):
    def add():
        instrument = db.session.scalar(db.select(ScreeningInstrument).limit(1))
        row = Screening(member_id=member_id, instrument_id=instrument.id, language="en", domains=list(results),
                        answers={}, results={code: {"positive": positive, "score": 1}
                                             for code, positive in results.items()},
                        status="complete",
                        completed_at=datetime.combine(org_today() - timedelta(days=days_ago), time(20, 0)))
        db.session.add(row)
        db.session.commit()
        return row.id
    return read(app, add)


def needs_of(app, member_id):
    return read(app, lambda: [(n.domain, n.source, n.screening_id is not None) for n in db.session.scalars(
        db.select(Need).where(Need.member_id == member_id).order_by(Need.id))])


def add_referral(client, member_id, **extra):
    data = {"made_on": org_today().isoformat(), "organization_name": "Marion Food Share", "service_name": "Pantry",
            "method": "phone", "consent_checked": "y", "consent_warned": "y", "need_id": "", "owner_id": "",
            "feedback_helped": "", **extra}
    response = client.post(f"/members/{member_id}/plan/referrals/new", data=data)
    return response


def newest_referral(app, member_id):
    return read(app, lambda: db.session.scalar(db.select(ReferralOut.id).where(ReferralOut.member_id == member_id)
                                               .order_by(ReferralOut.id.desc()).limit(1)))


def move(client, app, member_id, referral_id, to, **extra):
    version = read(app, lambda: db.session.get(ReferralOut, referral_id).version)
    data = {"move-to": to, "move-on": org_today().isoformat(), "move-version": str(version), **extra}
    return client.post(f"/members/{member_id}/plan/referrals/{referral_id}/move", data=data, headers=HX)


# The model's one table of statuses ---------------------------------------------------------------------------

def test_every_status_has_moves_and_one_hl7_code():
    assert set(OUT_STATUSES) == set(OUT_MOVES) == set(OUT_HL7)
    assert set(OUT_HL7.values()) <= {"requested", "accepted", "in-progress", "on-hold", "completed", "rejected",
                                     "cancelled", "failed"}
    assert OUT_HL7["waitlisted"] == "on-hold" and OUT_HL7["delivered"] == "completed"
    assert "delivered" not in OUT_MOVES["sent"]
    for code in ("living", "food", "transportation", "utilities", "safety", "employment", "support", "mental_health",
                 "substance_use", "disabilities", "something_new"):
        assert need_domain_of_screening(code) in NEED_DOMAINS
    assert need_domain_of_screening("living") == "housing" and need_domain_of_screening("something_new") == "other"


# Needs ------------------------------------------------------------------------------------------------------

def test_positive_screening_domains_become_needs_once(app, client, member_id):
    first = screening(app, member_id, {"living": True, "food": False, "safety": True, "support": True})
    assert client.get(f"/members/{member_id}/plan").status_code == 200
    assert needs_of(app, member_id) == [("housing", "screening", True), ("safety", "screening", True),
                                        ("family_support", "screening", True)]
    client.get(f"/members/{member_id}/plan")
    assert len(needs_of(app, member_id)) == 3                   # once: the screening is applied
    need_id = read(app, lambda: db.session.scalar(db.select(Need.id).where(Need.domain == "safety")))
    edit = {"domain": "safety", "priority": "1", "status": "in_progress", "version": "1"}
    assert client.post(f"/members/{member_id}/plan/needs/{need_id}/edit", data={**edit, "source": "check-in"}).status_code == 422
    assert client.post(f"/members/{member_id}/plan/needs/{need_id}/edit", data={**edit, "source": "screening"}).status_code == 302
    screening(app, member_id, {"living": True, "food": True}, days_ago=1)
    page = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    assert needs_of(app, member_id)[-1] == ("food", "screening", True) and len(needs_of(app, member_id)) == 4
    assert "Screening" in page and "Housing" in page
    source_on = read(app, lambda: db.session.scalar(db.select(Need.source_on).where(Need.screening_id == first).limit(1)))
    assert source_on == org_today() - timedelta(days=3)


def test_a_need_added_by_hand_is_checked_and_shown_as_text(app, client, member_id):
    url = f"/members/{member_id}/plan/needs/new"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"domain": "castle", "priority": "2", "status": "identified",
                                  "source": "conversation"}).status_code == 422
    assert client.post(url, data={"domain": "housing", "priority": "9", "status": "identified",
                                  "source": "conversation"}).status_code == 422
    assert client.post(url, data={"domain": "housing", "priority": "1", "status": "identified", "source": "conversation",
                                  "description": "x" * 2001}).status_code == 422
    response = client.post(url, data={"domain": "housing", "priority": "1", "status": "identified",
                                      "source": "conversation", "description": HTML, "staff_note": "Landlord is hostile"})
    assert response.status_code == 302
    page = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    assert "&lt;font color=red&gt;" in page and "<font color=red>" not in page and "<script>alert" not in page
    need = read(app, lambda: db.session.scalar(db.select(Need).where(Need.member_id == member_id)))
    assert (need.priority, need.status, need.created_by_id is not None) == (1, "identified", True)
    plan = read(app, lambda: db.session.scalar(db.select(Plan).where(Plan.member_id == member_id)))
    assert plan.review_due_on is not None and plan.changed_since_print


def test_a_stale_need_edit_is_refused_keeping_what_was_typed(app, client, member_id):
    need_id = read(app, lambda: (add_need(member_id, "food", source="conversation"), db.session.commit())[0].id)
    data = {"domain": "food", "priority": "2", "status": "in_progress", "source": "conversation", "version": "1"}
    assert client.post(f"/members/{member_id}/plan/needs/{need_id}/edit", data=data).status_code == 302
    response = client.post(f"/members/{member_id}/plan/needs/{need_id}/edit",
                           data={**data, "status": "met", "description": "typed meanwhile"})
    assert response.status_code == 409 and "typed meanwhile" in response.get_data(as_text=True)


# Goals ------------------------------------------------------------------------------------------------------

def test_goals_in_the_members_words_with_needs_and_progress(app, client, member_id):
    need_id = read(app, lambda: (add_need(member_id, "housing", source="conversation"), db.session.commit())[0].id)
    other = read(app, lambda: make_member("Otro", "Miembro").id)
    other_need = read(app, lambda: (add_need(other, "food", source="conversation"), db.session.commit())[0].id)
    url = f"/members/{member_id}/plan/goals/new"
    assert client.post(url, data={"text": "Stay in my apartment", "needs": [str(other_need)],
                                  "status": "active"}).status_code == 422          # another member's need
    assert client.post(url, data={"text": "", "status": "active"}).status_code == 422
    assert client.post(url, data={"text": "Stay in my apartment", "needs": [str(need_id)], "status": "active",
                                  "target_on": (org_today() + timedelta(days=90)).isoformat()}).status_code == 302
    goal_id = read(app, lambda: db.session.scalar(db.select(Goal.id).where(Goal.member_id == member_id)))
    response = client.post(f"/members/{member_id}/plan/goals/{goal_id}/progress", data={"progress-text": ""},
                           headers=HX)
    assert response.status_code == 422
    response = client.post(f"/members/{member_id}/plan/goals/{goal_id}/progress",
                           data={"progress-text": "Paid half of the rent"}, headers=HX)
    assert response.status_code == 200 and "Paid half of the rent" in response.get_data(as_text=True)
    # The seam a check-in calls.
    def from_check_in():
        add_goal_progress(db.session.get(Goal, goal_id), "Said the landlord agreed", source="check-in", source_id=7)
        db.session.commit()
        return [(p.source, p.source_id) for p in db.session.scalars(db.select(GoalProgress).order_by(GoalProgress.id))]
    assert read(app, from_check_in) == [("conversation", None), ("check-in", 7)]

    def need_met_at_check_in():
        from hrsn.models import set_need_status
        set_need_status(db.session.get(Need, need_id), "met")
        db.session.commit()
        plan = db.session.scalar(db.select(Plan).where(Plan.member_id == member_id))
        return db.session.get(Need, need_id).status, plan.review_due_on
    assert read(app, need_met_at_check_in) == ("met", org_today())
    assert read(app, lambda: [n.id for n in db.session.get(Goal, goal_id).needs]) == [need_id]


# Referrals out ----------------------------------------------------------------------------------------------

def test_a_referral_out_without_consent_needs_the_warning_which_is_kept(app, client, member_id):
    response = add_referral(client, member_id, consent_checked="", consent_warned="")
    assert response.status_code == 422
    assert "no valid consent" in response.get_data(as_text=True)
    assert read(app, lambda: db.session.scalar(db.select(db.func.count(ReferralOut.id)))) == 0
    assert add_referral(client, member_id, consent_checked="", consent_warned="y").status_code == 302
    referral = read(app, lambda: db.session.get(ReferralOut, newest_referral(app, member_id)))
    assert referral.consent_warning and referral.consent_warned_at and referral.status == "sent"
    # Consent on file that names the organization: no warning needed, none recorded.
    def consent():
        db.session.add(Consent(member_id=member_id, given_on=org_today() - timedelta(days=1), form="signed",
                               scope="Share with Marion Food Share and the housing authority", recorded_by_id=1))
        db.session.commit()
    read(app, consent)
    assert add_referral(client, member_id, consent_warned="").status_code == 302
    referral = read(app, lambda: db.session.get(ReferralOut, newest_referral(app, member_id)))
    assert referral.consent_checked and referral.consent_warning is None
    # ...and one it does not name still needs the warning.
    assert add_referral(client, member_id, organization_name="Other Org", consent_warned="").status_code == 422


def test_the_lifecycle_allows_forward_moves_and_refuses_jumps(app, client, member_id):
    need_id = read(app, lambda: (add_need(member_id, "food", source="conversation"), db.session.commit())[0].id)
    made_on = org_today() - timedelta(days=20)
    assert add_referral(client, member_id, need_id=str(need_id), made_on=made_on.isoformat()).status_code == 302
    rid = newest_referral(app, member_id)
    # Delivered before it was even accepted or started: refused, nothing changes.
    response = move(client, app, member_id, rid, "delivered", **{"move-delivered_what": "box"})
    assert response.status_code == 409 and "cannot become" in announced(response)
    assert move(client, app, member_id, rid, "bogus").status_code == 422
    # A day before the referral was made, a confirmation before it: refused with a clear message.
    response = move(client, app, member_id, rid, "accepted", **{"move-on": (made_on - timedelta(days=1)).isoformat()})
    assert response.status_code == 422
    response = move(client, app, member_id, rid, "accepted", **{
        "move-confirmed_on": (made_on - timedelta(days=2)).isoformat(), "move-confirmed_how": "organization"})
    assert response.status_code == 422 and "confirmed before the referral was made" in response.get_data(as_text=True)
    response = move(client, app, member_id, rid, "accepted")
    assert response.status_code == 200 and events(response) == {"referralOutChanged"}
    assert 'data-status="accepted"' in response.get_data(as_text=True)
    later = (org_today() + timedelta(days=30)).isoformat()
    assert move(client, app, member_id, rid, "waitlisted", **{"move-expected_start_on": later}).status_code == 200
    assert move(client, app, member_id, rid, "started").status_code == 200
    assert move(client, app, member_id, rid, "delivered").status_code == 422      # what was delivered?
    response = move(client, app, member_id, rid, "delivered", **{
        "move-delivered_what": ["box", "snap"], "move-delivered_note": "Two boxes",
        "move-confirmed_on": org_today().isoformat(), "move-confirmed_how": "member"})
    assert response.status_code == 200
    referral = read(app, lambda: db.session.get(ReferralOut, rid))
    assert (referral.status, referral.delivered_codes, referral.delivered_note, referral.confirmed_how) == \
        ("delivered", ["box", "snap"], "Two boxes", "member")
    assert referral.hl7_status == "completed" and referral.delivered_on == org_today()
    steps = read(app, lambda: [(s.from_status, s.to_status, s.by_id is not None) for s in db.session.scalars(
        db.select(ReferralOutStep).where(ReferralOutStep.referral_out_id == rid).order_by(ReferralOutStep.id))])
    assert steps == [(None, "sent", True), ("sent", "accepted", True), ("accepted", "waitlisted", True),
                     ("waitlisted", "started", True), ("started", "delivered", True)]
    assert move(client, app, member_id, rid, "sent").status_code == 409           # delivered is final
    # A stale version is refused.
    assert client.post(f"/members/{member_id}/plan/referrals/{rid}/move", headers=HX, data={
        "move-to": "ended", "move-on": org_today().isoformat(), "move-version": "1"}).status_code == 409
    audited = read(app, lambda: db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
        AuditEvent.record_type == "ReferralOut", AuditEvent.action == "update")))
    assert audited == 4


def test_a_rows_status_form_is_drawn_when_opened_with_the_version_the_row_was_drawn_from(app, client, member_id):
    add_referral(client, member_id)
    rid = newest_referral(app, member_id)
    form_url = f"/members/{member_id}/plan/referrals/{rid}/move?version=1"
    tab = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    row = tab[tab.index(f'id="out-{rid}"'):tab.index("</tbody>", tab.index(f'id="out-{rid}"'))]
    assert 'class="move-form"' not in row and f'data-hx-get="{form_url}"'.replace("&", "&amp;") in row
    assert 'data-hx-trigger="toggle once"' in row and f'href="{form_url}"' in row     # without htmx: a page
    views = lambda: read(app, lambda: db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(  # noqa: E731
        AuditEvent.action == "view", AuditEvent.member_id == member_id)))
    viewed = views()
    # Opened: the form alone, carrying the version the row showed (a part of the tab already viewed).
    drawn = client.get(form_url, headers=HX).get_data(as_text=True)
    assert drawn.lstrip().startswith("<form") and 'name="move-version" type="hidden" value="1"' in drawn
    assert f'action="/members/{member_id}/plan/referrals/{rid}/move"' in drawn and "<html" not in drawn
    assert views() == viewed
    # Without htmx: the Plan tab with that row's form open, a view of the record.
    page = client.get(form_url).get_data(as_text=True)
    assert "<html" in page and page.count('class="move-form"') == 1 and "<details open" in page
    assert views() == viewed + 1
    # Someone moves it meanwhile; a form opened from the older row is refused on saving, with what changed.
    assert move(client, app, member_id, rid, "accepted").status_code == 200
    stale = client.get(form_url, headers=HX).get_data(as_text=True)
    assert 'value="1"' in stale
    refused = client.post(f"/members/{member_id}/plan/referrals/{rid}/move", headers=HX, data={
        "move-to": "started", "move-on": org_today().isoformat(), "move-version": "1"})
    assert refused.status_code == 409 and "Someone else saved" in refused.get_data(as_text=True)
    assert read(app, lambda: db.session.get(ReferralOut, rid).status) == "accepted"
    # Refused with what was typed: the row comes back with its form open and the typed values kept.
    typed = move(client, app, member_id, rid, "org_declined", **{"move-on": org_today().isoformat()})
    body = typed.get_data(as_text=True)
    assert typed.status_code == 422 and "<details open" in body and 'class="move-form"' in body
    assert '<option value="org_declined" selected>' in body
    # Under another member, the referral is not found.
    other = read(app, lambda: make_member("Otra", "Persona").id)
    assert client.get(f"/members/{other}/plan/referrals/{rid}/move", headers=HX).status_code == 404


def test_declined_by_the_organization_needs_a_reason(app, client, member_id):
    add_referral(client, member_id)
    rid = newest_referral(app, member_id)
    assert move(client, app, member_id, rid, "org_declined").status_code == 422
    assert move(client, app, member_id, rid, "org_declined", **{"move-reason": "No capacity"}).status_code == 200
    assert read(app, lambda: db.session.get(ReferralOut, rid).reason) == "No capacity"


def test_the_summary_counts_received_made_delivered_pending_and_not_delivered(app, client, member_id):
    for name in ("A", "B", "C", "D"):
        add_referral(client, member_id, organization_name=f"Org {name}")
    ids = read(app, lambda: db.session.scalars(db.select(ReferralOut.id).order_by(ReferralOut.id)).all())
    move(client, app, member_id, ids[0], "started")
    move(client, app, member_id, ids[0], "delivered", **{"move-delivered_what": "service"})
    move(client, app, member_id, ids[1], "no_response")
    move(client, app, member_id, ids[2], "waitlisted")
    page = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    assert "received 1 · made 4 · delivered 1 · pending 2 · not delivered 1" in page
    response = client.get(f"/members/{member_id}/plan/summary", headers=HX)
    assert "received 1 · made 4 · delivered 1 · pending 2 · not delivered 1" in response.get_data(as_text=True)


def test_a_referral_out_is_prefilled_from_the_directory(app, client, member_id):
    from hrsn.models import Organization, Phone, Service
    def directory():
        org = Organization(hsds_id="o1")
        org.set_name("Salem Housing Help")
        db.session.add(org)
        db.session.flush()
        service = Service(organization_id=org.id, name="Rent help", application_process="Call first",
                          documents_to_bring="ID and lease", wait_time="2 weeks", fees_description="Free")
        db.session.add(service)
        db.session.flush()
        db.session.add(Phone(organization_id=org.id, number="503-555-0100"))
        db.session.commit()
        return service.id
    service_id = read(app, directory)
    response = client.post(f"/members/{member_id}/plan/referrals/pick", data={"service_id": service_id})
    assert response.status_code == 302 and f"service={service_id}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Salem Housing Help" in page and "ID and lease" in page and "503-555-0100" in page
    assert client.post(response.headers["Location"], data={
        "made_on": org_today().isoformat(), "organization_name": "Salem Housing Help", "method": "warm_handoff",
        "consent_warned": "y", "what_to_bring": "ID, lease and a pay stub", "feedback_helped": ""}).status_code == 302
    referral = read(app, lambda: db.session.get(ReferralOut, newest_referral(app, member_id)))
    assert referral.service_id == service_id and referral.organization_id and \
        referral.what_to_bring == "ID, lease and a pay stub"
    page = client.get(f"/directory/organizations/{referral.organization_id}").get_data(as_text=True)
    assert "made 1 · delivered 0 · pending 1 · not delivered 0 · said it helped 0" in page


def test_referrals_out_with_no_outcome_and_reviews_due_are_on_today(app, client, member_id):
    add_referral(client, member_id, made_on=(org_today() - timedelta(days=15)).isoformat(),
                 organization_name="Late Org")
    add_referral(client, member_id, organization_name="Fresh Org")
    def due():
        plan = db.session.scalar(db.select(Plan).where(Plan.member_id == member_id))
        plan.review_due_on = org_today() - timedelta(days=1)
        db.session.commit()
    read(app, due)
    page = client.get("/").get_data(as_text=True)
    assert "Referral to Late Org: no outcome after 15 days" in page and "Fresh Org" not in page
    assert "Health Action Plan reviews due" in page
    # The day written as the user's language writes it, as everywhere else on Today.
    from babel.dates import format_date
    assert f"Health Action Plan review due {format_date(org_today() - timedelta(days=1), 'medium', 'en')}" in page


def test_todays_statements_built_once_serve_each_user_and_todays_settings(app, client, member_id):
    """Today's sections are statements built once: the user, the day and the settings are bound each time they run.
    Another case manager, signed in after, sees their own referrals out and not these; a setting changed applies
    at once."""
    from hrsn import settings
    add_referral(client, member_id, made_on=(org_today() - timedelta(days=10)).isoformat(),
                 organization_name="Mine Org")
    assert "Referral to Mine Org" not in client.get("/").get_data(as_text=True)     # 10 days: not late yet
    def sooner():
        settings.put("plan_referral_days", 7)
        db.session.commit()
    read(app, sooner)
    assert "Referral to Mine Org: no outcome after 10 days" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    with app.app_context():
        other = make_user("case_manager", email="other-cm@test.local")
        theirs = make_member("Otra", "Persona", assignee=other, status="enrolled").id
    client.post("/login", data={"email": "other-cm@test.local", "password": PASSWORD})
    add_referral(client, theirs, made_on=(org_today() - timedelta(days=9)).isoformat(), organization_name="Their Org")
    page = client.get("/").get_data(as_text=True)
    assert "Referral to Their Org: no outcome after 9 days" in page and "Mine Org" not in page


def test_the_organizations_own_cases_show_by_need(app, client, member_id):
    from hrsn.models import Authorization, Case, FundingSource, ServiceType
    def case():
        service = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "rent"))
        source = db.session.scalar(db.select(FundingSource).limit(1))
        from hrsn.models import Member
        payer_id = db.session.get(Member, member_id).latest_referral.payer_id
        row = Case(member_id=member_id, service_type_id=service.id, payer_id=payer_id, funding_source_id=source.id,
                   opened_on=org_today(), status="open")
        db.session.add(row)
        db.session.flush()
        db.session.add(Authorization(case_id=row.id, member_id=member_id, funding_source_id=source.id, number="A1",
                                     unit="months", quantity=6, start_on=org_today(), end_on=org_today() + timedelta(days=180)))
        db.session.commit()
    read(app, case)
    page = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    assert "Rent assistance" in page and "0 of 6 months paid" in page


# The printed plan ---------------------------------------------------------------------------------------------

def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_member_copy_leaves_out_staff_notes_and_ids_the_staff_copy_has_them(app, client, member_id):
    client.post(f"/members/{member_id}/plan/needs/new", data={
        "domain": "housing", "priority": "1", "status": "identified", "source": "conversation",
        "description": "Behind on rent", "staff_note": "SECRETNOTE landlord"})
    add_referral(client, member_id, staff_note="STAFFONLY remark", phone="503-555-0199",
                 what_to_bring="Photo ID")
    member_copy = client.get(f"/members/{member_id}/plan.pdf?copy=member&language=en")
    assert member_copy.status_code == 200 and member_copy.mimetype == "application/pdf"
    text = pdf_text(member_copy.data)
    assert "Behind on rent" in text and "Photo ID" in text and "503-555-0199" in text
    assert "SECRETNOTE" not in text and "STAFFONLY" not in text and f"Member {member_id}" not in text
    assert "How to ask for changes" in text
    staff_text = pdf_text(client.get(f"/members/{member_id}/plan.pdf?copy=staff&language=en").data)
    assert "SECRETNOTE" in staff_text and "STAFFONLY" in staff_text and f"Member {member_id}" in staff_text
    copies = read(app, lambda: [(c.kind, c.language) for c in db.session.scalars(db.select(PlanCopy).order_by(PlanCopy.id))])
    assert copies == [("member", "en"), ("staff", "en")]
    assert not read(app, lambda: db.session.scalar(db.select(Plan).where(Plan.member_id == member_id)).changed_since_print)


def test_the_plan_prints_in_the_members_language_whatever_the_staffs(app, client, member_id):
    client.post(f"/members/{member_id}/plan/needs/new", data={
        "domain": "food", "priority": "2", "status": "identified", "source": "conversation",
        "description": "Comida para la semana"})
    page = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    assert "Health Action Plan" in page                   # the staff's interface is English
    response = client.get(f"/members/{member_id}/plan.pdf")
    assert 'health-action-plan-member-es.pdf' in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "Mi Plan de Acción de Salud" in text and "Comida" in text and "Necesidades" in text and "Núñez" in text
    assert "My Health Action Plan" not in text


def test_markup_typed_by_a_user_prints_as_literal_text(app, client, member_id):
    client.post(f"/members/{member_id}/plan/needs/new", data={
        "domain": "other", "priority": "2", "status": "identified", "source": "conversation", "description": HTML})
    add_referral(client, member_id, organization_name='<img src="/etc/passwd"> Org', how_to_apply=HTML)
    response = client.get(f"/members/{member_id}/plan.pdf?copy=member&language=en")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "<font color=red>Hi</font><img src=x>" in text.replace("\n", "")
    assert '<img src="/etc/passwd"> Org' in text


def test_a_long_plan_spans_pages_with_headers_and_page_numbers(app, client, member_id):
    def many():
        for i in range(40):
            add_need(member_id, "housing", source="conversation", description=f"Need number {i} " + "word " * 40)
        db.session.commit()
    read(app, many)
    body = client.get(f"/members/{member_id}/plan.pdf?copy=staff&language=en").data
    reader = PdfReader(io.BytesIO(body))
    pages = len(reader.pages)
    assert pages >= 3
    last = reader.pages[-1].extract_text()
    assert f"Page {pages} of {pages}" in last and "Rosa Núñez" in last


def test_two_people_opening_and_printing_one_plan_at_once(app, client, member_id):
    """The GETs that write (a screening turned into needs, a copy recorded) take turns: both answer, the needs
    are made once."""
    screening(app, member_id, {"living": True, "safety": True})
    others = []
    for _n in range(2):
        other = app.test_client()
        assert other.post("/login", data={"email": "maria@test.local", "password": PASSWORD}).status_code == 302
        others.append(other)
    for url in (f"/members/{member_id}/plan", f"/members/{member_id}/plan.pdf?copy=member"):
        start, answers = threading.Barrier(2), []

        def get(other, url=url, start=start, answers=answers):
            start.wait()
            answers.append(other.get(url).status_code)
        threads = [threading.Thread(target=get, args=(other,)) for other in others]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200, 200], url
    assert needs_of(app, member_id) == [("housing", "screening", True), ("safety", "screening", True)]
    assert read(app, lambda: db.session.scalar(db.select(db.func.count(PlanCopy.id)))) == 2


def test_printing_the_member_copy_is_no_edit_of_the_plan(app, client, member_id):
    """The day of the member's copy is kept, the plan's version is not moved: a colleague saving the plan with the
    version read before the print sees no conflict, and two people printing at once do not refuse each other."""
    client.get(f"/members/{member_id}/plan.pdf?copy=member")       # the first copy stores the plan
    before = read(app, lambda: db.session.scalar(db.select(Plan).where(Plan.member_id == member_id)))
    assert before.member_printed_at is not None and not before.changed_since_print
    assert client.get(f"/members/{member_id}/plan.pdf?copy=member").status_code == 200
    after = read(app, lambda: db.session.scalar(db.select(Plan).where(Plan.member_id == member_id)))
    assert after.version == before.version and after.member_printed_at >= before.member_printed_at


def test_giving_the_member_copy_is_logged_as_a_contact_in_one_click(app, client, member_id):
    client.get(f"/members/{member_id}/plan.pdf?copy=member")
    copy_id = read(app, lambda: db.session.scalar(db.select(PlanCopy.id)))
    page = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    assert "Log it as a contact" in page
    response = client.post(f"/members/{member_id}/plan/copies/{copy_id}/contact", data={"copy-how": "mail"}, headers=HX)
    assert response.status_code == 200 and "contactLogged" in events(response)
    contact = read(app, lambda: db.session.scalar(db.select(ContactAttempt)))
    assert (contact.method, contact.outcome) == ("mail", "message_sent")
    client.post(f"/members/{member_id}/plan/copies/{copy_id}/contact", data={"copy-how": "mail"}, headers=HX)
    assert read(app, lambda: db.session.scalar(db.select(db.func.count(ContactAttempt.id)))) == 1


def test_another_caseload_cannot_open_or_change_the_plan(app, client, member_id, auth):
    auth.logout()
    auth.login("case_manager", email="other@test.local")
    assert client.get(f"/members/{member_id}/plan").status_code == 404
    assert client.get(f"/members/{member_id}/plan.pdf").status_code == 404
    assert add_referral(client, member_id).status_code == 404
    auth.logout()
    auth.login("finance", email="fin@test.local")
    assert client.get(f"/members/{member_id}/plan").status_code == 403


def test_secondary_staff_added_by_a_coordinator_may_open_the_record(app, client, member_id, auth):
    with app.app_context():
        navigator = make_user("case_manager", email="nav@test.local", name="Nadia Navigator")
        navigator_id = navigator.id
    # A case manager cannot add staff; a coordinator can.
    assert client.post(f"/members/{member_id}/plan/staff", data={"staff-user_id": navigator_id}).status_code == 403
    auth.logout()
    auth.login("coordinator", email="co@test.local")
    response = client.post(f"/members/{member_id}/plan/staff", headers=HX,
                           data={"staff-user_id": navigator_id, "staff-role": "Housing navigator"})
    assert response.status_code == 200 and "Nadia Navigator" in response.get_data(as_text=True)
    auth.logout()
    client.post("/login", data={"email": "nav@test.local", "password": "correct horse battery"})
    assert client.get(f"/members/{member_id}/plan").status_code == 200


def test_the_plan_works_on_postgresql(pg_app):
    """The summary's aggregates, the moves, the Today sections and the PDF on PostgreSQL."""
    from conftest import Auth
    client = pg_app.test_client()
    cm = Auth(client, pg_app).login("case_manager", email="pg@test.local")
    with pg_app.app_context():
        member = make_member("Rosa", "Núñez", assignee=cm, status="enrolled", preferred_language="es").id
    screening(pg_app, member, {"living": True, "food": True})
    assert client.get(f"/members/{member}/plan").status_code == 200
    assert add_referral(client, member, made_on=(org_today() - timedelta(days=20)).isoformat()).status_code == 302
    rid = newest_referral(pg_app, member)
    assert move(client, pg_app, member, rid, "delivered").status_code == 409
    assert move(client, pg_app, member, rid, "started").status_code == 200
    add_referral(client, member, organization_name="Second")
    page = client.get(f"/members/{member}/plan").get_data(as_text=True)
    assert "received 1 · made 2 · delivered 0 · pending 2 · not delivered 0" in page and "Housing" in page
    assert "no outcome after 20 days" in client.get("/").get_data(as_text=True)
    assert "Mi Plan de Acción de Salud" in pdf_text(client.get(f"/members/{member}/plan.pdf").data)


def test_supports_preferences_benefits_barriers_meetings_review_and_sign_off(app, client, member_id, auth):
    from hrsn.models import Barrier, Benefit, CareMeeting, PlanPreferences, Support
    url = f"/members/{member_id}/plan"
    assert client.post(f"{url}/supports/new", data={"name": "", "role": "family"}).status_code == 422
    assert client.post(f"{url}/supports/new", data={"name": "Lucía Ramos", "role": "family", "relation": "Sister",
                                                    "sharing_allowed": "y"}).status_code == 302
    assert client.post(f"{url}/preferences", data={"contact_how": "Text first", "what_matters": "My kids' school",
                                                   "where_to_find": "At her sister's"}).status_code == 302
    assert client.post(f"{url}/benefits", data={"benefit-program": "castle"}, headers=HX).status_code == 422
    assert client.post(f"{url}/benefits", data={"benefit-program": "snap", "benefit-detail": "$200 a month"},
                       headers=HX).status_code == 200
    assert client.post(f"{url}/barriers", data={"barrier-kind": "transport", "barrier-note": "No car"},
                       headers=HX).status_code == 200
    assert client.post(f"{url}/meetings", data={"meeting-held_on": org_today().isoformat(), "meeting-attendees": ""},
                       headers=HX).status_code == 422
    response = client.post(f"{url}/meetings", headers=HX, data={
        "meeting-held_on": org_today().isoformat(), "meeting-attendees": "Maria, the landlord, Salem Housing Help",
        "meeting-decisions": "Two months of rent from the county"})
    assert response.status_code == 200 and "Two months of rent from the county" in response.get_data(as_text=True)
    assert read(app, lambda: [db.session.scalar(db.select(db.func.count(m.id)))
                              for m in (Benefit, Barrier, CareMeeting)]) == [1, 1, 1]
    plan = read(app, lambda: db.session.scalar(db.select(Plan).where(Plan.member_id == member_id)))
    check_in = (org_today() + timedelta(days=10)).isoformat()
    response = client.post(f"{url}/review", headers=HX, data={"review-next_check_in_on": check_in,
                                                              "review-version": str(plan.version)})
    assert response.status_code == 200
    plan = read(app, lambda: db.session.scalar(db.select(Plan).where(Plan.member_id == member_id)))
    assert plan.reviewed_on == org_today() and plan.review_due_on > org_today() + timedelta(days=150)
    assert plan.next_check_in_on.isoformat() == check_in
    assert client.post(f"{url}/review", headers=HX, data={"review-version": "1"}).status_code == 409
    assert client.post(f"{url}/sign-off", headers=HX).status_code == 403              # a case manager
    text = pdf_text(client.get(f"{url}.pdf?language=en").data)
    assert "Lucía Ramos" in text and "Text first" in text and "My kids' school" in text and "$200 a month" in text
    assert "At her sister's" not in text                                           # staff only
    assert "At her sister's" in pdf_text(client.get(f"{url}.pdf?copy=staff&language=en").data)
    auth.logout()
    auth.login("coordinator", email="boss@test.local", name="Carmen Boss")
    assert client.post(f"{url}/sign-off", headers=HX).status_code == 200
    assert "Signed off by Carmen Boss" in pdf_text(client.get(f"{url}.pdf?copy=staff&language=en").data)
    assert read(app, lambda: db.session.scalar(db.select(db.func.count(Support.id)))) == 1
    assert read(app, lambda: db.session.scalar(db.select(PlanPreferences.contact_how))) == "Text first"


def test_supports_benefits_and_barriers_are_listed_by_pages(app, client, member_id):
    """A long-known member's supports, benefits and barriers: twenty a page, none hidden past the twentieth."""
    from hrsn.models import Barrier, Benefit, Support
    from hrsn.models.plan import BARRIER_KINDS, BENEFIT_PROGRAMS

    def many():
        program, kind = next(iter(BENEFIT_PROGRAMS)), next(iter(BARRIER_KINDS))
        db.session.add_all(Benefit(member_id=member_id, program=program, detail=f"benefit {i:02d}")
                           for i in range(23))
        db.session.add_all(Barrier(member_id=member_id, kind=kind, note=f"barrier {i:02d}") for i in range(21))
        db.session.add_all(Support(member_id=member_id, name=f"Support {i:02d}") for i in range(22))
        db.session.commit()
    read(app, many)
    first = client.get(f"/members/{member_id}/plan").get_data(as_text=True)
    assert first.count("benefit ") == 20 and "benefit 19" in first and "benefit 20" not in first
    assert first.count("barrier ") == 20 and "barrier 20" in first and "barrier 00" not in first   # newest first
    assert first.count("<li>Support ") == 20 and 'aria-label="Pages of benefits"' in first
    assert f'href="/members/{member_id}/plan?benefits=2"' in first
    pager = first[first.index('aria-label="Pages of benefits"'):]
    assert f'href="/members/{member_id}/plan?benefits=2">Next</a>' in pager[:pager.index("</nav>")]   # not by date
    second = client.get(f"/members/{member_id}/plan?benefits=2&barriers=2&supports=2").get_data(as_text=True)
    assert [n for n in range(23) if f"benefit {n:02d}" in second] == [20, 21, 22]
    assert "barrier 00" in second and second.count("barrier ") == 1
    assert "<li>Support 20" in second and "<li>Support 21" in second and second.count("<li>Support ") == 2
