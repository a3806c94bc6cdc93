"""The contact step: reach the member by the outreach rule, in their language, and record consent."""
from flask import Blueprint

bp = Blueprint("contact", __name__)

from hrsn.contact import consent, templates_admin, unable, views  # noqa: E402,F401  (routes register on this blueprint only)
