"""The Reports page: each report with its range and filters, a chart drawn on the server, the table, and a CSV."""
from flask import Response, abort, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from hrsn import audit
from hrsn.access import require
from hrsn.render import render
from hrsn.reports import bp
from hrsn.reports.catalog import REPORTS, allowed
from hrsn.reports.charts import fingerprint, svg
from hrsn.reports.filters import options, read
from hrsn.reports.rules import billing_scope, dollars
from hrsn.sheets import csv_response

# The chart is an image of its own: its inline style is allowed by this answer's policy, nothing else is.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@bp.get("/reports")
@require("reports")
def index():
    return render("reports/index.html", reports=allowed(current_user), bill=billing_scope(current_user) is not None)


def _report(key: str):
    report = REPORTS.get(key)
    if report is None:
        abort(404)
    if current_user.role not in report.roles:
        audit.refusal(403, "reports")
        abort(403)
    return report


def _built(report):
    choices = options()
    filters = read(request.args, choices)
    tables = [] if filters.errors else report.build(filters, current_user)
    return filters, choices, tables


@bp.get("/reports/<key>")
@require("reports")
def show(key):
    report = _report(key)
    filters, choices, tables = _built(report)
    return render("reports/report.html", report=report, filters=filters, choices=choices, tables=tables,
                  reports=allowed(current_user), status=422 if filters.errors else 200)


def _table(report, name: str):
    filters, _choices, tables = _built(report)
    if filters.errors:
        abort(422)
    table = next((t for t in tables if t.key == name), None)
    return (table if table is not None else abort(404)), filters


@bp.get("/reports/<key>/<name>.svg")
@require("reports")
def chart(key, name):
    report = _report(key)
    table, _filters = _table(report, name)
    if table.chart is None:
        abort(404)
    title = str(table.title)
    tag = fingerprint(table, title, str(get_locale()))
    response = Response(svg(table, title, tag), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    response.set_etag(tag)
    return response.make_conditional(request)


def _csv_value(value, kind):
    if value is None:
        return ""
    return dollars(value) if kind == "money" else value


@bp.get("/reports/<key>/<name>.csv")
@require("reports")
def download(key, name):
    report = _report(key)
    table, filters = _table(report, name)
    header = [str(label) for label, _kind in table.columns]
    rows = [[_csv_value(v, kind) for v, (_label, kind) in zip(row, table.columns)] for row in table.rows]
    audit.record_now("export", record_type=f"report:{key}", changes={"table": [None, name], "rows": [None, len(rows)],
                                                                     **{k: [None, v] for k, v in filters.query().items()}})
    return csv_response(header, rows, f"{key}-{name}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv")


@bp.app_template_global()
def report_url(endpoint, report, filters, **extra):
    return url_for(endpoint, key=report.key, **filters.query(), **extra)




@bp.app_template_global()
def report_cell(value, kind: str) -> str:
    """A figure as the reader's language writes it; an empty share (nothing to divide by) is a dash.

    Written here rather than with Babel's pattern formatting, which costs a tenth of a millisecond a cell and a
    report shows hundreds of them; the separators are still the locale's."""
    if value is None:
        return "–"
    if kind == "text":
        return str(value)
    decimal, group = _symbols()
    if kind == "money":
        text = f"{value / 100:,.2f}"
    elif kind == "percent":
        text = f"{value:,.1f}"
    elif kind in ("days", "hours"):
        text = f"{value:,.1f}".removesuffix(".0")
    else:
        text = f"{value:,}"
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    return text + " %" if kind == "percent" else text


def _symbols() -> tuple[str, str]:
    from flask import g
    found = g.get("_report_symbols")
    if found is None:
        from babel.numbers import get_decimal_symbol, get_group_symbol
        locale = get_locale() or "en"
        found = g._report_symbols = (get_decimal_symbol(locale), get_group_symbol(locale))
    return found
