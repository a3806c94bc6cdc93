"""Adding and correcting organizations and services: admins and coordinators only (checked here, whatever a
template shows), each save from an older version refused with what changed meanwhile."""
from flask import abort, request, url_for
from flask_babel import gettext as _

from hrsn.access import require
from hrsn.directory import bp
from hrsn.directory.forms import OrganizationForm, ServiceForm
from hrsn.directory.rules import organization_or_404
from hrsn.extensions import db
from hrsn.models import Organization, Service
from hrsn.render import edit_page


def _organization_form(organization) -> OrganizationForm:
    form = OrganizationForm(obj=organization if request.method == "GET" else None)
    form.fill_choices()
    return form


def _save_organization(organization, form) -> dict:
    if organization.id is None:
        db.session.add(organization)
    ranked = (organization.name, organization.preferred_partner)
    changes = form.apply_to(organization)
    if organization.id is not None and ranked != (organization.name, organization.preferred_partner):
        for service in organization.services:       # they are found and ordered by their organization's too
            service.refresh_search(organization)
    return changes


@bp.route("/organizations/new", methods=["GET", "POST"])
@require("directory_edit")
def new_organization():
    organization = Organization(name="", name_key="")
    form = _organization_form(None)
    return edit_page(organization, form, "directory/organization_form.html",
                     apply=lambda: _save_organization(organization, form), message=_("Organization added."),
                     back_to=url_for("directory.index"), organization=None)


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@require("directory_edit")
def edit_organization(organization_id):
    organization = organization_or_404(organization_id)
    form = _organization_form(organization)
    return edit_page(organization, form, "directory/organization_form.html",
                     apply=lambda: _save_organization(organization, form), fill=lambda f: f.fill_from(organization),
                     message=_("Saved."), organization=organization,
                     back_to=url_for("directory.organization", organization_id=organization.id))


def _service_form(service) -> ServiceForm:
    form = ServiceForm(obj=service if request.method == "GET" else None)
    form.fill_choices()
    return form


def _save_service(service, form, organization) -> dict:
    if service.id is None:
        db.session.add(service)
    changes = form.apply_to(service)
    service.refresh_search(organization)
    return changes


@bp.route("/organizations/<int:organization_id>/services/new", methods=["GET", "POST"])
@require("directory_edit")
def new_service(organization_id):
    organization = organization_or_404(organization_id)
    service = Service(organization_id=organization.id, name="", status="active", accepting_referrals=True)
    form = _service_form(None)
    return edit_page(service, form, "directory/service_form.html",
                     apply=lambda: _save_service(service, form, organization),
                     message=_("Service added."), organization=organization, service=None,
                     back_to=url_for("directory.organization", organization_id=organization.id))


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@require("directory_edit")
def edit_service(service_id):
    service = db.session.get(Service, service_id) or abort(404)
    form = _service_form(service)
    return edit_page(service, form, "directory/service_form.html",
                     apply=lambda: _save_service(service, form, service.organization),
                     fill=lambda f: f.fill_from(service), message=_("Saved."), organization=service.organization,
                     service=service,
                     back_to=url_for("directory.organization", organization_id=service.organization_id))
