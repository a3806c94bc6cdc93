"""The HRSN screening on a member's record, in the member's language; positive domains become HAP needs."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from hrsn import admin
from hrsn.extensions import db

bp = Blueprint("screening", __name__)

if "screening.instruments" not in [link[0] for link in admin.LINKS]:
    admin.LINKS.append(("screening.instruments", _l("Screening questionnaires")))


def latest_complete(member):
    from hrsn.models import Screening
    return db.session.scalar(db.select(Screening).where(Screening.member_id == member.id, Screening.status == "complete")
                             .order_by(Screening.completed_at.desc(), Screening.id.desc()).limit(1))


def positive_needs(member) -> list[dict]:
    """The needs the HAP starts from: the latest completed screening's positive domains, with its date as source."""
    from flask_babel import get_locale
    screening = latest_complete(member)
    if screening is None:
        return []
    locale = "es" if str(get_locale() or "en").startswith("es") else "en"
    return [{"domain_code": code, "domain_name": screening.instrument.domain(code)["name"][locale],
             "screened_on": screening.completed_at.date(), "screening_id": screening.id}
            for code in screening.positive_domains]


@bp.app_context_processor
def _summary_helper():
    def screenings_of(member):
        from hrsn.models import Screening
        return db.session.scalars(db.select(Screening).where(Screening.member_id == member.id)
                                  .order_by(Screening.started_at.desc(), Screening.id.desc())).all()
    return {"screenings_of": screenings_of}


from hrsn.screening import views  # noqa: E402,F401  (routes register on bp)
