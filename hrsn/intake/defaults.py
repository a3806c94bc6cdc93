"""What intake needs on day one: payers to rename and the service types of the program."""
from hrsn.extensions import db
from hrsn.models import Payer, ServiceType

PAYERS = [
    ("Local CCO (rename me)", "cco"),
    ("Open Card (fee-for-service)", "open_card"),
]

# code, English, Spanish, asks for: rent, utility, notice
SERVICE_TYPES = [
    ("rent", "Rent assistance", "Ayuda con la renta", True, False, True),
    ("utility", "Utility assistance", "Ayuda con servicios públicos", False, True, True),
    ("move_in", "Move-in/lease costs and deposits", "Costos de mudanza, contrato y depósitos", False, False, False),
    ("storage", "Storage fees", "Costos de almacenamiento", False, False, False),
    ("tenancy", "Tenancy support", "Apoyo para mantener la vivienda", False, False, False),
    ("home_mod", "Home modifications or remediation", "Modificaciones o reparaciones del hogar", False, False, False),
    ("climate", "Climate devices (air conditioner, heater, air filter)",
     "Aparatos para el clima (aire acondicionado, calefactor, filtro de aire)", False, False, False),
    ("outreach", "Outreach and engagement", "Alcance y participación", False, False, False),
    ("other", "Other", "Otro", False, False, False),
]


def ensure() -> None:
    """Fill empty tables only: what an admin has added or renamed is never touched."""
    if db.session.scalar(db.select(Payer.id).limit(1)) is None:
        db.session.add_all(Payer(name=name, kind=kind) for name, kind in PAYERS)
    if db.session.scalar(db.select(ServiceType.id).limit(1)) is None:
        db.session.add_all(ServiceType(code=code, name_en=en, name_es=es, sort_order=i, asks_rent=rent,
                                       asks_utility=utility, asks_notice=notice)
                           for i, (code, en, es, rent, utility, notice) in enumerate(SERVICE_TYPES))
