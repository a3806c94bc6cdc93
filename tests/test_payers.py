"""Payers and service types are data an admin edits; intake offers what is active."""
from hrsn.extensions import db
from hrsn.models import AuditEvent, Payer, ServiceType


def test_day_one_payers_are_listed_to_rename(client, auth):
    auth.login("admin")
    page = client.get("/admin/payers").get_data(as_text=True)
    for name in ("Local CCO (rename me)", "Open Card (fee-for-service)"):
        assert name in page
    assert "Payers" in client.get("/admin/").get_data(as_text=True)


def test_payer_is_added_and_validated(app, client, auth):
    auth.login("admin")
    bad = client.post("/admin/payers/new", data={"name": "local cco (RENAME me)", "kind": "nope",
                                                 "email": "x@", "phone": "12", "medicaid_id_pattern": "[A-Z"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in ("Another payer already has this name.", "Choose a kind from the list.",
                    "Enter an email address like name@example.org.", "Enter a 10-digit phone number",
                    "This pattern is not a valid regular expression."):
        assert message in page
    assert 'value="[A-Z"' in page
    ok = client.post("/admin/payers/new", data={"name": "AllCare CCO", "kind": "cco", "phone": "541 555 0100",
                                                "medicaid_id_pattern": r"[A-Z]{2}\d{6}", "active": "y"})
    assert ok.status_code == 302
    with app.app_context():
        payer = db.session.scalar(db.select(Payer).where(Payer.name == "AllCare CCO"))
        assert payer.phone == "(541) 555-0100" and payer.active
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "Payer")).action == "create"


def test_inactive_payer_is_not_offered_at_intake(app, client, auth):
    auth.login("admin")
    with app.app_context():
        payer_id = db.session.scalar(db.select(Payer.id).where(Payer.name.like("Local CCO%")))
    client.post(f"/admin/payers/{payer_id}", data={"name": "Trillium Community Health Plan", "kind": "cco", "version": "1"})
    assert "Trillium" not in client.get("/intake/new").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "update"))
        assert event.changes["active"] == [True, False]


def test_service_type_added_edited_with_fixed_code(app, client, auth):
    auth.login("admin")
    bad = client.post("/admin/service-types/new", data={"code": "Rent", "name_en": "", "name_es": "x", "sort_order": "-1"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Another service type already has this code." in page
    assert "Enter the name in English." in page and "Enter a whole number from 0 to 9999." in page
    client.post("/admin/service-types/new", data={"code": "legal", "name_en": "Legal aid referral",
                                                  "name_es": "Referencia a ayuda legal", "sort_order": "20", "active": "y"})
    with app.app_context():
        service = db.session.scalar(db.select(ServiceType).where(ServiceType.code == "legal"))
        service_id = service.id
    client.post(f"/admin/service-types/{service_id}", data={"code": "changed", "name_en": "Legal aid",
                                                            "name_es": "Ayuda legal", "sort_order": "20", "active": "y",
                                                            "version": "1"})
    with app.app_context():
        service = db.session.get(ServiceType, service_id)
        assert (service.code, service.name_en) == ("legal", "Legal aid")
    assert "Legal aid" in client.get("/intake/new").get_data(as_text=True)


def test_only_admins(client, auth):
    auth.login("coordinator")
    assert client.get("/admin/payers").status_code == 403
    assert client.post("/admin/service-types/new", data={"code": "x"}).status_code == 403


def test_payer_pattern_length_and_edits_keep_what_was_typed(app, client, auth):
    auth.login("admin")
    with app.app_context():
        payer_id = db.session.scalar(db.select(Payer.id).where(Payer.name.like("Local CCO%")))
    long_pattern = "[A-Z]" * 41                                  # 205 characters, a valid expression
    refused = client.post(f"/admin/payers/{payer_id}", data={"name": "Local CCO (rename me)",
                                                             "kind": "cco", "medicaid_id_pattern": long_pattern,
                                                             "email": "billing@pacificsource.example", "active": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Use at most 200 characters; this has 205." in page and long_pattern in page
    with app.app_context():
        assert db.session.get(Payer, payer_id).medicaid_id_pattern != long_pattern
    saved = client.post(f"/admin/payers/{payer_id}", data={"name": "Local CCO (rename me)", "kind": "cco",
                                                           "medicaid_id_pattern": r"[A-Z]{2}\d{7}", "active": "y", "version": "1",
                                                           "email": "billing@pacificsource.example"})
    assert saved.status_code == 302
    with app.app_context():
        payer = db.session.get(Payer, payer_id)
        assert (payer.medicaid_id_pattern, payer.email) == (r"[A-Z]{2}\d{7}", "billing@pacificsource.example")
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "Payer",
                                                              AuditEvent.action == "update"))
        assert event.changes["medicaid_id_pattern"][1] == r"[A-Z]{2}\d{7}"
    assert client.get("/admin/payers/99999").status_code == 404


def test_spanish_admin_lists(client, auth):
    auth.login("admin", locale="es")
    page = client.get("/admin/service-types").get_data(as_text=True)
    assert "Tipos de servicio" in page and "Ayuda con la renta" in page
