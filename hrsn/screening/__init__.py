"""The HRSN screening on a member's record (filled in by the documents and eligibility issue)."""
from flask import Blueprint

bp = Blueprint("screening", __name__)
