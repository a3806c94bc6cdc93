"""Demo documents: each case's checklist moved step by step (complete, partial and untouched ones), landlords and
utilities shared between members, eligibility checks, and real small PDF and PNG files for the recent cases
(older papers were received on paper, so their items carry no file)."""
import hashlib
import io
import struct
import zlib
from datetime import timedelta

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from hrsn.storage import uploads_dir
from hrsn.extensions import db
from hrsn.models import (ChecklistItem, ChecklistStep, ChecklistTemplateItem, Document, DocumentVersion,
                         EligibilityCheck, MemberThirdParty, ServiceType, ThirdParty)
from hrsn.seed.bulk import BATCH

# Items received within this many days come with an uploaded file.
FILE_DAYS = 180
WAIVED = "The payer already has it from last year."
LANDLORDS = [
    ("landlord", "Pat O'Hara", "Oak Street Apartments", "(503) 555-0190", "leasing@oakst.example", "email"),
    ("property_manager", "Linda Tran", "Willamette Property Management", "(541) 555-0144", "ltran@wpm.example",
     "phone"),
    ("landlord", "Gustavo Reyes", None, "(503) 555-0177", None, "text"),
]
UTILITIES = ["Portland General Electric", "NW Natural", "Pacific Power", "Salem Electric",
             "Eugene Water & Electric Board"]
PLACES = ["Cedar", "Maple", "Riverside", "Lancaster", "Mission", "Fairview", "Hillcrest", "Sunnyside", "Alder",
          "Garden"]
BUILDINGS = ["Apartments", "Court", "Commons", "Townhomes", "Property Management", "Rentals"]
CONTACTS = ["Dana Whitaker", "Luis Aguilar", "Kim Sorensen", "Terry Holt", "Rosa Medina", "Chris Lund"]


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=LETTER, invariant=1)     # invariant: the same bytes on every run
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


class Files:
    """One rendering per kind of paper (no member's data in it), written under a fresh name for each upload."""

    def __init__(self, rng):
        self.rng, self.folder, self.kinds = rng, uploads_dir(), {}

    def store(self, title: str) -> dict:
        if title not in self.kinds:
            if "photo id" in title.lower():
                content, kind, name = png_bytes(48, 30, (90, 130, 200)), "image/png", "id-card.png"
            else:
                content = pdf_bytes(title, ["Demo document", "Scanned at the front desk"])
                kind, name = "application/pdf", f"{title.split()[0].lower()}.pdf"
            self.kinds[title] = (content, kind, name, hashlib.sha256(content).hexdigest())
        content, kind, name, digest = self.kinds[title]
        stored = f"{self.rng.getrandbits(128):032x}.{'png' if kind == 'image/png' else 'pdf'}"
        (self.folder / stored).write_bytes(content)
        return dict(stored_name=stored, original_name=name, content_type=kind, size=len(content), sha256=digest)


