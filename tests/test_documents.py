"""The documents step: checklists from the services requested, steps dated and attributed, asking for what
is missing in the member's language, versions, landlords shared between members, and eligibility."""
import io
import re
from datetime import timedelta

import pytest

from conftest import make_member, make_user, org_today
from hrsn.extensions import db
from hrsn.models import (AuditEvent, ChecklistItem, ContactAttempt, Document, EligibilityCheck, Member,
                         MemberThirdParty, ThirdParty, eligibility_status, payee_choices)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def member_id(app):
    with app.app_context():
        return make_member("Rosa", "Núñez", status="enrolled", services=["rent", "utility"],
                           phone="(503) 555-0142", email="rosa@example.org").id


def items(app, member_id) -> dict[str, ChecklistItem]:
    with app.app_context():
        rows = db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.member_id == member_id)).all()
        return {row.name_en: row for row in rows}


def test_checklist_follows_the_services_and_lists_shared_documents_once(app, client, auth, member_id):
    auth.login("coordinator")
    page = client.get(f"/members/{member_id}/documents").get_data(as_text=True)
    names = list(items(app, member_id))
    assert len(names) == 8 and names.count("Proof of income") == 1
    assert {"Lease or rental agreement", "Photo ID", "Shut-off notice", "Utility account number"} <= set(names)
    assert page.index("Lease or rental agreement") < page.index("Current utility bill")
    client.get(f"/members/{member_id}/documents")
    assert len(items(app, member_id)) == 8                       # opening it again adds nothing
    spanish = client.get(f"/members/{member_id}/documents", headers={"Accept-Language": "es"})
    auth.logout()
    auth.login("coordinator", locale="es")
    assert "Comprobante de ingresos" in client.get(f"/members/{member_id}/documents").get_data(as_text=True)
    assert spanish.status_code == 200


def test_items_move_step_by_step_dated_and_attributed(app, client, auth, member_id):
    user = auth.login("coordinator")
    client.get(f"/members/{member_id}/documents")
    item = items(app, member_id)["Photo ID"]
    url = f"/members/{member_id}/documents/items/{item.id}/move"
    assert client.post(url, data={"to": "sent"}, headers={"HX-Request": "true"}).status_code == 409
    for step in ("requested", "received", "sent"):
        response = client.post(url, data={"to": step}, headers={"HX-Request": "true"})
        assert response.status_code == 200 and f'data-status="{step}"' in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(ChecklistItem, item.id)
        assert row.status == "sent" and row.updated_by_id == user.id
        assert [(s.from_status, s.to_status, s.by_id) for s in reversed(row.steps)] == [
            ("needed", "requested", user.id), ("requested", "received", user.id), ("received", "sent", user.id)]
        trail = db.session.scalars(db.select(AuditEvent).where(AuditEvent.record_type == "ChecklistItem")).all()
        assert [e.changes["status"] for e in trail] == [["needed", "requested"], ["requested", "received"], ["received", "sent"]]


def test_waiving_needs_a_reason_and_can_be_undone(app, client, auth, member_id):
    auth.login("coordinator")
    client.get(f"/members/{member_id}/documents")
    item = items(app, member_id)["Shut-off notice"]
    url = f"/members/{member_id}/documents/items/{item.id}/move"
    refused = client.post(url, data={"to": "waived", "reason": "  "}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Say why this document is not needed." in refused.get_data(as_text=True)
    client.post(url, data={"to": "waived", "reason": "No notice yet; the bill is only late"})
    with app.app_context():
        assert db.session.get(ChecklistItem, item.id).waived_reason == "No notice yet; the bill is only late"
    client.post(url, data={"to": "needed"})
    with app.app_context():
        row = db.session.get(ChecklistItem, item.id)
        assert (row.status, row.waived_reason, len(row.steps)) == ("needed", None, 2)


def test_asking_for_missing_documents_in_the_members_language(app, client, auth, member_id):
    auth.login("coordinator")
    client.get(f"/members/{member_id}/documents")
    photo = items(app, member_id)["Photo ID"]
    client.post(f"/members/{member_id}/documents/items/{photo.id}/move", data={"to": "received"})
    assert client.post(f"/members/{member_id}/documents/request", data={"channel": "fax"}).status_code == 422
    response = client.post(f"/members/{member_id}/documents/request", data={"channel": "text"},
                           headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "sms:5035550142?body=" in page
    with app.app_context():
        contact = db.session.scalar(db.select(ContactAttempt))
        assert contact.method == "text" and contact.direction == "outbound" and contact.outcome == "message_sent"
        assert "Todavía necesitamos: " in contact.message_text
        assert "Comprobante de ingresos" in contact.message_text and "Identificación con foto" not in contact.message_text
        statuses = {row.name_en: row.status for row in
                    db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.member_id == member_id))}
        assert statuses["Photo ID"] == "received" and statuses["Proof of income"] == "requested"
    assert "Asked for 7 missing documents." in client.get(f"/members/{member_id}/contact").get_data(as_text=True)


