"""Referrals in: the triage queues (filled in by the intake issue)."""
from flask import Blueprint

from hrsn.access import require
from hrsn.render import render

bp = Blueprint("referrals", __name__, url_prefix="/referrals")


@bp.get("/")
@require("referrals")
def index():
    return render("placeholder.html", heading="Referrals")
