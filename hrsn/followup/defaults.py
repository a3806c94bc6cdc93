"""What a new agency needs from follow-up on day one: a follow-up template for each service of the program, each
payer's deadlines, and the words each payer's referral platform is told for an outcome (to rename)."""
from hrsn.extensions import db
from hrsn.models import FollowupTemplate, Payer, PayerDeadline, PayerOutcomeWord, ServiceType

# service code: style, check-in months, closing month, counted from
TEMPLATES = {
    "rent": ("fixed", "3,5", 6, "authorization"),
    "storage": ("fixed", "3,5", 6, "authorization"),
    "utility": ("fixed", "1", 3, "opened"),
    "move_in": ("fixed", "1,2", 3, "opened"),
    "home_mod": ("fixed", "1", 3, "opened"),
    "climate": ("fixed", "1", 2, "opened"),
    "tenancy": ("monthly", None, 12, "opened"),
}
# The days allowed for the first contact and for the whole outreach window, until the admin sets the payer's own.
FIRST_CONTACT_DAYS, OUTREACH_DAYS = 3, 30
# The words most referral platforms use for an outcome, until the admin writes the payer's own.
OUTCOME_WORDS = {
    "goals_met": "Resolved - goals met",
    "assistance_complete": "Resolved - service provided",
    "unable_to_reach": "Unresolved - client unresponsive",
    "not_eligible": "Unresolved - client not eligible",
    "no_capacity": "Unresolved - no capacity, referred elsewhere",
    "moved_away": "Unresolved - client moved",
    "declined": "Unresolved - client declined services",
    "transferred": "Unresolved - transferred to another organization",
    "deceased": "Unresolved - client deceased",
    "other": "Closed - other",
}


def ensure() -> None:
    """Fill empty tables only: what an admin has written is never touched."""
    if db.session.scalar(db.select(FollowupTemplate.id).limit(1)) is None:
        services = {s.code: s for s in db.session.scalars(db.select(ServiceType))}
        db.session.add_all(FollowupTemplate(service_type_id=services[code].id, style=style, check_in_months=months,
                                            closing_month=closing, count_from=start)
                           for code, (style, months, closing, start) in TEMPLATES.items() if code in services)
    payers = db.session.scalars(db.select(Payer)).all()
    if db.session.scalar(db.select(PayerDeadline.id).limit(1)) is None:
        db.session.add_all(PayerDeadline(payer_id=p.id, first_contact_days=FIRST_CONTACT_DAYS,
                                         outreach_days=OUTREACH_DAYS) for p in payers)
    if db.session.scalar(db.select(PayerOutcomeWord.id).limit(1)) is None:
        db.session.add_all(PayerOutcomeWord(payer_id=p.id, reason=reason, words=words)
                           for p in payers for reason, words in OUTCOME_WORDS.items())
