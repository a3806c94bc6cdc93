"""The case step: a case per service, its service request and authorization, and every payment from the check
request to the payer's reimbursement (step 4)."""
from flask import Blueprint

bp = Blueprint("cases", __name__)


@bp.app_context_processor
def _helpers():
    from hrsn.cases.figures import in_units, waiting
    from hrsn.cases.rules import STEP_WORDS, may_step
    from hrsn.forms import money_text
    from hrsn.models import STEP_NEEDS, local_today
    return {"in_units": in_units, "waiting": waiting, "may_step": may_step, "step_needs": STEP_NEEDS, "step_words": STEP_WORDS,
            "case_today": local_today, "money_text": money_text}


from hrsn.cases import finance, lists, notes, payments, requests, views  # noqa: E402,F401  (routes register on this blueprint only)
