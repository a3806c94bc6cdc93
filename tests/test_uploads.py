"""Uploads: the type comes from the content, the size limit holds before the body is read, names never
become paths, and files come back only through the access rule, each download in the audit trail."""
import io
import re
from pathlib import Path

import pytest

from conftest import make_member, make_user
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import AuditEvent, ChecklistItem, Document, DocumentVersion

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40


@pytest.fixture
def member_id(app):
    with app.app_context():
        return make_member("Ana", "García", status="enrolled").id


def post_file(client, member_id, content, name="paystub.pdf", **extra):
    data = {"file": (io.BytesIO(content), name), **extra}
    return client.post(f"/members/{member_id}/documents/upload", data=data, headers={"HX-Request": "true"})


def uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("content,name,kind", [(PDF, "paystub.pdf", "application/pdf"), (PNG, "id.png", "image/png"),
                                               (JPEG, "lease.jpg", "image/jpeg"), (HEIC, "IMG_0042.HEIC", "image/heic"),
                                               (PNG, "photo.pdf", "image/png")])
def test_kept_types_are_decided_by_content(app, client, auth, member_id, content, name, kind):
    auth.login("coordinator")
    assert post_file(client, member_id, content, name).status_code == 200
    with app.app_context():
        version = db.session.scalar(db.select(DocumentVersion))
        assert version.content_type == kind and version.original_name == name and version.size == len(content)
        assert re.fullmatch(r"[0-9a-f]{32}\.(pdf|png|jpg|heic)", version.stored_name)
    assert [p.read_bytes() for p in uploads(app)] == [content]


@pytest.mark.parametrize("content,name,message", [
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "paystub.pdf", "Only PDF, JPEG, PNG and HEIC files are accepted"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "paystub.pdf", "Only PDF, JPEG, PNG and HEIC files are accepted"),
    (b"<html><script>alert(1)</script></html>", "photo.png", "Only PDF, JPEG, PNG and HEIC files are accepted"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.png", "Only PDF, JPEG, PNG and HEIC"),
    (b"", "empty.pdf", "The file is empty."),
    (PDF[:30], "cut.pdf", "This PDF is incomplete"),
])
def test_refused_files_leave_nothing_behind(app, client, auth, member_id, content, name, message):
    auth.login("coordinator")
    response = post_file(client, member_id, content, name)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert uploads(app) == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 0


def test_no_file_chosen(client, auth, member_id):
    auth.login("coordinator")
    response = client.post(f"/members/{member_id}/documents/upload", data={"title": "x"})
    assert response.status_code == 422 and "Choose a file to upload." in response.get_data(as_text=True)


def test_size_limit_setting_is_enforced(app, client, auth, member_id):
    auth.login("coordinator")
    with app.app_context():
        settings.put("upload_max_mb", 1)
        db.session.commit()
    big = PDF[:-7] + b"\x00" * (1024 * 1024 + 10) + b"\n%%EOF\n"
    response = post_file(client, member_id, big, "big.pdf")
    assert response.status_code == 413 and "larger than the 1 MB limit" in response.get_data(as_text=True)
    assert uploads(app) == []


class Untouchable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def readable(self):
        return True


    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_a_200_mb_body_is_refused_without_reading_it(client, auth, member_id):
    auth.login("coordinator")
    def huge(size):
        return {"wsgi.input": Untouchable(), "CONTENT_LENGTH": str(size)}
    response = client.post(f"/members/{member_id}/documents/upload", content_type="multipart/form-data; boundary=x",
                           environ_overrides=huge(200 * 1024 * 1024))
    assert response.status_code == 413 and "larger than the 15 MB limit" in response.get_data(as_text=True)
    # Other forms have a small limit too.
    assert client.post("/intake/new", content_type="application/x-www-form-urlencoded",
                       environ_overrides=huge(50 * 1024 * 1024)).status_code == 413


@pytest.mark.parametrize("name,shown", [("../../instance/secret_key", "secret_key"), ("con.pdf", "con.pdf"),
                                        ("..\\..\\boot.ini", "boot.ini"), ("/etc/passwd", "passwd"),
                                        ("\x00evil\x1b.pdf", "evil.pdf"), ("...", "document.pdf")])
