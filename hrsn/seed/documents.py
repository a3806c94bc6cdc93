"""Demo documents: checklists complete, partial and empty, real small PDF and PNG files, landlords and
utilities shared between members, and eligibility checks."""
import io
import struct
import zlib
from datetime import timedelta

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from hrsn import storage
from hrsn.extensions import db
from hrsn.models import local_today
from hrsn.models import (ChecklistItem, Document, DocumentVersion, EligibilityCheck, MemberThirdParty, ThirdParty,
                         add_checklist_items)

LANDLORDS = [
    ("landlord", "Pat O'Hara", "Oak Street Apartments", "(503) 555-0190", "leasing@oakst.example", "email"),
    ("property_manager", "Linda Tran", "Willamette Property Management", "(541) 555-0144", "ltran@wpm.example", "phone"),
    ("landlord", "Gustavo Reyes", None, "(503) 555-0177", None, "text"),
    ("utility", "Customer service", "Portland General Electric", "(503) 555-0101", None, "phone"),
    ("utility", "Payment assistance desk", "NW Natural", "(503) 555-0102", None, "phone"),
]


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=LETTER)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(72, 720, title)
    page.setFont("Helvetica", 11)
    for i, line in enumerate(lines):
        page.drawString(72, 690 - 18 * i, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small solid-colour PNG with a darker band, built by hand (signature, IHDR, IDAT, IEND)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    band = tuple(c // 2 for c in rgb)
    rows = b"".join(b"\x00" + bytes(band if height // 3 <= y < height // 2 else rgb) * width for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def attach(member, item, content: bytes, name: str, user, title=None):
    stored = storage.store(io.BytesIO(content), len(content) + 1)
    document = Document(member_id=member.id, item_id=item.id if item else None, title=title or item.name_en,
                        created_by_id=user.id)
    document.versions.append(DocumentVersion(number=1, stored_name=stored.stored_name, original_name=name,
                                             content_type=stored.content_type, size=stored.size,
                                             sha256=stored.sha256, uploaded_by_id=user.id))
    db.session.add(document)


def seed(staff: dict, people: list, rng) -> None:
    parties = [ThirdParty(kind=k, name=n, organization=o, phone=p, email=e, preferred_contact=c,
                          mailing_address="PO Box 1200, Salem, OR 97301" if k != "utility" else None)
               for k, n, o, p, e, c in LANDLORDS]
    db.session.add_all(parties)
    db.session.flush()
    enrolled = [m for m in people if m.status in ("enrolled", "closed")]
    for i, member in enumerate(enrolled):
        user = member.assignee or staff["coordinator"]
        # Landlords shared: the first two landlords each have two members; utilities follow the service.
        landlord = parties[i % 3]
        db.session.add(MemberThirdParty(member_id=member.id, third_party_id=landlord.id, linked_by_id=user.id))
        if "utility" in member.latest_referral.service_codes:
            db.session.add(MemberThirdParty(member_id=member.id, third_party_id=parties[3 + i % 2].id,
                                            linked_by_id=user.id))
        add_checklist_items(member, member.latest_referral)
        db.session.flush()
        items = db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.member_id == member.id)
                                   .order_by(ChecklistItem.sort_order, ChecklistItem.id)).all()
        shape = i % 3          # 0 complete, 1 partial, 2 nothing received yet
        for n, item in enumerate(items):
            if shape == 2 or (shape == 1 and n % 2):
                if shape == 1:
                    item.move("requested", user)
                continue
            if "income" in item.name_en.lower():
                attach(member, item, pdf_bytes("Pay stub", [f"Employee: {member.full_name}", "Period: two weeks",
                                                             f"Net pay: ${rng.randint(600, 1400)}.00"]),
                       "paystub.pdf", user)
            elif "photo id" in item.name_en.lower():
                attach(member, item, png_bytes(48, 30, (90, 130, 200)), "id-card.png", user)
            elif item.name_en.startswith(("Lease", "Current utility bill", "Rent ledger")):
                attach(member, item, pdf_bytes(item.name_en, [member.full_name, member.address or ""]),
                       f"{item.name_en.split()[0].lower()}.pdf", user)
            item.move("received", user)
            if shape == 0 and n % 2 == 0:
                item.move("sent", user)
        if shape == 0:
            attach(member, None, pdf_bytes("Consent to share information", [member.full_name, "Signed"]),
                   "signed-consent.pdf", user, title="Signed consent")
        verified = local_today() - timedelta(days=rng.randint(5, 60))
        if shape != 2:
            db.session.add(EligibilityCheck(member_id=member.id, status="eligible", medicaid_verified_on=verified,
                                            medicaid_verified_how=rng.choice(["mmis", "portal", "card"]),
                                            questionnaire_on=verified, questionnaire_where="Payer portal",
                                            recorded_by_id=user.id))
        else:
            db.session.add(EligibilityCheck(member_id=member.id, status="pending", questionnaire_on=verified,
                                            questionnaire_where="By phone with the member", recorded_by_id=user.id))
    db.session.flush()
