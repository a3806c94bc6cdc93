"""ReportLab documents: pure functions, data in, PDF bytes out. Labels arrive already translated."""
from io import BytesIO

from flask_babel import gettext as _
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

MARGIN = 0.7 * inch
LINE_GAP = 0.36 * inch


class _Sheet:
    """A page being filled top to bottom, starting a new page when the space runs out."""

    def __init__(self, title: str, footer: str, organization: str = ""):
        self.buffer = BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=LETTER, pageCompression=1)
        self.pdf.setTitle(title)
        self.width, self.height = LETTER
        self.title, self.footer, self.organization, self.page = title, footer, organization, 0
        self._new_page()

    def _new_page(self):
        if self.page:
            self.pdf.showPage()
        self.page += 1
        self.y = self.height - MARGIN
        self.pdf.setFont("Helvetica-Bold", 15)
        self.pdf.drawString(MARGIN, self.y, self.title)
        if self.organization:
            self.pdf.setFont("Helvetica", 10)
            self.pdf.drawRightString(self.width - MARGIN, self.y, self.organization[:80])
        self.pdf.setFont("Helvetica", 8)
        self.pdf.drawRightString(self.width - MARGIN, MARGIN / 2, f"{self.footer} · {self.page}")
        self.y -= 0.45 * inch

    def room(self, needed: float):
        if self.y - needed < MARGIN:
            self._new_page()

    def heading(self, text: str):
        self.room(0.7 * inch)
        self.pdf.setFont("Helvetica-Bold", 11)
        self.pdf.drawString(MARGIN, self.y, text)
        self.pdf.line(MARGIN, self.y - 4, self.width - MARGIN, self.y - 4)
        self.y -= LINE_GAP

    def blanks(self, labels: list[str], columns: int = 2):
        """Labels each followed by a line to write on, in columns."""
        col_width = (self.width - 2 * MARGIN) / columns
        for start in range(0, len(labels), columns):
            # A label longer than its column (Spanish often is) wraps, and the writing line goes under it.
            wrapped = [simpleSplit(label, "Helvetica", 9, col_width - 14) for label in labels[start:start + columns]]
            extra = (max(len(lines) for lines in wrapped) - 1) * 10
            self.room(LINE_GAP + extra)
            self.pdf.setFont("Helvetica", 9)
            for i, lines in enumerate(wrapped):
                x = MARGIN + i * col_width
                for n, line in enumerate(lines):
                    self.pdf.drawString(x, self.y - n * 10, line)
                self.pdf.line(x, self.y - 14 - extra, x + col_width - 12, self.y - 14 - extra)
            self.y -= LINE_GAP + 4 + extra

    def boxes(self, label: str, options: list[str], columns: int = 2):
        """A label and a tick box per option."""
        self.room(LINE_GAP)
        self.pdf.setFont("Helvetica", 9)
        self.pdf.drawString(MARGIN, self.y, label)
        self.y -= 0.24 * inch
        col_width = (self.width - 2 * MARGIN) / columns
        for start in range(0, len(options), columns):
            self.room(0.24 * inch)
            for i, option in enumerate(options[start:start + columns]):
                x = MARGIN + i * col_width
                self.pdf.rect(x, self.y - 2, 9, 9)
                self.pdf.drawString(x + 14, self.y, option)
            self.y -= 0.24 * inch
        self.y -= 0.1 * inch

    def facts(self, pairs: list[tuple[str, str]]):
        """Label and value on each line, the value wrapped in its column. Values are drawn as plain text, never
        read as markup, so what a user typed ("<b>", "&") prints exactly as typed."""
        value_x = MARGIN + 2.1 * inch
        for label, value in pairs:
            wrapped = simpleSplit(str(value or "—"), "Helvetica", 10, self.width - MARGIN - value_x) or ["—"]
            self.room(0.25 * inch * len(wrapped))
            self.pdf.setFont("Helvetica-Bold", 9)
            self.pdf.drawString(MARGIN, self.y, label)
            self.pdf.setFont("Helvetica", 10)
            for n, line in enumerate(wrapped):
                self.pdf.drawString(value_x, self.y - n * 12, line)
            self.y -= 0.1 * inch + 12 * len(wrapped)

    def lines(self, label: str, count: int):
        self.room(0.3 * inch + count * 0.3 * inch)
        self.pdf.setFont("Helvetica", 9)
        self.pdf.drawString(MARGIN, self.y, label)
        for _i in range(count):
            self.y -= 0.3 * inch
            self.pdf.line(MARGIN, self.y, self.width - MARGIN, self.y)
        self.y -= LINE_GAP

    def finish(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def blank_intake_pdf(services: list[str], sources: list[str], languages: list[str], organization: str = "") -> bytes:
    """The intake form on paper, in the current locale's words (the caller sets the locale)."""
    sheet = _Sheet(_("Referral intake form"), _("Intake form"), organization)
    sheet.heading(_("Member"))
    sheet.blanks([_("First name"), _("Last name"), _("Date of birth"), _("Medicaid ID"), _("Phone"), _("Email")])
    sheet.blanks([_("Street address")], columns=1)
    sheet.blanks([_("City"), _("State"), _("ZIP code"), _("Household size")], columns=4)
    sheet.blanks([_("Monthly household income ($)"), _("Best time to reach")])
    sheet.boxes(_("Preferred language"), languages + [_("Needs an interpreter")], columns=3)
    sheet.boxes(_("Best way to reach"), [_("Phone"), _("Text message"), _("Email"), _("Mail"), _("In person")],
                columns=5)
    sheet.heading(_("Referral"))
    sheet.blanks([_("Date received"), _("Referral ID from the payer or platform")])
    sheet.blanks([_("Payer")], columns=1)
    sheet.boxes(_("Source"), sources, columns=3)
    sheet.boxes(_("Services requested"), services, columns=2)
    sheet.blanks([_("Months of rent owed"), _("Rent per month ($)"), _("Utility amount owed ($)"),
                  _("Eviction or shut-off notice date")], columns=2)
    sheet.lines(_("Current needs"), 5)
    sheet.heading(_("For staff"))
    sheet.blanks([_("Taken by"), _("Date")])
    return sheet.finish()


def check_request_pdf(data: dict) -> bytes:
    """A check request for the finance office, in the current locale's words: who is paid, how much, for what,
    from which funds and under which authorization, with lines to sign and to write the check number on."""
    sheet = _Sheet(_("Check request"), _("Check request no. %(number)s", number=data["number"]), data["organization"])
    sheet.heading(_("Payment"))
    sheet.facts([(_("Pay to"), data["payee"]), (_("Mailing address"), data["address"]), (_("Amount"), data["amount"]),
                 (_("For"), data["for"]), (_("Memo on the check"), data["memo"])])
    sheet.heading(_("Case"))
    sheet.facts([(_("Member"), data["member"]), (_("Payer"), data["payer"]), (_("Funding source"), data["source"]),
                 (_("Authorization"), data["authorization"]), (_("Requested on"), data["requested_on"]),
                 (_("Requested by"), data["requested_by"])])
    sheet.heading(_("Approval"))
    sheet.blanks([_("Approved by"), _("Date")])
    sheet.heading(_("For finance"))
    sheet.blanks([_("Check or transfer number"), _("Date paid")])
    sheet.blanks([_("Signature")], columns=1)
    return sheet.finish()
# Documents with member-typed text: DejaVu Sans (accents and non-Latin names), every string escaped ------------

FONT_FOLDERS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
                "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")


