"""HSDS import and export: a preview row by row, applied only on confirmation and all at once, the same file
twice changes nothing, export then import gives the same directory, and each kind of bad file is reported with
nothing applied."""
import csv
import io
import re
import zipfile

import pytest

from conftest import make_app, make_user
from hrsn.directory.hsds import read_upload
from hrsn.directory.imports import export_tables
from hrsn.extensions import db
from hrsn.models import AuditEvent, Location, Organization, Service, ServiceArea, ServiceLanguage

ORGS = [["id", "name", "description", "website", "hrsn_payers", "hrsn_services"],
        ["org-1", "Núñez Food Bank", "Food for everyone", "https://food.example.org", "", "rent"],
        ["org-2", "Legal Aid", "=HYPERLINK(\"http://evil\")", "", "", ""]]
SERVICES = [["id", "organization_id", "name", "status", "eligibility_description", "hrsn_need_domains",
             "assured_date", "fees_description"],
            ["svc-1", "org-1", "Food boxes", "active", "Anyone", "food", "2026-01-15", "Free"],
            ["svc-2", "org-2", "Eviction defense", "active", "+ tenants with a notice", "legal;housing", "", "-"]]
LOCATIONS = [["id", "organization_id", "name"], ["loc-1", "org-1", "Warehouse"]]
ADDRESSES = [["id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
             ["adr-1", "loc-1", "12 Main St", "Eugene", "OR", "97401", "US", "physical"]]
LANGUAGES = [["id", "service_id", "name", "code"], ["lang-1", "svc-1", "Spanish", ""], ["lang-2", "svc-1", "", "en"]]
AREAS = [["id", "service_id", "name"], ["area-1", "svc-1", "Lane County"], ["area-2", "svc-2", "97204"]]
SCHEDULES = [["id", "service_id", "freq", "byday", "opens_at", "closes_at"],
             ["sch-1", "svc-1", "WEEKLY", "MO,WE", "09:00", "17:00"]]


def csv_bytes(rows, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def zip_of(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sample(**changes) -> dict:
    files = {"organization.csv": ORGS, "services.csv": SERVICES, "location.csv": LOCATIONS, "address.csv": ADDRESSES,
             "language.csv": LANGUAGES, "service_area.csv": AREAS, "schedule.csv": SCHEDULES}
    files.update(changes)
    return {name: rows if isinstance(rows, bytes) else csv_bytes(rows) for name, rows in files.items()}


def upload(client, files: dict, as_zip=True):
    data = {"files": [(io.BytesIO(zip_of(files)), "directory.zip")] if as_zip else
            [(io.BytesIO(content), name) for name, content in files.items()]}
    return client.post("/directory/import", data=data, content_type="multipart/form-data")


def confirm(client, preview):
    token = re.search(r'action="/directory/import/([0-9a-f]{32})"', preview.get_data(as_text=True))
    assert token, preview.get_data(as_text=True)[-3000:]
    return client.post(f"/directory/import/{token[1]}")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_preview_then_apply_then_the_same_file_changes_nothing(app, client, auth):
    auth.login("coordinator")
    preview = upload(client, sample())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "What the import would do" in page
    assert "<td>organization.csv</td><td>2</td><td>0</td><td>0</td>" in page
    assert count(app, Organization) == 0                           # nothing until confirmed
    assert confirm(client, preview).status_code == 302
    with app.app_context():
        service = db.session.scalar(db.select(Service).where(Service.hsds_id == "svc-1"))
        assert service.organization.name == "Núñez Food Bank" and service.domains == ["food"]
        assert {lang.code for lang in service.languages} == {"es", "en"}
        assert [(a.kind, a.key) for a in service.areas] == [("county", "lane")]
        assert service.schedules[0].days == 0b101 and "nunez food bank" in service.search_key
        place = db.session.scalar(db.select(Location))
        assert (place.address_1, place.postal_code, place.address_hsds_id) == ("12 Main St", "97401", "adr-1")
        org = db.session.scalar(db.select(Organization).where(Organization.hsds_id == "org-2"))
        assert org.description == '=HYPERLINK("http://evil")'          # stored as text, as typed
        assert [s.code for s in db.session.scalar(db.select(Organization).where(Organization.hsds_id == "org-1"))
                .hrsn_services] == ["rent"]
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "DirectoryImport"))
    again = upload(client, sample())
    assert "Nothing to import" in again.get_data(as_text=True) and "/directory/import/" not in again.get_data(as_text=True)
    changed_orgs = [ORGS[0], ["org-1", "Núñez Food Bank", "Food and diapers", "https://food.example.org", "", "rent"],
                    ORGS[2]]
    preview = upload(client, sample(**{"organization.csv": changed_orgs}))
    page = preview.get_data(as_text=True)
    assert "<td>organization.csv</td><td>0</td><td>1</td><td>1</td>" in page and "Food and diapers" in page
    confirm(client, preview)
    with app.app_context():
        org = db.session.scalar(db.select(Organization).where(Organization.hsds_id == "org-1"))
        assert (org.description, org.version) == ("Food and diapers", 2)
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.record_type == "Organization")).record_version == 2


