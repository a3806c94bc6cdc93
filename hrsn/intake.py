"""Intake: a referral arrives (filled in by the intake issue)."""
from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/intake")