def unicode_fonts() -> tuple[str, str]:
    """(regular, bold) fonts that cover accents, Cyrillic, Greek and more: DejaVu Sans, embedded in the PDF
    (Debian's fonts-dejavu-core; HRSN_PDF_FONT_DIR names another folder). Without it, Helvetica: Latin only."""
    import os
    from pathlib import Path

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans", "DejaVuSans-Bold"
    folders = [os.environ.get("HRSN_PDF_FONT_DIR", ""), *FONT_FOLDERS]
    for folder in filter(None, folders):
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def paragraph_text(text) -> str:
    """A user's text for a ReportLab Paragraph: markup typed by a person (<font>, <img>) is printed as text."""
    from xml.sax.saxutils import escape
    return escape(str(text or "")).replace("\n", "<br/>")


def _styles(regular: str, bold: str) -> dict:
    from reportlab.lib.styles import ParagraphStyle
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    return {"title": ParagraphStyle("title", parent=body, fontName=bold, fontSize=16, leading=20),
            "name": ParagraphStyle("name", parent=body, fontName=bold, fontSize=12, leading=15, spaceBefore=8),
            "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10), "body": body,
            "label": ParagraphStyle("label", parent=body, fontName=bold)}


def _service_block(item: dict, styles: dict):
    """One service kept on one page: its name, organization and needs, description, and labelled rows."""
    from reportlab.platypus import KeepTogether, Paragraph, Table, TableStyle
    block = [Paragraph(paragraph_text(item["name"]), styles["name"]),
             Paragraph(paragraph_text(" · ".join(p for p in (item["organization"], item["needs"]) if p)),
                       styles["small"])]
    if item.get("description"):
        block.append(Paragraph(paragraph_text(item["description"]), styles["body"]))
    rows = [[Paragraph(paragraph_text(label), styles["label"]), Paragraph(paragraph_text(text), styles["body"])]
            for label, text in item["rows"]]
    if rows:
        table = Table(rows, colWidths=[1.5 * inch, LETTER[0] - 2 * MARGIN - 1.5 * inch])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        block.append(table)
    return KeepTogether(block)


