"""The document checklists a new agency starts with, per service (an admin edits them under Admin)."""
from hrsn.extensions import db
from hrsn.models import ChecklistTemplateItem

CHECKLISTS = {
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
                ("Move-in cost estimate", "Cálculo de los costos de mudanza"),
                ("Landlord contact and tax form (W-9)", "Datos del arrendador y formulario de impuestos (W-9)")],
    "storage": [("Storage unit bill", "Factura de la unidad de almacenamiento")],
}


def ensure() -> None:
    """Fill an empty checklist table only: an admin's own lists are never touched."""
    if db.session.scalar(db.select(ChecklistTemplateItem.id).limit(1)) is None:
        db.session.add_all(ChecklistTemplateItem(service_code=code, name_en=en, name_es=es, sort_order=i)
                           for code, items in CHECKLISTS.items() for i, (en, es) in enumerate(items))