def test_export_then_import_into_an_empty_directory_gives_the_same(app, client, auth, tmp_path):
    auth.login("coordinator")
    confirm(client, upload(client, sample()))
    exported = client.get("/directory/export.zip")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        organizations = archive.read("organization.csv").decode()
    assert "'=HYPERLINK" in organizations                        # defused for spreadsheets
    with app.app_context():
        before = export_tables()
    other = make_app(tmp_path / "other")
    with other.app_context():
        email = make_user("admin").email
    second = other.test_client()
    from conftest import PASSWORD
    second.post("/login", data={"email": email, "password": PASSWORD})
    confirm(second, second.post("/directory/import", data={"files": [(io.BytesIO(exported.data), "export.zip")]},
                                content_type="multipart/form-data"))
    with other.app_context():
        after = export_tables()
        assert db.session.scalar(db.select(Organization.description).where(Organization.hsds_id == "org-2")) \
            == '=HYPERLINK("http://evil")'
    assert {k: sorted(map(sorted, (r.items() for r in v))) for k, v in before.items()} == \
        {k: sorted(map(sorted, (r.items() for r in v))) for k, v in after.items()}
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("files,message", [
    (sample(**{"services.csv": [["id", "name"], ["svc-1", "Food"]]}), "lacks the column(s) organization_id"),
    (sample(**{"organization.csv": ORGS + [["org-1", "Twice", "", "", "", ""]]}),
     "The id “org-1” is used again (first on line 2)"),
    (sample(**{"services.csv": SERVICES + [["svc-3", "org-9", "Orphan", "active", "", "", "", ""]]}),
     "organization_id: “org-9” is neither in the file nor in the directory"),
    (sample(**{"services.csv": SERVICES + [["svc-3", "org-1", "Bad", "open", "", "cooking", "15/01/2026", ""]]}),
     "The status must be active"),
    (sample(**{"schedule.csv": [SCHEDULES[0], ["sch-2", "svc-1", "WEEKLY", "MO", "9am", "5pm"]]}),
     "Write times as HH:MM"),
    ({"organization.csv": csv_bytes(ORGS)}, "service.csv"),
])
def test_bad_rows_are_reported_and_nothing_is_applied(app, client, auth, files, message):
    auth.login("admin")
    preview = upload(client, files)
    page = preview.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    assert preview.status_code == 422 and message in page, page[-2500:]
    assert "Nothing will be imported until these are corrected" in page
    assert "/directory/import/" not in page and count(app, Organization) == 0


def test_delimiters_and_encodings_are_read(app, client, auth):
    auth.login("coordinator")
    files = sample(**{"organization.csv": csv_bytes(ORGS, ";", "latin-1").replace(b"=HYPERLINK", b"HYPER"),
                      "services.csv": b"\xef\xbb\xbf" + csv_bytes(SERVICES, "\t")})
    preview = upload(client, files, as_zip=False)
    page = preview.get_data(as_text=True)
    assert "organization.csv is not UTF-8; it was read as Latin-1" in page
    assert "organization.csv separates its columns with “;”" in page and "services.csv separates its columns with “Tab”" in page
    confirm(client, preview)
    with app.app_context():
        assert db.session.scalar(db.select(Organization.name).where(Organization.hsds_id == "org-1")) == "Núñez Food Bank"
        assert db.session.scalar(db.select(Service.eligibility_description).where(Service.hsds_id == "svc-2")) \
            == "+ tenants with a notice"


def test_a_zip_climbing_out_of_its_folder_is_refused(app, client, auth):
    auth.login("coordinator")
    preview = upload(client, sample(**{"../../instance/organization.csv": csv_bytes(ORGS)}))
    assert preview.status_code == 422 and "The zip holds files outside its folder" in preview.get_data(as_text=True)
    assert count(app, Organization) == 0


def test_a_50_mb_file_is_refused_before_it_is_read(client, auth):
    from test_uploads import Untouchable
    auth.login("coordinator")
    response = client.post("/directory/import", content_type="multipart/form-data; boundary=x",
                           environ_overrides={"wsgi.input": Untouchable(), "CONTENT_LENGTH": str(50 * 1024 * 1024)})
    assert response.status_code == 413 and "larger than the 15 MB limit" in response.get_data(as_text=True)


def test_import_is_for_editors_and_a_staged_file_is_its_uploaders(app, client, auth):
    auth.login("coordinator")
    preview = upload(client, sample())
    token = re.search(r"/directory/import/([0-9a-f]{32})", preview.get_data(as_text=True))[1]
    auth.logout()
    auth.login("admin")
    assert client.post(f"/directory/import/{token}").status_code == 404
    assert client.post("/directory/import/../../secret_key").status_code in (404, 405)
    auth.logout()
    auth.login("case_manager")
    assert upload(client, sample()).status_code == 403
    assert count(app, ServiceLanguage) == 0 and count(app, ServiceArea) == 0


def test_reading_is_independent_of_the_request():
    bundle = read_upload([("organization.csv", csv_bytes(ORGS)), ("service.csv", csv_bytes(SERVICES)),
                          ("notes.txt", b"hello")])
    assert not bundle.problems and len(bundle.rows["service"]) == 2
    assert bundle.rows["organization"][1][1]["description"] == '=HYPERLINK("http://evil")'


def test_the_preview_is_a_fragment_for_htmx_and_a_missing_file_is_said(client, auth):
    auth.login("coordinator")
    fragment = client.post("/directory/import", data={"files": [(io.BytesIO(zip_of(sample())), "d.zip")]},
                           content_type="multipart/form-data", headers={"HX-Request": "true"})
    page = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in page and 'id="import-preview"' in page
    assert "New in organization.csv" in page and "Núñez Food Bank" in page
    empty = client.post("/directory/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Choose a zip file or the CSV files to import." in empty.get_data(as_text=True)


def test_an_import_failing_half_way_leaves_nothing(app, client, auth, monkeypatch):
    """The apply is one transaction: a failure after the first tables were written keeps none of them."""
    from hrsn.directory import sync_apply
    auth.login("coordinator")
    preview = upload(client, sample())

    def broken(result, table):
        if table == "service":
            raise RuntimeError("disk full")
    monkeypatch.setattr(sync_apply, "_apply_lists", broken)
    assert confirm(client, preview).status_code == 500
    assert count(app, Organization) == 0 and count(app, Location) == 0 and count(app, Service) == 0
