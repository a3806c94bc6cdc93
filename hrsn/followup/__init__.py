"""The follow-up step: check-ins scheduled from each service's template, closing a member's episode with a reason
and reopening it, outcomes reported back to the payer, the coordinator's week and the check-ins calendar (step 5)."""
from flask import Blueprint

bp = Blueprint("followup", __name__)

from hrsn.followup import outcomes, views  # noqa: E402,F401  (routes register on this blueprint only)
