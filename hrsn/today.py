"""Today, the home screen: what is due or late for the signed-in user, one section per kind of work.

The sections and their order are the wiring's (hrsn/steps.py); each is a query of the step it belongs to that
returns only the lines shown. Each section reloads itself after the changes it lists."""
from dataclasses import dataclass, field

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import func, select

from hrsn.extensions import db
from hrsn.paging import count_of
from hrsn.render import render
from hrsn.statements import kept
from hrsn.steps import wiring

bp = Blueprint("today", __name__)
LINES = 8       # lines a section shows; "see all" leads to the full list


@dataclass
class Item:
    member: object          # the Member the line is about
    text: str               # what is due, in the user's language
    url: str                # where to do it
    late: bool = False
    action: str | None = None       # a quick action done from Today (its form loads into the line)
    action_label: str | None = None


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    more_url: str | None = None
    total: "int | Later | None" = None          # when more are due than shown
    refresh_on: tuple = ()

    @property
    def count(self) -> int:
        if isinstance(self.total, Later):
            settle([self])
        return self.total if self.total is not None else len(self.items)


@dataclass
class Later:
    """A section's total still to ask: every section's is asked at once (`settle`)."""
    query: object


def settle(sections) -> None:
    """The totals still to ask of these sections, in one statement of one count each."""
    waiting = [section for section in sections if isinstance(section.total, Later)]
    if waiting:
        queries = tuple(section.total.query for section in waiting)
        totals = db.session.execute(kept(("totals", *map(id, queries)), queries, lambda: select(
            *(count_of(query) for query in queries)))).one()
        for section, total in zip(waiting, totals):
            section.total = total


def first_lines(query, columns: bool = False) -> tuple[list, int]:
    """The first LINES rows of `query` (ordered already) and how many it holds in all. The rows are records, or
    tuples of the selected columns (`columns`); only to-one joins, a row per line.

    On PostgreSQL the total comes with the lines, a window count taken before the LIMIT: each statement is a round
    trip and a plan of its own there (Today 5 ms faster). SQLite pays little per statement and more to carry every
    row's columns to the window (a coordinator's long sections 0.1 to 0.8 ms slower each): a COUNT, needed only
    when the lines fill the section, asked later with the other sections' (`Later`, `settle`)."""
    if db.engine.dialect.name == "postgresql":
        lines = kept(("window", id(query)), (query,), lambda: query.add_columns(func.count().over()).limit(LINES))
        rows = db.session.execute(lines).unique().all()
        total = rows[0][-1] if rows else 0
        rows = [tuple(row[:-1]) for row in rows]
    else:
        rows = db.session.execute(kept(("lines", id(query)), (query,), lambda: query.limit(LINES))).unique().all()
        total = len(rows) if len(rows) < LINES else Later(query)
    return [row if columns else row[0] for row in rows], total


def query_section(key, title, base, order, line, more_url=None, load=(), columns=False) -> Section:
    """A step's section from one query: its first LINES lines, with what they show loaded (`load`, to-one joins
    only, so that a line is a record) in the same statement, and its total. `line` makes an Item of a record, or
    of the selected columns (`columns`)."""
    records, total = first_lines(kept(("section", key, id(base)), (base,),
                                       lambda: base.options(*load).order_by(*order)), columns)
    items = [line(*record) for record in records] if columns else [line(record) for record in records]
    return Section(key, title, items, more_url, total=total)


def _build(spec) -> Section | None:
    section = spec.build(current_user)
    if section is not None:
        section.key, section.refresh_on = spec.key, spec.refresh_on
    return section


@bp.get("/")
def index():
    sections = [section for spec in wiring().today if (section := _build(spec)) is not None]
    settle(sections)
    return render("today/index.html", sections=sections)


@bp.get("/today/<key>")
def section(key):
    """One section alone, as it reloads itself after a change elsewhere on the page."""
    spec = next((s for s in wiring().today if s.key == key), None)
    built = _build(spec) if spec else None
    if built is None:
        abort(404)
    settle([built])
    return render("today/_section.html", "today/_section.html", section=built)
