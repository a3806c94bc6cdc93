"""The service directory of community organizations."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from hrsn.access import require
from hrsn.render import render

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.get("/")
@require("directory")
def index():
    return render("placeholder.html", heading=_l("Directory"))
