"""ReportLab documents: pure functions, data in, PDF bytes out. Labels arrive already translated."""
from io import BytesIO

from flask_babel import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

# Streams compressed and kept binary (not also spelled out in ASCII85): smaller files, and less time per PDF.
rl_config.useA85 = 0

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


def _char_widths(font_name: str):
    """A function giving a text's width at size 1000 from a per-character table built once per font: wrapping
    hundreds of cells then costs a dictionary look-up per character, not a font call per word."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    table: dict[str, float] = {}

    def width(text: str) -> float:
        total = 0.0
        for ch in text:
            w = table.get(ch)
            if w is None:
                w = table[ch] = stringWidth(ch, font_name, 1000)
            total += w
        return total
    return width


_WIDTHS: dict = {}


def wrap_text(text, width_points: float, font_name: str, size: float) -> str:
    """Plain text broken into lines that fit the width (a word longer than the line is cut), as one string with
    line breaks: what a table cell draws as plain text, never reading it as markup."""
    measure = _WIDTHS.setdefault(font_name, _char_widths(font_name))
    limit = width_points * 1000 / size
    space = measure(" ")
    lines = []
    for paragraph in str(text).splitlines() or [""]:
        line, used = [], 0.0
        for word in paragraph.split():
            w = measure(word)
            while w > limit:                          # a very long word: cut it where the line ends
                cut = len(word)
                while cut > 1 and measure(word[:cut]) > limit:
                    cut = max(1, cut * 3 // 4)
                if line:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                lines.append(word[:cut])
                word = word[cut:]
                w = measure(word)
            if line and used + space + w > limit:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0) + w
            line.append(word)
        lines.append(" ".join(line))
    return "\n".join(lines)


def _plain_table():
    """A Table whose text cells (left, top, one font) are drawn as one text object each instead of one per line:
    a long plan draws thousands of lines."""
    from reportlab.platypus import Table

    class PlainTable(Table):
        def draw(self):
            self._fill = None
            super().draw()

        def _drawCell(self, cellval, cellstyle, pos, size):
            if not isinstance(cellval, str) or cellstyle.alignment != "LEFT" or cellstyle.valign != "TOP" \
                    or cellstyle.href or cellstyle.destination or cellstyle.direction or cellstyle.shaping:
                self._fill = self._curcellstyle = None     # the canvas's own font and colour are set again
                return super()._drawCell(cellval, cellstyle, pos, size)
            if self._fill != cellstyle.color:          # every cell has its own style; the colour rarely changes
                self.canv.setFillColor(cellstyle.color)
                self._fill = cellstyle.color
            self._curcellstyle = cellstyle
            x = pos[0] + cellstyle.leftPadding
            y = pos[1] + size[1] - cellstyle.topPadding - cellstyle.fontsize
            text = self.canv.beginText(x, y)
            text.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
            for line in cellval.split("\n"):
                text.textLine(line)
            self.canv.drawText(text)
    return PlainTable


def action_plan_pdf(plan: dict) -> bytes:
    """The Health Action Plan: `plan` holds translated strings only (title, header, footer, intro lines, and
    sections each with "heading" and any of "pairs", "blocks" [(title, pairs)], "table" {"head", "rows", "widths"},
    "lines").

    What people typed goes into table cells as plain text, wrapped here and drawn without any markup reading, so
    "<font>" or "<img>" typed by a user prints exactly as typed; the few Paragraphs (title, headings) are escaped.
    Long tables split across pages with their header row repeated; every page repeats the plan's header line and
    says "page N of M". One embedded font, registered once per process."""
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    Table = _plain_table()
    regular, bold = unicode_fonts()
    styles, buffer = _styles(regular, bold), BytesIO()
    width = LETTER[0] - 2 * MARGIN
    size, pad = 9, 3

    def cell(value, cell_width, font=regular):
        return wrap_text(value if value not in (None, "") else "—", cell_width - 2 * pad, font, size)

    def grid(head_rows: int, rows: int) -> TableStyle:
        commands = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONT", (0, 0), (-1, -1), regular, size, size + 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad)]
        if head_rows:
            commands += [("FONT", (0, 0), (-1, 0), bold, size, size + 2),
                         ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black)]
        if rows > head_rows:
            commands.append(("LINEBELOW", (0, head_rows), (-1, -1), 0.25, colors.lightgrey))
        return TableStyle(commands)

    story = [Paragraph(paragraph_text(plan["title"]), styles["title"])]
    for line in plan.get("intro", ()):
        if line:
            story.append(Paragraph(paragraph_text(line), styles["body"]))
    for section in plan["sections"]:
        heading = Paragraph(paragraph_text(section["heading"]), styles["name"])
        story.append(Spacer(1, 4))
        if section.get("pairs"):            # a short block of facts stays on one page with its heading
            widths = [1.8 * inch, width - 1.8 * inch]
            rows = [[cell(k, widths[0], bold), cell(v, widths[1])] for k, v in section["pairs"]]
            style = grid(0, 0)
            style.add("FONT", (0, 0), (0, -1), bold, size, size + 2)
            story.append(KeepTogether([heading, Table(rows, colWidths=widths, style=style)]))
        else:
            story.append(heading)
        if section.get("blocks"):           # titled blocks of facts, one table, each block kept on one page
            widths = [1.8 * inch, width - 1.8 * inch]
            rows, style = [], grid(0, 0)
            for title, pairs in section["blocks"]:
                start = len(rows)
                # The title is wrapped to the whole width and drawn from the first cell over the empty second one
                # (plain text is not clipped): a SPAN per block would cost more than the rest of the table.
                rows.append([wrap_text(title, width - 2 * pad, bold, size + 1), ""])
                rows += [[cell(k, widths[0], bold), cell(v, widths[1])] for k, v in pairs]
                style.add("FONT", (0, start), (1, start), bold, size + 1, size + 3)
                style.add("TOPPADDING", (0, start), (1, start), 8)
                style.add("FONT", (0, start + 1), (0, len(rows) - 1), bold, size, size + 2)
                style.add("NOSPLIT", (0, start), (1, len(rows) - 1))
            story.append(Table(rows, colWidths=widths, style=style))
        table = section.get("table")
        if table and table["rows"]:
            widths = [width * share for share in table["widths"]]
            rows = [[cell(h, w, bold) for h, w in zip(table["head"], widths)]]
            rows += [[cell(value, w) for value, w in zip(row, widths)] for row in table["rows"]]
            story.append(Table(rows, colWidths=widths, repeatRows=1, style=grid(1, len(rows))))
        elif table is not None:
            story.append(Paragraph(paragraph_text(section.get("empty", "—")), styles["body"]))
        for line in section.get("lines", ()):
            if line:
                story.append(Paragraph(paragraph_text(line), styles["body"]))
    document = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN, title=plan["title"], author=plan.get("organization", ""))
    document.build(story, canvasmaker=_numbered_canvas(regular, plan["header"], plan["footer"]))
    return buffer.getvalue()
