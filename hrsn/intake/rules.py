"""Intake's rules and queries: its settings, finding a member already on file, what each service asks for."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_

from hrsn.access import visible_members
from hrsn.extensions import db
from hrsn.models import Member, name_key
from hrsn.settings import Spec

SETTINGS = (
    Spec("urgent_notice_days", 14, _l("Urgent when an eviction or shut-off notice date is within this many days"),
         minimum=0, maximum=120),
    Spec("medicaid_id_pattern", r"[A-Za-z0-9]{6,12}",
         _l("Medicaid ID pattern (a regular expression a payer may override)"), "text"),
)

MEMBER_FIELDS = ("first_name", "last_name", "dob", "medicaid_id", "phone", "email", "address", "city", "state",
                 "postal_code", "preferred_language", "interpreter_needed", "best_way_to_reach",
                 "best_time_to_reach", "household_size", "monthly_income_cents", "assignee_id")
REFERRAL_FIELDS = ("received_on", "source", "payer_id", "external_id", "rent_months_owed", "rent_per_month_cents",
                   "utility_owed_cents", "notice_date", "current_needs", "status")


def find_duplicates(first: str = "", last: str = "", dob: date | None = None, medicaid_id: str = "",
                    exclude_id: int | None = None, limit: int = 5) -> list[Member]:
    """Members who may be the same person; accents, letter case and spacing in names are ignored."""
    conditions = []
    medicaid_id = re.sub(r"\s+", "", medicaid_id or "").upper()
    if medicaid_id:
        conditions.append(Member.medicaid_id == medicaid_id)
    if dob and (first or "").strip() and (last or "").strip():
        conditions.append(and_(Member.name_key == name_key(first, last), Member.dob == dob))
    if not conditions:
        return []
    query = db.select(Member).where(or_(*conditions)).order_by(Member.id).limit(limit)
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    return list(db.session.scalars(query))


def visible_ids(members) -> set[int]:
    """Which of these members the user may open (a duplicate may be a colleague's member)."""
    if not members:
        return set()
    return set(db.session.scalars(visible_members().with_only_columns(Member.id)
                                  .where(Member.id.in_([m.id for m in members]))))


def asked_fields(services) -> dict:
    """Which referral fields the chosen service types ask for (each type's own admin-set flags)."""
    return {"show_rent": any(s.asks_rent for s in services), "show_utility": any(s.asks_utility for s in services),
            "show_notice": any(s.asks_notice for s in services)}
