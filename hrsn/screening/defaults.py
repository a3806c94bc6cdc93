"""The screening questionnaire a new agency starts with (our own wording of the standard domains)."""
import json

from hrsn.extensions import db
from hrsn.models import ScreeningInstrument
from hrsn.screening.rules import DEFAULT_FILE, check


def ensure() -> None:
    """Load the default questionnaire when there is none; an admin's own are never touched."""
    if db.session.scalar(db.select(ScreeningInstrument.id).limit(1)) is None:
        definition = check(json.loads(DEFAULT_FILE.read_text(encoding="utf-8")))
        db.session.add(ScreeningInstrument(name=definition["name"], version=definition["version"],
                                           definition=definition, active=True))
