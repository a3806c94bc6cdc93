"""The one place that decides whether a request gets a whole page or an htmx fragment."""
from flask import make_response, render_template, request


def wants_fragment() -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, partial: str | None = None, /, status: int = 200, headers=None, **context):
    """Render the page, or only its partial for an htmx request; always Vary on HX-Request."""
    template = partial if partial and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
