"""The Health Action Plan step: the member's needs, goals, supports and preferences, every referral received
and made with its outcome, the organization's own cases by need, and the printed plan (member and staff copies)."""
from flask import Blueprint

bp = Blueprint("plan", __name__)


@bp.app_context_processor
def _helpers():
    from hrsn.plan.referrals import delivered_labels, move_form_for
    from hrsn.plan.rules import organization_figures
    from hrsn.models import LANGUAGES, NEED_DOMAINS, OUT_HL7, OUT_PENDING, OUT_STATUSES
    return {"plan_languages": LANGUAGES, "plan_move_form": move_form_for, "plan_delivered_labels": delivered_labels,
            "plan_org_figures": organization_figures,
            "need_domains": NEED_DOMAINS, "out_statuses": OUT_STATUSES, "out_pending": OUT_PENDING,
            "out_hl7": OUT_HL7}


from hrsn.plan import extras, printout, referrals, views  # noqa: E402,F401  (routes register on this blueprint only)
