"""CSV that a spreadsheet opens safely: every export of the desk writes its cells through here."""
import csv
import io

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula is defused with a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header, rows) -> str:
    """The header and rows as CSV (commas, quotes and line breaks quoted), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_cell(cell) for cell in header])
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def csv_response(header, rows, filename: str) -> Response:
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