def third_parties(ctx, rng) -> tuple[list[int], list[int]]:
    """Landlords (one for every twenty members, a few of them with many tenants) and the utilities."""
    rows = [dict(kind=k, name=n, organization=o, phone=p, email=e, preferred_contact=c,
                 mailing_address="PO Box 1200, Salem, OR 97301") for k, n, o, p, e, c in LANDLORDS]
    for k in range(len(rows), max(3, ctx.members // 20)):
        rows.append(dict(kind=rng.choice(["landlord", "property_manager"]), name=rng.choice(CONTACTS),
                         organization=f"{PLACES[k % len(PLACES)]} {BUILDINGS[k // len(PLACES) % len(BUILDINGS)]}"
                         + (f" {k // 60 + 1}" if k >= 60 else ""),
                         phone=f"(503) 555-{1000 + k:04d}", email=None, preferred_contact="phone",
                         mailing_address=f"PO Box {2000 + k}, Salem, OR 97301"))
    utilities = [dict(kind="utility", name="Payment assistance desk", organization=u, phone=f"(503) 555-01{n:02d}",
                      email=None, preferred_contact="phone", mailing_address=None) for n, u in enumerate(UTILITIES)]
    ids = ctx.writer.returning(ThirdParty, rows + utilities)
    return ids[:len(rows)], ids[len(rows):]


def seed(ctx, people) -> None:
    rng, clock = ctx.rng("documents"), ctx.clock
    templates = db.session.scalars(db.select(ChecklistTemplateItem).where(ChecklistTemplateItem.active)
                                   .order_by(ChecklistTemplateItem.sort_order, ChecklistTemplateItem.id)).all()
    order = ctx.lookup(ServiceType, "code", "sort_order")
    landlords, utilities = third_parties(ctx, rng)
    batch = _Checklists(ctx, Files(ctx.rng("files")))
    shape_turn = 0
    for person in ctx.progress("Checklists, documents, third parties", people):
        cases = [e for e in person.episodes if e.fate in ("enrolled", "served") and e.reached]
        have, linked = set(), set()
        for episode in cases:
            author = episode.assignee or ctx.staff["coordinator"]
            base = max(episode.accepted or episode.reached, episode.reached)
            shape = None
            if episode.showcase is not None:
                shape, shape_turn = shape_turn % 3, shape_turn + 1     # 0 complete, 1 partial, 2 nothing yet
            _link(ctx, rng, person, episode, author, base, landlords, utilities, linked)
            _eligibility(ctx, rng, person, author, base, pending=shape == 2)
            wanted = sorted((t for t in templates if t.service_code in episode.services),
                            key=lambda t: (order[t.service_code], t.sort_order, t.id))
            for n, template in enumerate(wanted):
                if template.name_en.casefold() in have:
                    continue          # the desk lists a paper once per member, whichever service asks for it
                have.add(template.name_en.casefold())
                steps = _steps(rng, clock, base, shape, n, episode.fate)
                batch.add(person, episode, author, template, order[template.service_code] * 100 + template.sort_order,
                          steps, base)
            if shape == 0:
                batch.consent_form(person, author, base)
    batch.flush()
    ctx.writer.flush()


def _steps(rng, clock, base, shape, n, fate) -> list[tuple]:
    """(from, to, moment) of one item: asked for, received, sent to the payer; cut where today is.

    The showcase's items (shape 0 complete, 1 partial, 2 untouched) are squeezed in before now instead."""
    if shape == 2:
        return []
    if shape == 1:
        path = ["waived"] if n == 3 else ["received"] if n % 2 == 0 else ["requested"]
    elif shape == 0:
        path = ["received", "sent"] if n % 2 == 0 else ["received"]
    elif rng.random() < .05 and fate == "served":
        path = ["waived"]
    else:
        path = (["received"] if rng.random() < .4 else ["requested", "received"]) + ["sent"]
    steps, before, moment = [], "needed", base
    for k, to in enumerate(path):
        day = clock.day_of(moment) + timedelta(days=rng.randint(0, 3) if to == "requested" else rng.randint(1, 12))
        moment = max(moment, clock.office(day, rng))
        if shape is not None:
            moment = min(moment, base + (clock.now - base) * (k + 1) / (len(path) + 1))
        if moment > clock.now or (shape is None and moment == clock.now):
            break
        steps.append((before, to, moment))
        before = to
    return steps


class _Checklists:
    """Items waiting for their ids, which their steps and documents need."""

    def __init__(self, ctx, files):
        self.ctx, self.files, self.rows, self.plans = ctx, files, [], []
        self.documents, self.versions, self.uploaders = [], [], []

    def add(self, person, episode, author, template, sort_order, steps, base):
        last = steps[-1] if steps else None
        status = last[1] if last else "needed"
        self.rows.append(dict(member_id=person.id, referral_id=episode.id, template_id=template.id,
                              service_code=template.service_code, name_en=template.name_en, name_es=template.name_es,
                              sort_order=sort_order, status=status,
                              waived_reason=WAIVED if status == "waived" else None,
                              updated_at=last[2] if last else base, updated_by_id=author.id))
        self.plans.append((person, author, template.name_en, steps))
        if len(self.rows) >= BATCH:
            self.flush()

    def consent_form(self, person, author, base):
        self._document(person, author, None, "Signed consent", base)

    def _document(self, person, author, item_id, title, moment):
        self.documents.append(dict(member_id=person.id, item_id=item_id, title=title, created_at=moment,
                                   created_by_id=author.id))
        self.versions.append(dict(number=1, uploaded_at=moment, uploaded_by_id=author.id, **self.files.store(title)))
        self.uploaders.append(author)

    def flush(self):
        ctx, clock = self.ctx, self.ctx.clock
        ids = ctx.writer.returning(ChecklistItem, self.rows)
        recent = clock.at(clock.today - timedelta(days=FILE_DAYS), 0)
        for item_id, (person, author, title, steps) in zip(ids, self.plans):
            for before, to, moment in steps:
                ctx.writer.add(ChecklistStep, item_id=item_id, from_status=before, to_status=to, at=moment,
                               by_id=author.id, note=WAIVED if to == "waived" else None)
                ctx.audit(moment, author, "update", person.id, "ChecklistItem", item_id, {"status": [before, to]})
                if to == "received" and moment >= recent:
                    self._document(person, author, item_id, title, moment)
        document_ids = ctx.writer.returning(Document, self.documents)
        for document_id, document, version, author in zip(document_ids, self.documents, self.versions, self.uploaders):
            ctx.writer.add(DocumentVersion, document_id=document_id, **version)
            ctx.audit(version["uploaded_at"], author, "create", document["member_id"], "Document", document_id)
        self.rows, self.plans, self.documents, self.versions, self.uploaders = [], [], [], [], []


def _link(ctx, rng, person, episode, author, base, landlords, utilities, linked):
    """The member's landlord (popular ones have many tenants) and, for utility help, the utility company."""
    if episode.showcase is not None:
        picks = [landlords[person.index % 3]]          # the showcase shares the first landlords
    else:
        picks = [landlords[int(len(landlords) * rng.random() ** 2)]] if "rent" in episode.services else []
    if "utility" in episode.services:
        picks.append(utilities[person.index % len(utilities)])
    for party in picks:
        if party in linked:
            continue
        linked.add(party)
        ctx.writer.add(MemberThirdParty, member_id=person.id, third_party_id=party, linked_at=base,
                       linked_by_id=author.id)
        ctx.audit(base, author, "create", person.id, "MemberThirdParty")


def _eligibility(ctx, rng, person, author, base, pending):
    """Medicaid eligibility checked when the case opens (still pending for some new cases)."""
    clock = ctx.clock
    moment = max(base, clock.office(clock.day_of(base) + timedelta(days=rng.randint(0, 5)), rng))
    day = clock.day_of(moment)
    ctx.writer.add(EligibilityCheck, member_id=person.id, status="pending" if pending else "eligible",
                   medicaid_verified_on=None if pending else day,
                   medicaid_verified_how=None if pending else rng.choice(["mmis", "portal", "card"]),
                   questionnaire_on=day, questionnaire_where="By phone with the member" if pending else "Payer portal",
                   note=None, recorded_at=moment, recorded_by_id=author.id)
    ctx.audit(moment, author, "create", person.id, "EligibilityCheck")
