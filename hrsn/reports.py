"""Reports and billing exports."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from hrsn.access import require
from hrsn.render import render

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/")
@require("reports")
def index():
    return render("placeholder.html", heading=_l("Reports"))
