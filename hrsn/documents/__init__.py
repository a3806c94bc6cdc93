"""The documents step: the checklist, private uploads, third parties and eligibility (step 3)."""
from flask import Blueprint

bp = Blueprint("documents", __name__)

from hrsn.documents import checklists_admin, files, parties, views  # noqa: E402,F401  (routes register on this blueprint only)
