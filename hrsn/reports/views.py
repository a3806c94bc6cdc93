"""The Reports page: each report with its filters, chart, table and CSV."""
from hrsn.reports import bp  # noqa: F401
from flask_login import current_user  # noqa: E402

from hrsn.access import require  # noqa: E402
from hrsn.render import render  # noqa: E402


@bp.get("/reports")
@require("reports")
def index():
    return render("reports/index.html")
