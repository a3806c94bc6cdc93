"""What a new agency needs from the case step on day one: the funding sources agencies combine, the HRSN rent and
storage limits of Oregon's program for each payer, and the "check mailed" messages in English and Spanish."""
from hrsn.extensions import db
from hrsn.models import FundingSource, MessageTemplate, Payer, ServiceLimit, ServiceType

# English, Spanish, its payments need an authorization
FUNDING_SOURCES = [
    ("HRSN", "HRSN (Medicaid)", True),
    ("County emergency rental assistance", "Ayuda de emergencia del condado para la renta", False),
    ("State program", "Programa del estado", False),
    ("Federal program", "Programa federal", False),
    ("Agency funds", "Fondos de la agencia", False),
]
# Oregon's HRSN housing benefit: up to 6 months of rent and 6 of storage, once every 3 years (payers may differ).
LIMITS = [("rent", "months", 6, 36), ("storage", "months", 6, 36)]

MESSAGES = {
    ("paid_email", "en"): (
        "Your payment was sent, from {org_name}",
        "Hello {member_first_name},\n\nGood news: we sent the payment {payment_details}.\n\n"
        "If your landlord or utility has not received it in a week, call me at {org_phone} ({callback_hours}).\n\n"
        "{case_manager_name}\n{org_name}"),
    ("paid_email", "es"): (
        "Enviamos su pago, de parte de {org_name}",
        "Hola, {member_first_name}:\n\nBuenas noticias: enviamos el pago {payment_details}.\n\n"
        "Si su arrendador o la compañía de servicios no lo recibe en una semana, llámeme al {org_phone} "
        "({callback_hours}).\n\n{case_manager_name}\n{org_name}"),
    ("paid_text", "en"): (
        None,
        "Hi {member_first_name}, {case_manager_name} from {org_name} here. We sent the payment {payment_details}. "
        "Questions: {org_phone}."),
    ("paid_text", "es"): (
        None,
        "Hola, {member_first_name}. Soy {case_manager_name} de {org_name}. Enviamos el pago {payment_details}. "
        "Preguntas: {org_phone}."),
}


def ensure() -> None:
    """Fill empty tables only, and add only the messages missing: what an admin made is never touched."""
    if db.session.scalar(db.select(FundingSource.id).limit(1)) is None:
        sources = [FundingSource(name_en=en, name_es=es, needs_authorization=needs, sort_order=i)
                   for i, (en, es, needs) in enumerate(FUNDING_SOURCES)]
        db.session.add_all(sources)
        db.session.flush()
        if db.session.scalar(db.select(ServiceLimit.id).limit(1)) is None:
            _limits(sources[0])
    have = {tuple(row) for row in db.session.execute(db.select(MessageTemplate.channel, MessageTemplate.language))}
    db.session.add_all(MessageTemplate(channel=channel, language=language, subject=subject, body=body)
                       for (channel, language), (subject, body) in MESSAGES.items() if (channel, language) not in have)


def _limits(hrsn) -> None:
    services = {s.code: s for s in db.session.scalars(db.select(ServiceType))}
    for payer in db.session.scalars(db.select(Payer)):
        db.session.add_all(ServiceLimit(payer_id=payer.id, service_type_id=services[code].id, funding_source_id=hrsn.id,
                                        unit=unit, amount=amount, lookback_months=months)
                           for code, unit, amount, months in LIMITS if code in services)
