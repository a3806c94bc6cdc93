"""Organization settings: each rule marked (setting) has a default that an admin can change.

A step declares its settings as `Spec` constants; `hrsn/steps.py` lists them, and the app knows only those."""
from dataclasses import dataclass
from functools import cache

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l

from hrsn.extensions import db


@dataclass(frozen=True)
class Spec:
    key: str
    default: object
    label: object
    kind: str = "int"          # int, text or choice
    minimum: int | None = 0
    maximum: int | None = 1_000_000
    choices: tuple = ()        # (value, label) pairs for kind "choice"


# The zones a US agency works in; the first run and Admin, Settings offer these.
TIMEZONES = {
    "America/Los_Angeles": _l("Pacific (Los Angeles, Portland, Seattle)"),
    "America/Phoenix": _l("Arizona (Phoenix)"),
    "America/Denver": _l("Mountain (Denver, Boise)"),
    "America/Chicago": _l("Central (Chicago, Dallas)"),
    "America/New_York": _l("Eastern (New York, Miami)"),
    "America/Anchorage": _l("Alaska (Anchorage)"),
    "Pacific/Honolulu": _l("Hawaii (Honolulu)"),
    "America/Puerto_Rico": _l("Atlantic (San Juan)"),
}
LOCALE_CHOICES = {"en": _l("English"), "es": _l("Spanish")}

ORGANIZATION = (
    Spec("org_name", "", _l("Organization name"), "text"),
    Spec("org_address", "", _l("Organization address"), "text"),
    Spec("org_phone", "", _l("Organization phone"), "text"),
    Spec("org_email", "", _l("Organization email"), "text"),
    Spec("callback_hours", "", _l("Callback hours"), "text"),
    Spec("org_timezone", "America/Los_Angeles", _l("Time zone"), "choice", choices=tuple(TIMEZONES.items())),
    Spec("default_locale", "en", _l("Language staff start in"), "choice", choices=tuple(LOCALE_CHOICES.items())),
    Spec("idle_minutes", 20, _l("Sign out after this many idle minutes"), minimum=2, maximum=480),
)


def specs() -> dict[str, Spec]:
    """The settings of the steps the app was built with, in the wiring's order."""
    return current_app.extensions["hrsn"].settings


def _values() -> dict:
    """Every stored value, read once per request (or per app context outside one)."""
    cache = g.get("_settings") if has_app_context() else None
    if cache is None:
        cache = dict(db.session.execute(_stored()).all())
        if has_app_context():
            g._settings = cache
    return cache


@cache
def _stored():
    """Every stored setting's key and value: the statement built once (asked on every request)."""
    from hrsn.models import Setting
    return db.select(Setting.key, Setting.value)


def get(key: str):
    """The current value of a setting: the stored one, else its default."""
    values = _values()
    return values[key] if key in values else specs()[key].default


def put(key: str, value) -> None:
    """Store a value (committed with the caller's change)."""
    from hrsn.models import Setting
    if key not in specs():
        raise KeyError(key)
    row = db.session.get(Setting, key) or Setting(key=key)
    row.value = value
    db.session.add(row)
    if has_app_context():
        g.pop("_settings", None)
