"""A report table's chart as SVG, drawn on the server by pygal: no script, no font or style from the internet.

Served as an image from its own route (its inline style is allowed there, and only there, by that answer's own
policy), so the page's strict policy stays as it is."""
import hashlib
import re
from collections import OrderedDict
from threading import Lock

import pygal
from pygal.style import Style

from hrsn.reports.tables import Table

STYLE = Style(background="white", plot_background="white", foreground="#1f2933", foreground_strong="#1f2933",
              foreground_subtle="#52606d", font_family="sans-serif",
              colors=("#1d4e89", "#d1495b", "#00798c", "#edae49", "#66a182", "#8d6a9f", "#2e4057"))
# pygal adds its tooltip script, a link to its site and a config script; an image needs none of them.
_SCRIPTS = re.compile(r"<script\b.*?</script>", re.S)
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
KINDS = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "line": pygal.Line, "hbar_percent": pygal.HorizontalBar,
         "stacked_months": pygal.Bar}


def _label(row, chart) -> str:
    parts = [str(row[chart.x])] + [str(row[i]) for i in chart.x_join]
    return " · ".join(p for p in parts if p)


# Drawing is most of a chart's time (pygal: about 20 ms for a bar chart) and the same figures make the same
# picture: the last few drawings are kept by the fingerprint of what they show, in the language they speak.
KEPT = 32
_drawn: OrderedDict[str, str] = OrderedDict()
_drawing = Lock()


def fingerprint(table: Table, title: str, locale: str) -> str:
    """What a chart is drawn from, as a short digest: also its ETag."""
    shown = (locale, title, table.chart, [(str(label), kind) for label, kind in table.columns], table.rows)
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


def svg(table: Table, title: str, tag: str) -> str:
    """The chart of `table`, drawn once for each fingerprint `tag` while it is among the last few drawn."""
    with _drawing:
        if tag in _drawn:
            _drawn.move_to_end(tag)
            return _drawn[tag]
    text = _draw(table, title)
    with _drawing:
        _drawn[tag] = text
        while len(_drawn) > KEPT:
            _drawn.popitem(last=False)
    return text


def _draw(table: Table, title: str) -> str:
    chart = table.chart
    rows = table.rows[:60] if chart.kind != "line" else table.rows[-120:]
    drawing = KINDS[chart.kind](style=STYLE, js=[], width=900, height=420, title=title, x_label_rotation=30,
                                show_legend=True, legend_at_bottom=True, legend_at_bottom_columns=2, truncate_label=40,
                                truncate_legend=48,
                                print_values=False, no_data_text=str(_no_data()), disable_xml_declaration=False)
    drawing.x_labels = [_label(row, chart) for row in rows]
    for index in chart.series:
        label, kind = table.columns[index]
        values = [row[index] for row in rows]
        if kind == "money":
            values = [None if v is None else round(v / 100, 2) for v in values]
        drawing.add(str(label), values)
    text = drawing.render(is_unicode=True)
    return _COMMENTS.sub("", _SCRIPTS.sub("", text))


def _no_data():
    from flask_babel import gettext as _
    return _("Nothing in this range")
