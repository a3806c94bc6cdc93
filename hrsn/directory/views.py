"""The directory's pages: the search, an organization with its services, flags saying an entry is out of date,
verification, and the review list."""
from flask import abort, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import require
from hrsn.directory import bp
from hrsn.directory.forms import FlagForm, VersionForm
from hrsn.directory.resource_list import list_context
from hrsn.directory.rules import hours_lines, open_flags, organization_or_404, review_page, services_of, with_details
from hrsn.directory.search import form_choices, language_name, results_context, stale_before
from hrsn.extensions import db
from hrsn.models import DirectoryFlag, Service, local_today, utcnow
from hrsn.render import changed, refused, render, triggers


bp.add_app_template_filter(language_name, "language_name")
bp.add_app_template_global(hours_lines, "hours_lines")


@bp.route("/", methods=["GET", "POST"])
@require("directory")
def index():
    """The search; POSTed as the user types, so nothing typed lands in a URL (or in the server's logs)."""
    context = results_context(request.form if request.method == "POST" else {})
    found = ngettext("%(num)d service found", "%(num)d services found", context["results"].total)
    # The count goes to the status region too, so a screen reader hears what the typing found.
    return render("directory/index.html", "directory/_results.html", headers=triggers(found),
                  page_context=lambda: {**form_choices(), **list_context()}, **context)


def flags_context(organization, **extra) -> dict:
    return {"organization": organization, "flags": open_flags([organization.id]).get(organization.id, []),
            "flag_form": FlagForm(formdata=None), **extra}


def flags_changed(organization, message):
    """After a note was added or dealt with: the notes again, and directoryFlagged for the review list."""
    return changed("directory/_flags.html", message=message, events=("directoryFlagged",),
                   back_to=url_for("directory.organization", organization_id=organization.id),
                   **flags_context(organization))


def organization_context(organization) -> dict:
    return {"services": services_of(organization, params.page()), "stale_before": stale_before(),
            **flags_context(organization)}


@bp.get("/organizations/<int:organization_id>")
@require("directory")
def organization(organization_id):
    found = organization_or_404(organization_id)
    return render("directory/organization.html", **organization_context(found))


@bp.post("/organizations/<int:organization_id>/flag")
@require("directory")
def flag(organization_id):
    """Anyone who searches may say an entry is out of date; it goes on the review list for the editors."""
    found = organization_or_404(organization_id)
    form = FlagForm()
    service_id = params.number("service_id", source=request.form)
    if service_id and db.session.scalar(db.select(Service.id).where(Service.id == service_id,
                                                                    Service.organization_id == found.id)) is None:
        abort(404)
    if not form.validate_on_submit():
        return refused("directory/organization.html", "directory/_flags.html", status=422,
                       page_context=lambda: organization_context(found), **flags_context(found, flag_form=form))
    entry = DirectoryFlag(organization_id=found.id, service_id=service_id, note=form.note.data.strip(),
                          flagged_by_id=current_user.id)
    audit.add(entry, fields=("note", "service_id"))
    db.session.commit()
    return flags_changed(found, _("Thank you. The entry is on the review list."))


@bp.post("/flags/<int:flag_id>/resolve")
@require("directory_edit")
def resolve(flag_id):
    entry = db.get_or_404(DirectoryFlag, flag_id)
    found = organization_or_404(entry.organization_id)
    form = VersionForm()
    if entry.resolved_at is not None or form.is_stale(entry):
        return refused("directory/organization.html", "directory/_flags.html", status=409,
                       message=_("Someone else dealt with this note meanwhile."),
                       page_context=lambda: organization_context(found), **flags_context(found))
    entry.resolved_at, entry.resolved_by_id = utcnow(), current_user.id
    audit.record("update", obj=entry, changes={"resolved_at": [None, audit.plain(entry.resolved_at)]})
    db.session.commit()
    return flags_changed(found, _("The note is marked as dealt with."))


@bp.post("/services/<int:service_id>/verify")
@require("directory_edit")
def verify(service_id):
    """Someone checked the entry with the organization today."""
    service = db.session.scalar(with_details(db.select(Service).where(Service.id == service_id))) or abort(404)
    form = VersionForm()
    back_to = url_for("directory.organization", organization_id=service.organization_id)
    if form.is_stale(service):
        return refused("directory/organization.html", "directory/_service.html", status=409,
                       message=_("Someone else changed this service meanwhile; check it again."),
                       page_context=lambda: organization_context(service.organization),
                       service=service, stale_before=stale_before())
    before = audit.plain(service.assured_on)
    service.verify(current_user, local_today())
    audit.record("update", obj=service, changes={"assured_on": [before, audit.plain(service.assured_on)]})
    db.session.commit()
    return changed("directory/_service.html", message=_("Marked as verified today."), back_to=back_to,
                   events=("directoryVerified",), service=service, stale_before=stale_before())


@bp.get("/review")
@require("directory")
def review():
    page = review_page(params.page())
    flags = open_flags({s.organization_id for s in page.items})
    return render("directory/review.html", page=page, flags=flags, stale_before=stale_before())
