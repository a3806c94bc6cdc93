"""url_for for pages that link every row: the same URLs, each shape built by the router once.

Flask's url_for asks the URL map to build every link anew, some 20 µs each: a list of fifty members, or Today's
lines, spend milliseconds on it. Most links differ from row to row only in record ids. `url_for` here builds a
link's shape once per endpoint and names of values, with marker numbers standing for the ids, and afterwards puts
each row's ids in place of the markers. Whatever is not made of whole numbers alone (text, a missing value, an
anchor, an external link, an endpoint relative to the blueprint, a link made outside a request) goes to Flask's
url_for as before. Templates get this url_for too (create_app)."""
from flask import has_request_context, request, url_for as flask_url_for

_MARK = 7_300_000_001           # far above any id a table holds; one marker per value, counting up from here
_shapes: dict = {}              # (script root, endpoint, names in the caller's order) -> (built URL, markers)


def url_for(endpoint: str, **values) -> str:
    if (not has_request_context() or endpoint.startswith(".") or any(name.startswith("_") for name in values)
            or not all(type(value) is int and value >= 0 for value in values.values())):
        return flask_url_for(endpoint, **values)
    key = (request.script_root, endpoint, tuple(values))
    shape = _shapes.get(key)
    if shape is None:
        marks = {name: _MARK + place for place, name in enumerate(values)}
        shape = _shapes[key] = (flask_url_for(endpoint, **marks), [(str(mark), name) for name, mark in marks.items()])
    url, marks = shape
    for mark, name in marks:
        url = url.replace(mark, str(values[name]), 1)
    return url
