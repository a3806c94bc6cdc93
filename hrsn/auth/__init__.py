"""Signing in and out, the first run, one's own account, the language switch and session upkeep."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from hrsn.auth import setup, views  # noqa: E402,F401  (routes register on this blueprint only)
