"""Flask extensions, created unbound and initialised in create_app()."""
from types import SimpleNamespace

import flask_babel
from flask.globals import _cv_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
htmx = Htmx()


def _babel_state() -> SimpleNamespace | None:
    """Flask-Babel's state for this request (its locale, time zone and catalog), found on the application context
    itself. Flask-Babel's own lookup goes through the `g` proxy three times, and every gettext, format_date and
    get_locale makes it two or three times: some 1,500 proxy lookups for a page of twenty contacts. Same state,
    same place (`g._flask_babel`), None outside an application context as before."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    try:
        return ctx.g._flask_babel
    except AttributeError:
        ctx.g._flask_babel = state = SimpleNamespace()
        return state


flask_babel._get_current_context = _babel_state


class RequestDomain(flask_babel.Domain):
    """Flask-Babel's message domain, its catalog kept on the request's state beside the locale it belongs to. The
    domain looks its catalog up anew for every string, spelling the locale out as a key each time (some 200
    strings on a member's tab). A forced locale (a printout in the member's language) is another locale object,
    so it gets its own catalog, and the request's comes back with it; `refresh()` forgets both."""

    def get_translations(self):
        state = _babel_state()
        if state is None:
            return super().get_translations()
        locale = flask_babel.get_locale()
        kept = getattr(state, "babel_translations", None)
        if kept is None or kept[0] is not locale:
            kept = state.babel_translations = (locale, super().get_translations())
        return kept[1]


babel.domain_instance = RequestDomain()
