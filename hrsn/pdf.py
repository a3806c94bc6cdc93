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