def resource_list_pdf(title: str, entries: list[dict], *, intro: str, footer: str, organization: str = "",
                      contact: str = "") -> bytes:
    """Services for a member: each with its organization, needs, description and labelled rows (phone, address,
    hours, how to apply, what to bring...). Every string arrives translated and is escaped here."""
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    regular, bold = unicode_fonts()
    styles, buffer = _styles(regular, bold), BytesIO()

    def page_footer(canvas_, document):
        canvas_.setFont(regular, 8)
        canvas_.drawRightString(LETTER[0] - MARGIN, MARGIN / 2, f"{footer} · {document.page}")
    document = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=title)
    story = [Paragraph(paragraph_text(title), styles["title"])]
    if organization:
        story.append(Paragraph(paragraph_text(organization), styles["body"]))
    story += [Spacer(1, 6), Paragraph(paragraph_text(intro), styles["body"])]
    story += [_service_block(item, styles) for item in entries]
    if contact:
        story += [Spacer(1, 12), Paragraph(paragraph_text(contact), styles["body"])]
    document.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return buffer.getvalue()


# The Health Action Plan: a story of sections (facts, tables, paragraphs), a header repeated on every page ---------

def _numbered_canvas(regular: str, header: str, footer: str):
    """A canvas that holds its pages until the end, so each can say "page N of M" under a repeated header."""
    class Numbered(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                width, height = LETTER
                self.setFont(regular, 8)
                self.drawString(MARGIN, height - MARGIN / 2, header[:120])
                self.line(MARGIN, height - MARGIN / 2 - 3, width - MARGIN, height - MARGIN / 2 - 3)
                self.drawString(MARGIN, MARGIN / 2, footer[:100])
                self.drawRightString(width - MARGIN, MARGIN / 2, _("Page %(n)d of %(total)d", n=self._pageNumber,
                                                                   total=total))
                super().showPage()
            super().save()
    return Numbered


def action_plan_pdf(plan: dict) -> bytes:
    """The Health Action Plan: `plan` holds translated strings only (title, header, footer, intro lines, and
    sections each with "heading" and any of "pairs", "table" {"head", "rows", "widths"}, "lines"). Every string
    is escaped here: what a person typed prints exactly as typed, never read as markup."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    regular, bold = unicode_fonts()
    styles, buffer = _styles(regular, bold), BytesIO()
    body, label, small = styles["body"], styles["label"], styles["small"]
    heading = styles["name"]
    width = LETTER[0] - 2 * MARGIN

    def text(value, style=body):
        return Paragraph(paragraph_text(value if value not in (None, "") else "—"), style)

    story = [text(plan["title"], styles["title"])]
    story += [text(line) for line in plan.get("intro", ()) if line]
    grid = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), regular),
                       ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                       ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                       ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    pairs_style = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
    for section in plan["sections"]:
        story += [Spacer(1, 6), text(section["heading"], heading)]
        if section.get("pairs"):
            rows = [[text(k, label), text(v)] for k, v in section["pairs"]]
            story.append(Table(rows, colWidths=[1.8 * inch, width - 1.8 * inch], style=pairs_style))
        table = section.get("table")
        if table and table["rows"]:
            widths = [width * share for share in table["widths"]]
            rows = [[text(h, label) for h in table["head"]]]
            rows += [[text(cell, small if isinstance(cell, str) and len(cell) > 400 else body) for cell in row]
                     for row in table["rows"]]
            story.append(Table(rows, colWidths=widths, repeatRows=1, style=grid))
        elif table is not None:
            story.append(text(section.get("empty", "—")))
        story += [text(line) for line in section.get("lines", ()) if line]
    document = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=plan["title"], author=plan.get("organization", ""),
                                 invariant=1)
    document.build(story, canvasmaker=_numbered_canvas(regular, plan["header"], plan["footer"]))
    return buffer.getvalue()
