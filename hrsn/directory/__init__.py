"""The service directory: community organizations and their services, searched, kept current, printed for a
member, and loaded from or written to Open Referral (HSDS) files (step 7)."""
from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")

# The route modules add their routes to this blueprint only.
from hrsn.directory import edit, imports, resource_list, views  # noqa: E402,F401
