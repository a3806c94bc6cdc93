"""Reading what a request's query string or form says: a bad value is ignored, never a 500."""
from urllib.parse import urlsplit

from flask import request

PAGE_MAX = 100_000


def number(name: str, default: int | None = None, *, source=None, maximum: int = 2_000_000_000) -> int | None:
    """A whole number written with ASCII digits ('²' and '٣' are digits to Python, not to us), else the default."""
    raw = (source if source is not None else request.values).get(name, "")
    raw = str(raw).strip()
    if not raw or len(raw) > 10 or not (raw.isascii() and raw.isdigit()):
        return default
    value = int(raw)
    return value if value <= maximum else default


def page(source=None) -> int:
    return number("page", 1, source=source, maximum=PAGE_MAX) or 1


def one_of(name: str, allowed, default: str = "", *, source=None) -> str:
    raw = (source if source is not None else request.values).get(name, "")
    return raw if raw in allowed else default


def text(name: str, maximum: int = 100, *, source=None) -> str:
    """Free text, stripped, without control characters, cut to a length a search needs."""
    from hrsn.forms import clean_text
    raw = (source if source is not None else request.values).get(name, "")
    return " ".join(clean_text(raw).split())[:maximum]


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site, without control characters; never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    return target if not parts.netloc and not parts.scheme else default


def like_pattern(text_: str) -> str:
    """`text_` for a LIKE that finds it anywhere, with the user's own % and _ taken literally (escape '\\')."""
    escaped = text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
