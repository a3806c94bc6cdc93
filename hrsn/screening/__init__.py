"""The HRSN screening on a member's record, in the member's language; its positive domains are the HAP's needs."""
from flask import Blueprint

from hrsn.extensions import db

bp = Blueprint("screening", __name__)


@bp.app_context_processor
def _summary_helper():
    def screenings_of(member):
        from hrsn.models import Screening
        return db.session.scalars(db.select(Screening).where(Screening.member_id == member.id)
                                  .order_by(Screening.started_at.desc(), Screening.id.desc())).all()
    return {"screenings_of": screenings_of}


from hrsn.screening import views  # noqa: E402,F401  (routes register on this blueprint only)
