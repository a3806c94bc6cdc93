"""Data every install starts with (Oregon payers, service types); an admin edits it afterwards."""
from hrsn.extensions import db
from hrsn.models import Payer, ServiceType

PAYERS = [
    ("Trillium Community Health Plan", "cco"),
    ("PacificSource Community Solutions", "cco"),
    ("Health Share of Oregon", "cco"),
    ("Open Card (OHA fee-for-service)", "open_card"),
]

SERVICE_TYPES = [
    ("rent", "Rent assistance", "Ayuda con la renta"),
    ("utility", "Utility assistance", "Ayuda con servicios públicos"),
    ("move_in", "Move-in/lease costs and deposits", "Costos de mudanza, contrato y depósitos"),
    ("storage", "Storage fees", "Costos de almacenamiento"),
    ("tenancy", "Tenancy support", "Apoyo para mantener la vivienda"),
    ("home_mod", "Home modifications or remediation", "Modificaciones o reparaciones del hogar"),
    ("climate", "Climate devices (air conditioner, heater, air filter)",
     "Aparatos para el clima (aire acondicionado, calefactor, filtro de aire)"),
    ("outreach", "Outreach and engagement", "Alcance y participación"),
    ("other", "Other", "Otro"),
]


def ensure_defaults() -> None:
    """Insert the defaults into empty tables; never touches what an admin has edited."""
    if db.session.scalar(db.select(Payer.id).limit(1)) is None:
        db.session.add_all(Payer(name=name, kind=kind) for name, kind in PAYERS)
    if db.session.scalar(db.select(ServiceType.id).limit(1)) is None:
        db.session.add_all(ServiceType(code=code, name_en=en, name_es=es, sort_order=i)
                           for i, (code, en, es) in enumerate(SERVICE_TYPES))
    db.session.flush()
