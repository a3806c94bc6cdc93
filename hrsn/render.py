"""The one place that decides a whole page or an htmx fragment, and how every step answers a change.

After a change, `changed` answers an htmx request with the updated fragment, an event for each other region of
the page that shows the changed thing (they listen with `hx-trigger="<event> from:body"` and reload themselves),
and the sentence for the page's status region; a plain request gets a redirect and the same sentence flashed.
Flashed sentences never name a member: the session is a readable cookie."""
import json

from flask import flash, make_response, redirect, render_template, request

ANNOUNCE = "hrsnAnnounce"      # the event app.js turns into the status region's text


def wants_fragment() -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, partial: str | None = None, /, status: int = 200, headers=None, page_context=None, **context):
    """Render the page, or only its partial for an htmx request; always Vary on HX-Request.

    A partial is drawn from a small context; when the whole page is wanted instead, `page_context()` gives the
    rest of the page's context."""
    fragment = bool(partial) and wants_fragment()
    if page_context is not None and not fragment:
        context = {**page_context(), **context}
    template = partial if fragment else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def triggers(message: str | None = None, events=()) -> dict:
    """The HX-Trigger header: the events, and the sentence to announce (JSON keeps the header ASCII)."""
    payload = {event: True for event in events}
    if message:
        payload[ANNOUNCE] = str(message)
    return {"HX-Trigger": json.dumps(payload, ensure_ascii=True)} if payload else {}


def changed(partial: str, *, message, back_to: str, events=(), status: int = 200, **context):
    """Answer a change that was saved: the updated fragment for htmx, a redirect to `back_to` otherwise."""
    if not wants_fragment():
        flash(str(message), "success")
        return redirect(back_to)
    context.setdefault("saved", message)
    return render(partial, partial, status=status, headers=triggers(message, events), **context)


def refused(page: str, partial: str, *, status: int, message=None, **context):
    """Answer a change that was not saved (422 invalid, 409 stale or not allowed now): the form again, with what
    was typed and why, as the fragment to swap in or as the whole page."""
    return render(page, partial, status=status, headers=triggers(message), **context)


def edit_page(record, form, page: str, *, apply, back_to: str, message, member=None, fill=None, **context):
    """The one way a record is added or corrected through a whole-page form.

    GET shows the form filled from the record with its version (`fill(form)` sets what `obj=` cannot). POST checks
    the fields (422, with what was typed); refuses a save made from an older version with what changed meanwhile
    (409); else `apply()` copies the form onto the record (returning any change the trail cannot see on the
    record itself), the trail keeps before and after, the view commits once and redirects to `back_to`."""
    from flask_babel import gettext as _

    from hrsn import audit
    from hrsn.extensions import db
    creating = record.id is None
    conflict, status = None, 200
    if request.method == "GET":
        if not creating:
            form.fill_version(record)
        if fill is not None:
            fill(form)
    elif not form.validate_on_submit():
        status = 422
    elif not creating and form.is_stale(record):
        conflict, status = conflict_events(record, form), 409
    else:
        with db.session.no_autoflush:       # the trail reads the record's changes before anything is flushed
            extra = apply() or {}
            diff = {} if creating else audit.changes(record) | extra
        if creating:
            fields = [c.key for c in record.__table__.c if c.key not in ("id", "version", "search_key", "rank_key")
                      and "hash" not in c.key]
            audit.add(record, member=member, fields=fields, changes=extra)
        elif diff:
            audit.record("update", member=member, obj=record, changes=diff)
        else:
            message = _("Nothing was changed.")
        db.session.commit()
        flash(str(message), "success")
        return redirect(back_to)
    if member is not None:
        context["member"] = member
    return render(page, form=form, conflict=conflict, status=status, **context)


def conflict_events(record, form) -> list:
    """What other people saved on `record` after the version `form` was filled from (oldest first), and the form
    moved to the current version: saving again applies what the user typed over those changes."""
    from hrsn import audit
    try:
        seen = int(form.version.data or 0)
    except ValueError:
        seen = 0
    if not 0 <= seen < 2**31:           # a forged version: every change since the start is shown
        seen = 0
    events = audit.since_version(type(record).__name__, record.id, seen)
    form.fill_version(record)
    return events

