"""Administration: staff accounts, payers and service types, the organization's settings and the audit trail."""
from flask import Blueprint

from hrsn.access import require

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@require("admin")
def _admins_only():
    return None


from hrsn.admin import payers, views  # noqa: E402,F401  (routes register on this blueprint only)
