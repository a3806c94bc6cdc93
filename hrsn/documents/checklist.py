"""Checklists: the admin's templates per service, the member's list built from their referral, and the
message that asks the member for what is still missing, in the member's language."""
from hrsn import settings
from hrsn.extensions import db
from hrsn.models import ChecklistItem, ChecklistTemplateItem

DEFAULT_TEMPLATES = {
    "rent": [("Lease or rental agreement", "Contrato de arrendamiento o de renta"),
             ("Landlord contact and tax form (W-9)", "Datos del arrendador y formulario de impuestos (W-9)"),
             ("Rent ledger or past-due notice", "Estado de cuenta de la renta o aviso de pago atrasado"),
             ("Proof of income", "Comprobante de ingresos"),
             ("Photo ID", "Identificación con foto")],
    "utility": [("Current utility bill", "Factura actual de servicios públicos"),
                ("Shut-off notice", "Aviso de corte"),
                ("Utility account number", "Número de cuenta de servicios públicos"),
                ("Proof of income", "Comprobante de ingresos")],
    "move_in": [("Lease offer", "Oferta de contrato de arrendamiento"),
                ("Move-in cost estimate", "Cálculo de los costos de mudanza")],
}


def ensure_checklist_defaults() -> None:
    """Insert the default templates when there are none; never touches what an admin has edited."""
    if db.session.scalar(db.select(ChecklistTemplateItem.id).limit(1)) is None:
        for code, items in DEFAULT_TEMPLATES.items():
            db.session.add_all(ChecklistTemplateItem(service_code=code, name_en=en, name_es=es, sort_order=i)
                               for i, (en, es) in enumerate(items))
        db.session.flush()


def checklist_of(member) -> list[ChecklistItem]:
    return list(db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.member_id == member.id)
                                   .order_by(ChecklistItem.sort_order, ChecklistItem.id)))


def build_checklist(member) -> list[ChecklistItem]:
    """Add the items the services of the member's latest referral need and the list does not have yet.

    The same document asked by two services (proof of income) is listed once."""
    ensure_checklist_defaults()
    referral = member.latest_referral
    items = checklist_of(member)
    if referral is None:
        return items
    have = {item.name_en.casefold() for item in items}
    made_from = {item.template_id for item in items}     # a template renamed since is not added twice
    order = {s.code: s.sort_order for s in referral.services}
    templates = db.session.scalars(db.select(ChecklistTemplateItem).where(
        ChecklistTemplateItem.active, ChecklistTemplateItem.service_code.in_(order))
        .order_by(ChecklistTemplateItem.sort_order, ChecklistTemplateItem.id)).all()
    added = False
    for template in sorted(templates, key=lambda t: (order[t.service_code], t.sort_order, t.id)):
        if template.id in made_from or template.name_en.casefold() in have:
            continue
        have.add(template.name_en.casefold())
        db.session.add(ChecklistItem(member_id=member.id, referral_id=referral.id, template_id=template.id,
                                     service_code=template.service_code, name_en=template.name_en,
                                     name_es=template.name_es,
                                     sort_order=order[template.service_code] * 100 + template.sort_order))
        added = True
    if added:
        db.session.flush()
        items = checklist_of(member)
    return items


def missing(items) -> list[ChecklistItem]:
    return [item for item in items if item.status in ("needed", "requested")]


def request_message(member, items, user, channel: str) -> tuple[str | None, str]:
    """(subject, body) asking for the missing documents: the admin's template for this channel, in the
    member's language, filled in with the list."""
    from hrsn.models import ensure_templates, fill_template
    language = member.preferred_language if member.preferred_language in ("en", "es") else "en"
    templates = {(t.channel, t.language): t for t in ensure_templates()}
    template = templates[(f"docs_{channel}", language)]
    names = [item.label(language) for item in items]
    values = {"member_first_name": member.first_name, "case_manager_name": user.name,
              "org_name": settings.get("org_name"), "org_phone": settings.get("org_phone"),
              "callback_hours": settings.get("callback_hours"),
              "missing_documents": "\n".join(f"- {name}" for name in names) if channel == "email" else "; ".join(names)}
    subject = fill_template(template.subject, values) if channel == "email" else None
    return subject, fill_template(template.body, values)
