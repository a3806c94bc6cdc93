"""Finding a member already on file: the same Medicaid ID, or the same name and date of birth."""
import re
from datetime import date

from sqlalchemy import and_, or_

from hrsn.extensions import db
from hrsn.models import Member, name_key


def find_duplicates(first: str = "", last: str = "", dob: date | None = None, medicaid_id: str = "",
                    exclude_id: int | None = None, limit: int = 5) -> list[Member]:
    """Members who may be the same person; accents, letter case and spacing in names are ignored."""
    conditions = []
    medicaid_id = re.sub(r"\s+", "", medicaid_id or "").upper()
    if medicaid_id:
        conditions.append(Member.medicaid_id == medicaid_id)
    key = name_key(first or "", last or "")
    if dob and (first or "").strip() and (last or "").strip():
        conditions.append(and_(Member.name_key == key, Member.dob == dob))
    if not conditions:
        return []
    query = db.select(Member).where(or_(*conditions)).order_by(Member.id).limit(limit)
    if exclude_id is not None:
        query = query.where(Member.id != exclude_id)
    return list(db.session.scalars(query))
