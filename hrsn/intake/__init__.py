"""Intake: a referral arrives, is checked for duplicates and recorded (step 1 of the workflow)."""
from flask import Blueprint

bp = Blueprint("intake", __name__)

from hrsn.intake import views  # noqa: E402,F401  (routes register on this blueprint only)
