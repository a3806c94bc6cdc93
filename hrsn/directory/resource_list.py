"""The printed resource list: services chosen from the search (kept in the session: they are no member's data),
and the PDF of them in the language the member reads."""
from flask import flash, make_response, redirect, request, session, url_for
from flask_babel import force_locale, get_locale, gettext as _

from hrsn import params, pdf, settings
from hrsn.access import require
from hrsn.directory import bp
from hrsn.directory.rules import LIST_MAX, hours_lines, resource_list
from hrsn.directory.search import language_name
from hrsn.models import LANGUAGES, NEED_DOMAINS
from hrsn.render import changed

KEY = "resource_list"


def chosen_ids() -> list[int]:
    return [i for i in session.get(KEY, []) if isinstance(i, int)][:LIST_MAX]


def list_context() -> dict:
    return {"chosen": resource_list(chosen_ids()), "list_languages": LANGUAGES, "list_max": LIST_MAX}


@bp.post("/list")
@require("directory")
def choose():
    """Add a service to the list, or take one off."""
    service_id = params.number("service_id", source=request.form)
    ids = chosen_ids()
    if request.form.get("action") == "remove":
        ids = [i for i in ids if i != service_id]
        message = _("Taken off the resource list.")
    elif service_id and service_id not in ids and len(ids) < LIST_MAX:
        ids.append(service_id)
        message = _("Added to the resource list.")
    else:
        message = (_("The list already has this service.") if service_id in ids else
                   _("A resource list holds at most %(n)d services.", n=LIST_MAX))
    session[KEY] = ids
    return changed("directory/_list.html", message=message, events=("resourceListChanged",),
                   back_to=url_for("directory.index"), **list_context())


def entry(service, locale: str) -> dict:
    """One service as the printed list shows it, in `locale` (called inside force_locale)."""
    places = [sal.location for sal in service.at_locations]
    phones = service.phones or service.organization.phones or [p for place in places for p in place.phones]
    schedules = service.schedules or [row for place in places for row in place.schedules]
    rows = [(_("Phone"), ", ".join(p.display for p in phones)),
            (_("Address"), "\n".join("\n".join(place.address_lines) for place in places if place.address_lines)),
            (_("Hours"), "\n".join(hours_lines(schedules, locale))),
            (_("Who can get it"), service.eligibility_description),
            (_("How to apply"), service.application_process),
            (_("What to bring"), service.documents_to_bring),
            (_("Cost"), service.fees_description),
            (_("Languages"), ", ".join(language_name(lang.code, locale) for lang in service.languages)),
            (_("Website"), service.url or service.organization.website)]
    return {"name": service.name, "organization": service.organization.name,
            "needs": ", ".join(str(NEED_DOMAINS.get(d, d)) for d in service.domains),
            "description": service.description, "rows": [(label, text) for label, text in rows if text]}


def resource_list_pdf(services, locale: str) -> bytes:
    """The list in the member's language, whatever the staff's own."""
    with force_locale(locale):
        return pdf.resource_list_pdf(
            _("Resources for you"), [entry(service, locale) for service in services],
            intro=_("These organizations may be able to help. Call before you go: hours and rules change."),
            footer=_("Resource list"), organization=settings.get("org_name"),
            contact=_("Questions? Call us at %(phone)s.", phone=settings.get("org_phone"))
            if settings.get("org_phone") else "")


@bp.get("/resource-list.pdf")
@require("directory")
def resource_list_download():
    services = resource_list(chosen_ids())
    if not services:
        flash(_("Add services to the resource list first."), "warning")
        return redirect(url_for("directory.index"))
    locale = params.one_of("language", LANGUAGES, str(get_locale() or "en"))
    response = make_response(resource_list_pdf(services, locale))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="resource-list-{locale}.pdf"'
    return response
