"""Today, the home screen: what is due or late for the signed-in user, gathered from each step."""
from dataclasses import dataclass, field

from flask import Blueprint
from flask_login import current_user

from hrsn.render import render

bp = Blueprint("today", __name__)


@dataclass
class Item:
    member: object          # the Member the item is about
    text: str               # what is due, in the user's language
    url: str                # where to do it
    late: bool = False


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    more_url: str | None = None


PROVIDERS = []


def provider(fn):
    """Register a function user -> Section | None; each workflow module adds its own."""
    PROVIDERS.append(fn)
    return fn


@bp.get("/")
def index():
    sections = [section for fn in PROVIDERS if (section := fn(current_user)) is not None]
    return render("today/index.html", sections=sections)
