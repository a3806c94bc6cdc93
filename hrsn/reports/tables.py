"""What a report answers: tables of figures, each able to say what it counts, to draw its chart and to be a CSV."""
from dataclasses import dataclass
from typing import Callable


@dataclass
class Chart:
    kind: str                   # bar, stacked, line, hbar
    x: int                      # the column whose values label the x axis
    series: tuple               # the columns drawn
    x_join: tuple = ()          # further columns joined to the x label (payer and source...)


@dataclass
class Table:
    key: str
    title: object
    columns: list               # (label, kind) with kind "text", "count", "money", "percent", "days"
    rows: list
    note: object = None         # what the figures count: the denominators, said in words
    chart: Chart | None = None


@dataclass(frozen=True)
class Report:
    key: str
    label: object
    build: Callable             # (filters, user) -> [Table]
    roles: frozenset            # who may open it
    about: object = ""
    filters: tuple = ("payer", "staff", "service", "language")
    scoped: bool = True         # a case manager sees their own members' figures; False: organization level


def percent(part, whole) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def labels(choices: dict) -> Callable:
    """A code's label in the user's language, each translated once for the whole table (not once per row)."""
    words = {code: str(label) for code, label in choices.items()}
    return lambda code: words.get(code, code)