def test_replacing_keeps_every_version(app, client, auth, member_id):
    auth.login("coordinator")
    first = client.post(f"/members/{member_id}/documents/upload", data={"title": "Signed consent",
                        "file": (io.BytesIO(PDF), "consent.pdf")})
    assert first.status_code == 302
    with app.app_context():
        document_id = db.session.scalar(db.select(Document.id))
    second = PDF.replace(b"Catalog", b"Catalog/Lang(es)")
    client.post(f"/members/{member_id}/documents/{document_id}/replace", data={"file": (io.BytesIO(second), "consent-2.pdf")})
    page = client.get(f"/members/{member_id}/documents").get_data(as_text=True)
    urls = re.findall(r'href="(/members/\d+/documents/files/\d+)"', page)
    assert [client.get(u).data for u in urls] == [second, PDF]
    assert "version 2" in page and "version 1" in page


def test_third_parties_are_shared_between_members(app, client, auth, member_id):
    with app.app_context():
        second = make_member("Ana", "García", status="enrolled").id
    auth.login("coordinator")
    refused = client.post(f"/members/{member_id}/third-parties", data={"kind": "landlord", "name": "", "phone": "12",
                                                                      "email": "nope"}, headers={"HX-Request": "true"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Enter a name." in page and "Enter a 10-digit phone number" in page
    client.post(f"/members/{member_id}/third-parties", data={"kind": "landlord", "name": "Pat O'Hara",
                "organization": "Oak Street Apartments", "phone": "503-555-0199", "preferred_contact": "email",
                "email": "pat@oakst.example"})
    with app.app_context():
        party_id = db.session.scalar(db.select(ThirdParty.id))
    assert client.post(f"/members/{second}/third-parties/link", data={"third_party_id": "999"}).status_code == 422
    client.post(f"/members/{second}/third-parties/link", data={"third_party_id": str(party_id)})
    client.post(f"/members/{second}/third-parties/link", data={"third_party_id": str(party_id)})   # twice: once
    page = client.get(f"/members/{second}/documents").get_data(as_text=True)
    assert "Pat O&#39;Hara (Oak Street Apartments)" in page and "also linked to 1 other member" in page
    edit = client.get(f"/members/{second}/third-parties/{party_id}/edit").get_data(as_text=True)
    assert "These details are shared with 1 other member." in edit
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(MemberThirdParty.id))) == 2
        assert [p.name for p in payee_choices(db.session.get(Member, second))] == ["Pat O'Hara"]
        link_id = db.session.scalar(db.select(MemberThirdParty.id).where(MemberThirdParty.member_id == second))
    client.post(f"/members/{second}/third-parties/{link_id}/unlink")
    with app.app_context():
        assert db.session.get(ThirdParty, party_id) is not None
        assert db.session.scalar(db.select(db.func.count(MemberThirdParty.id))) == 1
    assert client.get(f"/members/{second}/third-parties/{party_id}/edit").status_code == 404
    edited = client.post(f"/members/{member_id}/third-parties/{party_id}/edit", data={
        "kind": "property_manager", "name": "Pat O'Hara", "phone": "(503) 555-0100", "version": "1"})
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(ThirdParty, party_id).kind == "property_manager"