def test_file_names_are_for_display_only(app, client, auth, member_id, name, shown):
    auth.login("coordinator")
    assert post_file(client, member_id, PDF, name).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(DocumentVersion.original_name)) == shown
    instance = Path(app.instance_path)
    written = sorted(str(p.relative_to(instance)) for p in instance.rglob("*") if p.is_file())
    assert all(path.startswith("uploads/") or path.startswith("test.sqlite") for path in written), written
    assert not (instance / "secret_key").exists() or (instance / "secret_key").read_bytes() != PDF


def test_three_hundred_emoji_are_shortened(app, client, auth, member_id):
    auth.login("coordinator")
    assert post_file(client, member_id, PDF, "😀" * 300 + ".pdf").status_code == 200
    with app.app_context():
        name = db.session.scalar(db.select(DocumentVersion.original_name))
        assert len(name) <= 200 and name.endswith(".pdf")


def test_the_same_file_twice_is_stored_twice(app, client, auth, member_id):
    auth.login("coordinator")
    assert post_file(client, member_id, PDF).status_code == 200
    assert post_file(client, member_id, PDF).status_code == 200
    with app.app_context():
        names = db.session.scalars(db.select(DocumentVersion.stored_name)).all()
        assert len(set(names)) == 2
    assert [p.read_bytes() for p in uploads(app)] == [PDF, PDF]


def test_downloads_follow_the_access_rule_and_are_audited(app, client, auth, member_id):
    with app.app_context():
        owner = make_user("case_manager", email="owner@test.local")
        db.session.get(type(make_member("X", "Y")), member_id).assignee_id = owner.id
        db.session.commit()
        other_member = make_member("Rosa", "Pérez", assignee=owner, status="enrolled").id
    auth.login("coordinator")
    page = post_file(client, member_id, PDF).get_data(as_text=True)
    url = re.search(r'href="(/members/\d+/documents/files/\d+)"', page).group(1)
    version_id = url.rsplit("/", 1)[1]
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/pdf" and download.headers["X-Content-Type-Options"] == "nosniff"
    # The same file through another member's address: not found.
    assert client.get(f"/members/{other_member}/documents/files/{version_id}").status_code == 404
    assert client.get(f"/members/{member_id}/documents/files/{int(version_id) + 1}").status_code == 404
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "download")).all()
        assert [(e.member_id, e.record_type, e.record_id) for e in events] == [(member_id, "DocumentVersion", int(version_id))]
    auth.logout()
    auth.login("case_manager")
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login("finance")
    assert client.get(url).status_code == 403
    auth.logout()
    signed_out = client.get(url)
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]


def test_upload_to_an_item_marks_it_received_and_is_audited(app, client, auth, member_id):
    auth.login("coordinator")
    client.get(f"/members/{member_id}/documents")
    with app.app_context():
        item_id = db.session.scalar(db.select(ChecklistItem.id).where(ChecklistItem.name_en == "Proof of income"))
    response = post_file(client, member_id, PDF, item_id=str(item_id))
    page = response.get_data(as_text=True)
    assert f'id="item-{item_id}"' in page and 'data-status="received"' in page
    with app.app_context():
        assert db.session.get(ChecklistItem, item_id).status == "received"
        actions = {(e.action, e.record_type) for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.member_id == member_id))}
        assert {("create", "DocumentVersion"), ("update", "ChecklistItem"), ("view", "documents")} <= actions


def test_two_uploads_of_the_same_file_at_the_same_moment(app, member_id):
    import threading

    from conftest import Auth
    clients = [app.test_client() for _ in range(2)]
    for n, each in enumerate(clients):
        Auth(each, app).login("coordinator", email=f"co{n}@test.local")
    barrier, results = threading.Barrier(2), []

    def send(each):
        barrier.wait()
        results.append(post_file(each, member_id, PDF).status_code)

    threads = [threading.Thread(target=send, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200]
    with app.app_context():
        assert len(set(db.session.scalars(db.select(DocumentVersion.stored_name)))) == 2
    assert [p.read_bytes() for p in uploads(app)] == [PDF, PDF]
