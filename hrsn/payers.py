"""Payers and service types: data an admin edits (filled in by the intake issue)."""
from flask import Blueprint

bp = Blueprint("payers", __name__, url_prefix="/admin")
