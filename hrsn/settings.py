"""Organization settings: each rule marked (setting) has a default here that an admin can change."""
from dataclasses import dataclass

from flask import g
from flask_babel import lazy_gettext as _l

from hrsn.extensions import db


@dataclass(frozen=True)
class Spec:
    key: str
    default: object
    label: object
    kind: str = "int"          # int or text
    minimum: int | None = None
    maximum: int | None = None


SPECS: dict[str, Spec] = {}


def register(key, default, label, kind="int", minimum=0, maximum=1_000_000) -> Spec:
    """Declare a setting; each workflow module registers its own at import time."""
    SPECS[key] = Spec(key, default, label, kind, minimum, maximum)
    return SPECS[key]


register("org_name", "Community Housing Services", _l("Organization name"), "text")
register("org_phone", "", _l("Organization phone"), "text")
register("callback_hours", "", _l("Callback hours"), "text")
register("idle_minutes", 20, _l("Sign out after this many idle minutes"), minimum=2, maximum=480)


def get(key: str):
    """The current value of a setting, read once per request."""
    cache = g.setdefault("_settings", None) if _has_g() else None
    if cache is None:
        from hrsn.models import Setting
        cache = {row.key: row.value for row in db.session.scalars(db.select(Setting))}
        if _has_g():
            g._settings = cache
    return cache.get(key, SPECS[key].default)


def put(key: str, value) -> None:
    from hrsn.models import Setting
    row = db.session.get(Setting, key) or Setting(key=key)
    row.value = value
    db.session.add(row)
    if _has_g():
        g.pop("_settings", None)


def _has_g() -> bool:
    from flask import has_app_context
    return has_app_context()
