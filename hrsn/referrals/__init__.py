"""Referrals in: the queues by urgency, triage decisions with their history, and assignment."""
from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

from hrsn.referrals import views  # noqa: E402,F401  (routes register on this blueprint only)
