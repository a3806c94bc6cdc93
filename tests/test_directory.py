"""The service directory: search by need, language, area, open now and text; who may edit; flags and stale entries
on the review list; the pick other steps receive; the printed resource list in the member's language."""
import io
import re
from datetime import timedelta

import pytest
from flask import Blueprint

from conftest import PASSWORD, events, make_app, make_user, org_today
from hrsn.directory.rules import hrsn_providers, organization_choices
from hrsn.extensions import db
from hrsn.models import (AuditEvent, DirectoryFlag, Organization, Payer, Schedule, Service, ServiceArea,
                         ServiceCategory, ServiceLanguage)

HX = {"HX-Request": "true"}


def make_service(org_name="Lane County Food Bank", name="Weekly food boxes", domains=("food",), languages=("en",),
                 areas=("Lane County",), verified_days_ago=10, hours=None, **kw) -> int:
    org = db.session.scalar(db.select(Organization).where(Organization.name == org_name))
    if org is None:
        org = Organization(preferred_partner=kw.pop("preferred", False))
        org.set_name(org_name)
        db.session.add(org)
    service = Service(organization=org, name=name, eligibility_description=kw.pop("eligibility", "Anyone"),
                      assured_on=org_today() - timedelta(days=verified_days_ago) if verified_days_ago is not None
                      else None, **kw)
    service.categories = [ServiceCategory(domain=d) for d in domains]
    service.languages = [ServiceLanguage(code=c) for c in languages]
    for area in areas:
        row = ServiceArea()
        row.set_name(area)
        service.areas.append(row)
    service.refresh_search(org)
    db.session.add(service)
    db.session.flush()
    if hours:
        db.session.add(Schedule(service_id=service.id, byday=hours[0], days=Schedule.mask(hours[0]),
                                opens_at=hours[1], closes_at=hours[2]))
    db.session.commit()
    return service.id


@pytest.fixture
def directory(app):
    with app.app_context():
        return {
            "food": make_service(languages=("en", "es"), areas=("97401", "Lane County")),
            "legal": make_service("Legal Aid of Oregon", "Eviction defense", ("legal", "housing"), ("en",),
                                  ("Multnomah County",), fees_description="Free", wait_time="2 weeks"),
            "clinic": make_service("Clínica Núñez", "Atención primaria", ("physical_health",), ("es",),
                                   ("972xx",), verified_days_ago=500, hours=("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")),
            "state": make_service("Oregon 2-1-1", "Information line", ("other",), ("en", "vi"), ("Statewide",),
                                  verified_days_ago=None, accepting_referrals=False),
        }


def found(client, **data) -> set[str]:
    response = client.post("/directory/", data=data, headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return {name for name in ("Weekly food boxes", "Eviction defense", "Atención primaria", "Information line")
            if f">{name}</a>" in page}


def test_search_by_need_language_area_and_text(client, auth, directory):
    auth.login("case_manager")
    assert found(client) == {"Weekly food boxes", "Eviction defense", "Atención primaria", "Information line"}
    assert found(client, need="housing") == {"Eviction defense"}
    assert found(client, language="es") == {"Weekly food boxes", "Atención primaria"}
    assert found(client, language="vi") == {"Information line"}
    # A ZIP code finds services listing it, its first three digits, or the whole state; a county by its name.
    assert found(client, area="97401") == {"Weekly food boxes", "Information line"}
    assert found(client, area="97204") == {"Atención primaria", "Information line"}
    assert found(client, area="multnomah") == {"Eviction defense", "Information line"}
    # Text ignores accents and case, every word must be found, and the needs are searchable in both languages.
    assert found(client, q="CLINICA nunez") == {"Atención primaria"}
    assert found(client, q="comida") == {"Weekly food boxes"}
    assert found(client, q="defense legal") == {"Eviction defense"}
    assert found(client, q="100%_") == set()
    assert found(client, accepting="1", language="vi") == set()
    assert found(client, open_now="1") == {"Atención primaria"}


def test_results_show_what_a_case_manager_decides_on(client, auth, directory):
    auth.login("case_manager")
    page = client.post("/directory/", data={"need": "legal"}, headers=HX).get_data(as_text=True)
    assert "Legal Aid of Oregon" in page and "2 weeks" in page and "Free" in page and "English" in page
    stale = client.post("/directory/", data={"q": "atencion"}, headers=HX).get_data(as_text=True)
    assert "Not verified recently" in stale and "Spanish" in stale
    closed = client.post("/directory/", data={"q": "information"}, headers=HX).get_data(as_text=True)
    assert "Not accepting referrals" in closed
    whole = client.get("/directory/").get_data(as_text=True)
    assert "<html" in whole and 'id="directory-results"' in whole


def test_results_are_paginated(app, client, auth):
    with app.app_context():
        for i in range(45):
            make_service(f"Pantry {i:02d}", f"Pantry service {i:02d}")
    auth.login("case_manager")
    first = client.post("/directory/", data={"need": "food"}, headers=HX).get_data(as_text=True)
    assert "45 services found" in first and "Page 1 of 3" in first and first.count('class="result"') == 20
    last = client.post("/directory/", data={"need": "food", "page": "3"}, headers=HX).get_data(as_text=True)
    assert last.count('class="result"') == 5


def test_finance_has_no_directory_and_case_managers_cannot_edit(app, client, auth, directory):
    auth.login("finance")
    assert client.get("/directory/").status_code == 403
    auth.logout()
    auth.login("case_manager")
    org_id = db_org_id(app, "Legal Aid of Oregon")
    page = client.get(f"/directory/organizations/{org_id}").get_data(as_text=True)
    assert "Eviction defense" in page and "Edit" not in page and "Flag as outdated" in page
    for url in ("/directory/organizations/new", f"/directory/organizations/{org_id}/edit",
                f"/directory/services/{directory['legal']}/edit", "/directory/import"):
        assert client.get(url).status_code == 403
        assert client.post(url, data={"name": "X"}).status_code == 403
    assert client.post(f"/directory/services/{directory['legal']}/verify", data={"version": "1"}).status_code == 403


def db_org_id(app, name) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Organization.id).where(Organization.name == name))