def test_eligibility_is_checked_recorded_and_kept(app, client, auth, member_id):
    auth.login("coordinator")
    url = f"/members/{member_id}/eligibility"
    future = (org_today() + timedelta(days=2)).isoformat()
    for data, message in [({"status": "eligible"}, "Record when Medicaid eligibility was verified"),
                          ({"status": "pending", "medicaid_verified_on": future, "medicaid_verified_how": "mmis"},
                           "The date cannot be in the future."),
                          ({"status": "pending", "medicaid_verified_on": "2026-01-05"}, "Say how eligibility was verified."),
                          ({"status": "pending", "questionnaire_on": future}, "The date cannot be in the future."),
                          ({"status": "pending", "medicaid_verified_on": "2026-02-30", "medicaid_verified_how": "card"},
                           "Enter a date like 2026-03-31."),
                          ({"status": "maybe"}, "Choose an eligibility status.")]:
        response = client.post(url, data=data, headers={"HX-Request": "true"})
        assert response.status_code == 422 and message in response.get_data(as_text=True), message
    with app.app_context():
        assert eligibility_status(db.session.get(Member, member_id)) == "not_checked"
    client.post(url, data={"status": "pending", "questionnaire_on": "2026-11-02", "questionnaire_where": "Payer portal"})
    client.post(url, data={"status": "eligible", "medicaid_verified_on": "2026-11-03", "medicaid_verified_how": "mmis"})
    with app.app_context():
        assert eligibility_status(db.session.get(Member, member_id)) == "eligible"
        assert db.session.scalar(db.select(db.func.count(EligibilityCheck.id))) == 2
    page = client.get(f"/members/{member_id}/documents").get_data(as_text=True)
    assert "State MMIS lookup" in page and "Earlier checks" in page


def test_admin_edits_the_checklist_templates(app, client, auth):
    auth.login("admin")
    refused = client.post("/admin/checklists", data={"service_code": "rent", "name_en": "", "name_es": ""})
    assert refused.status_code == 422 and "Enter the document's name in English." in refused.get_data(as_text=True)
    client.post("/admin/checklists", data={"service_code": "climate", "name_en": "Doctor's note", "name_es": "Nota médica"})
    with app.app_context():
        member_id = make_member("Ana", "García", services=["climate"]).id
    client.get(f"/members/{member_id}/documents")
    assert list(items(app, member_id)) == ["Doctor's note"]
    assert client.post("/admin/checklists", data={"service_code": "nope", "name_en": "x", "name_es": "y"}).status_code == 400


def test_access_rule_on_the_documents_tab(app, client, auth, member_id):
    with app.app_context():
        owner = make_user("case_manager", email="owner@test.local")
        db.session.get(Member, member_id).assignee_id = owner.id
        db.session.commit()
    auth.login("case_manager")
    assert client.get(f"/members/{member_id}/documents").status_code == 404
    assert client.post(f"/members/{member_id}/eligibility", data={"status": "pending"}).status_code == 404
    auth.logout()
    auth.login("finance")
    assert client.get(f"/members/{member_id}/documents").status_code == 403
    auth.logout()
    auth.login("coordinator")
    assert client.get("/admin/checklists").status_code == 403


def test_seed_demo_fills_the_documents_step(app):
    from pathlib import Path

    from hrsn.models import DocumentVersion
    from hrsn.seed import run
    with app.app_context():
        run(members=20, password="demo pass 123", rng_seed=1)
        statuses = set(db.session.scalars(db.select(ChecklistItem.status)))
        assert {"needed", "requested", "received", "sent"} <= statuses
        shared = db.session.execute(db.select(MemberThirdParty.third_party_id, db.func.count())
                                    .group_by(MemberThirdParty.third_party_id)).all()
        assert any(count >= 2 for _party, count in shared)
        versions = db.session.scalars(db.select(DocumentVersion)).all()
        kinds = {v.content_type for v in versions}
        assert kinds == {"application/pdf", "image/png"}
        for version in versions:
            assert (Path(app.instance_path) / "uploads" / version.stored_name).stat().st_size == version.size
        assert {c.status for c in db.session.scalars(db.select(EligibilityCheck))} == {"eligible", "pending"}


def test_the_request_uses_the_admins_template(app, client, auth, member_id):
    auth.login("admin")
    page = client.get("/admin/message-templates").get_data(as_text=True)
    template_id = re.search(r'href="/admin/message-templates/(\d+)">Edit<span class="visually-hidden"> Email asking for '
                            r'missing documents · Spanish', page).group(1)
    saved = client.post(f"/admin/message-templates/{template_id}", data={
        "subject": "Faltan papeles", "body": "{member_first_name}: nos faltan\n{missing_documents}\n{org_name}", "version": "1"})
    assert saved.status_code == 302
    client.get(f"/members/{member_id}/documents")
    client.post(f"/members/{member_id}/documents/request", data={"channel": "email"})
    with app.app_context():
        contact = db.session.scalar(db.select(ContactAttempt))
        assert contact.message_subject == "Faltan papeles"
        assert contact.message_text.startswith("Rosa: nos faltan\n- Contrato de arrendamiento o de renta\n")


