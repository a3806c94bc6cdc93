"""The data's keeping (admin): verify that nothing was altered, back up into an encrypted archive, restore one.
The same work runs from the command line (hrsn.durable.commands) and nightly while `hrsn serve` runs."""
from flask import Blueprint

from hrsn.access import require

bp = Blueprint("durable", __name__, url_prefix="/admin/data")


@bp.before_request
@require("admin")
def _admins_only():
    return None


from hrsn.durable import views  # noqa: E402,F401  (routes register on this blueprint only)