def test_coordinator_adds_and_edits_with_versions(app, client, auth, directory):
    auth.login("coordinator")
    with app.app_context():
        payer_id = db.session.scalar(db.select(Payer.id).order_by(Payer.id))
    refused = client.post("/directory/organizations/new", data={"name": "", "website": "not a site"})
    assert refused.status_code == 422 and "Enter the organization" in refused.get_data(as_text=True)
    created = client.post("/directory/organizations/new", data={
        "name": "Casa Esperanza", "phone": "541 555 0100", "website": "https://casa.example.org",
        "preferred_partner": "y", "payers": [str(payer_id)], "hrsn_services": ["rent"], "contact_name": "Rosa"})
    assert created.status_code == 302
    org_id = db_org_id(app, "Casa Esperanza")
    added = client.post(f"/directory/organizations/{org_id}/services/new", data={
        "name": "Rent help", "categories": ["housing"], "status": "active", "accepting_referrals": "y",
        "languages": ["es"], "other_languages": "mam", "areas": "97401\nLane County", "phone": "(541) 555-0101"})
    assert added.status_code == 302, added.get_data(as_text=True)[:2000]
    with app.app_context():
        service = db.session.scalar(db.select(Service).where(Service.name == "Rent help"))
        assert {lang.code for lang in service.languages} == {"es", "mam"}
        assert {(a.kind, a.key) for a in service.areas} == {("zip", "97401"), ("county", "lane")}
        assert [p.number for p in service.phones] == ["(541) 555-0101"]
        assert "casa esperanza" in service.search_key and service.organization.preferred_partner
        assert [o.name for o in hrsn_providers("rent", payer_id)] == ["Casa Esperanza"]
        assert ("Casa Esperanza" in dict(organization_choices()).values())
        service_id, version = service.id, service.version
    form = {"name": "Rent help now", "status": "active", "categories": ["housing"], "version": str(version)}
    assert client.post(f"/directory/services/{service_id}/edit", data=form).status_code == 302
    stale = client.post(f"/directory/services/{service_id}/edit", data={**form, "name": "Older"})
    assert stale.status_code == 409 and "Rent help now" in stale.get_data(as_text=True)