def test_today_lists_documents_awaited_for_more_than_three_days(app, client, auth):
    from hrsn.models import utcnow
    user = auth.login("case_manager")
    with app.app_context():
        me = db.session.get(type(user), user.id)
        waiting = make_member("Rosa", "Núñez", assignee=me, status="enrolled", phone="(503) 555-0142").id
        fresh = make_member("Ana", "García", assignee=me, status="enrolled", phone="(503) 555-0143").id
    for member_id in (waiting, fresh):
        client.get(f"/members/{member_id}/documents")
        client.post(f"/members/{member_id}/documents/request", data={"channel": "text"})
    with app.app_context():
        for item in db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.member_id == waiting)):
            item.updated_at = utcnow() - timedelta(days=8)
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    section = page[page.index('id="today-documents"'):]
    section = section[:section.index("</section>")]
    assert "Rosa Núñez" in section and "5 documents asked for since" in section and 'class="late"' in section
    assert "Ana García" not in section


def test_finding_a_third_party_on_file_to_link(app, client, auth, member_id):
    with app.app_context():
        second = make_member("Ana", "García", status="enrolled").id
        db.session.add_all([ThirdParty(kind="landlord", name="Pat O'Hara", organization="Oak Street Apartments"),
                            ThirdParty(kind="utility", name="Customer service", organization="NW Natural"),
                            ThirdParty(kind="landlord", name="100% Rentals")])
        db.session.commit()
        oak = db.session.scalar(db.select(ThirdParty.id).where(ThirdParty.name == "Pat O'Hara"))
    auth.login("coordinator")
    url = f"/members/{second}/third-parties/search"
    found = client.post(url, data={"q": "oak st"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in found and 'id="party-matches"' in found
    assert "Oak Street Apartments" in found and "NW Natural" not in found
    percent = client.post(url, data={"q": "%"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "100% Rentals" in percent and "NW Natural" not in percent          # % is a character, not a wildcard
    none = client.post(url, data={"q": "zzz"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "No one on file matches “zzz”." in none
    without_htmx = client.post(url, data={"q": "natural"}).get_data(as_text=True)
    assert "<html" in without_htmx and "NW Natural" in without_htmx and "Oak Street Apartments" not in without_htmx
    client.post(f"/members/{second}/third-parties/link", data={"third_party_id": str(oak)})
    after = client.post(url, data={"q": ""}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Oak Street Apartments" not in after and "NW Natural" in after      # already linked: not offered again
    assert client.post(f"/members/{second}/third-parties/link", data={"third_party_id": "9" * 40}).status_code == 422


def test_asking_needs_an_address_for_the_channel(app, client, auth):
    with app.app_context():
        member_id = make_member("Luis", "Soto", status="enrolled", phone="(503) 555-0100").id
    auth.login("coordinator")
    client.get(f"/members/{member_id}/documents")
    refused = client.post(f"/members/{member_id}/documents/request", data={"channel": "email"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "There is no email address on file" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ContactAttempt.id))) == 0
        assert {i.status for i in db.session.scalars(db.select(ChecklistItem))} == {"needed"}
    assert client.post(f"/members/{member_id}/documents/request", data={"channel": "text"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(ContactAttempt.note)) == "Asked for 5 missing documents."


def test_renaming_a_template_leaves_made_checklists_alone(app, client, auth, member_id):
    from hrsn.models import ChecklistTemplateItem
    auth.login("admin")
    client.get(f"/members/{member_id}/documents")
    with app.app_context():
        row_id = db.session.scalar(db.select(ChecklistTemplateItem.id).where(ChecklistTemplateItem.name_en == "Photo ID"))
    url = f"/admin/checklists/{row_id}/edit"
    assert 'value="Identificación con foto"' in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"name_en": "Photo identification", "name_es": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Enter the document's name in Spanish." in page and 'value="Photo identification"' in page
    assert client.post(url, data={"name_en": "Photo identification", "name_es": "Identificación oficial",
                                  "version": "1"}).status_code == 302
    client.get(f"/members/{member_id}/documents")
    assert "Photo ID" in items(app, member_id) and "Photo identification" not in items(app, member_id)
    with app.app_context():
        newcomer = make_member("Eva", "Ruiz", services=["rent"]).id
        trail = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "ChecklistTemplateItem",
                                                              AuditEvent.action == "update"))
        assert trail.changes["name_en"] == ["Photo ID", "Photo identification"]
    client.get(f"/members/{newcomer}/documents")
    assert "Photo identification" in items(app, newcomer)
    assert client.get("/admin/checklists/999999/edit").status_code == 404
    auth.logout()
    auth.login("coordinator")
    assert client.post(url, data={"name_en": "x", "name_es": "y"}).status_code == 403