def test_flags_and_stale_entries_on_the_review_list(app, client, auth, directory):
    cm = auth.login("case_manager")
    org_id = db_org_id(app, "Legal Aid of Oregon")
    review = client.get("/directory/review").get_data(as_text=True)
    assert "Atención primaria" in review and "Information line" in review and "Eviction defense" not in review
    assert client.post(f"/directory/organizations/{org_id}/flag", data={"note": " "}, headers=HX).status_code == 422
    flagged = client.post(f"/directory/organizations/{org_id}/flag", data={"note": "Moved to Salem"}, headers=HX)
    assert flagged.status_code == 200 and events(flagged) == {"directoryFlagged"}
    review = client.get("/directory/review").get_data(as_text=True)
    assert review.index("Eviction defense") < review.index("Atención primaria") and "Moved to Salem" in review
    with app.app_context():
        flag = db.session.scalar(db.select(DirectoryFlag))
        assert flag.flagged_by_id == cm.id
        flag_id = flag.id
    assert client.post(f"/directory/flags/{flag_id}/resolve", data={"version": "1"}).status_code == 403
    auth.logout()
    auth.login("coordinator")
    assert client.post(f"/directory/flags/{flag_id}/resolve", data={"version": "1"}, headers=HX).status_code == 200
    assert "Moved to Salem" not in client.get("/directory/review").get_data(as_text=True)
    verified = client.post(f"/directory/services/{directory['clinic']}/verify", data={"version": "1"}, headers=HX)
    assert verified.status_code == 200 and "Marked as verified today." in verified.get_data(as_text=True)
    assert "Atención primaria" not in client.get("/directory/review").get_data(as_text=True)
    again = client.post(f"/directory/services/{directory['clinic']}/verify", data={"version": "1"}, headers=HX)
    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.record_type == "Service")) == 1


def test_another_step_picks_a_service_from_the_search(app, client, auth, directory):
    """What the HAP step will do: list its endpoint in `picks`, open the search with it, receive service_id."""
    received = []
    probe = Blueprint("probe", __name__)

    @probe.post("/probe/<int:member_id>/refer")
    def refer(member_id):
        from flask import request
        received.append((member_id, request.form["service_id"]))
        return "ok"
    app.register_blueprint(probe)
    wiring = app.extensions["hrsn"]
    wiring.picks = wiring.picks | {"probe.refer"}
    auth.login("case_manager")
    pick = {"pick": "probe.refer", "pick_member": "7", "pick_label": "Refer"}
    page = client.post("/directory/", data={"need": "legal", **pick}, headers=HX).get_data(as_text=True)
    assert 'action="/probe/7/refer"' in page and ">Refer<" in page and "Add to the resource list" not in page
    assert client.post("/probe/7/refer", data={"service_id": str(directory["legal"])}).status_code == 200
    assert received == [(7, str(directory["legal"]))]
    assert client.post("/directory/", data={"pick": "auth.logout", "pick_member": "7"}, headers=HX).status_code == 400


def test_resource_list_pdf_in_spanish_keeps_typed_markup_as_text(app, client, auth):
    from pypdf import PdfReader
    with app.app_context():
        sid = make_service("Ассоциация <font color=red>Núñez</font>", "Despensa <img src=x>", ("food",),
                           application_process="Llame al 541-555-0100", documents_to_bring="Identificación")
        other = make_service("Hội Người Việt", "Hỗ trợ phúc lợi", ("income",))
    auth.login("case_manager")
    assert client.get("/directory/resource-list.pdf").status_code == 302      # nothing chosen yet
    for service_id in (sid, other):
        response = client.post("/directory/list", data={"service_id": str(service_id)}, headers=HX)
        assert response.status_code == 200 and events(response) == {"resourceListChanged"}
    response = client.get("/directory/resource-list.pdf?language=es")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Recursos para usted" in text and "Cómo solicitarlo" in text and "Qué llevar" in text
    assert "<font color=red>Núñez</font>" in text and "Despensa <img src=x>" in text
    assert "Ассоциация" in text and "Hội Người Việt" in text and "Comida" in text
    english = client.get("/directory/resource-list.pdf?language=en")
    assert "How to apply" in "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(english.data)).pages)
    client.post("/directory/list", data={"service_id": str(sid), "action": "remove"}, headers=HX)
    with client.session_transaction() as session:
        assert session["resource_list"] == [other]


def test_search_posts_with_the_csrf_header(tmp_path):
    """The search is a POST: without the token htmx sends from <body data-hx-headers> it is refused."""
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        email = make_user("case_manager").email
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    header = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/directory/").get_data(as_text=True))[1]
    assert client.post("/directory/", data={"q": "x"}, headers=HX).status_code == 400
    assert client.post("/directory/", data={"q": "x"}, headers={**HX, "X-CSRFToken": header}).status_code == 200
