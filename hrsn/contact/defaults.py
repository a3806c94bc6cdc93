"""The messages a new agency starts with, in English and Spanish (an admin edits them under Admin)."""
from hrsn.extensions import db
from hrsn.models import MessageTemplate

DEFAULT_TEMPLATES = {
    ("email", "en"): (
        "Help with your housing from {org_name}",
        "Hello {member_first_name},\n\nMy name is {case_manager_name} and I work at {org_name}. "
        "Your health plan asked us to help you with your housing needs, such as rent or utilities.\n\n"
        "Please call me at {org_phone} ({callback_hours}) or answer this email so we can talk.\n\n"
        "Thank you,\n{case_manager_name}\n{org_name}"),
    ("email", "es"): (
        "Ayuda con su vivienda de parte de {org_name}",
        "Hola, {member_first_name}:\n\nMe llamo {case_manager_name} y trabajo en {org_name}. "
        "Su plan de salud nos pidió ayudarle con sus necesidades de vivienda, como la renta o los servicios.\n\n"
        "Llámeme al {org_phone} ({callback_hours}) o responda a este correo para que podamos hablar.\n\n"
        "Gracias,\n{case_manager_name}\n{org_name}"),
    ("text", "en"): (
        None,
        "Hi {member_first_name}, this is {case_manager_name} from {org_name}. Your health plan asked us to "
        "help you with housing. Please call me at {org_phone} ({callback_hours})."),
    ("text", "es"): (
        None,
        "Hola, {member_first_name}. Soy {case_manager_name} de {org_name}. Su plan de salud nos pidió "
        "ayudarle con su vivienda. Llámeme al {org_phone} ({callback_hours})."),
}

DEFAULT_TEMPLATES.update({
    ("docs_email", "en"): (
        "Documents we still need, from {org_name}",
        "Hello {member_first_name},\n\nTo move your request forward we still need these documents:\n"
        "{missing_documents}\n\nYou can bring them to our office, send a photo by text, or answer this email with "
        "them attached. Questions? Call {org_phone} ({callback_hours}).\n\nThank you,\n{case_manager_name}\n{org_name}"),
    ("docs_email", "es"): (
        "Documentos que todavía necesitamos, de {org_name}",
        "Hola, {member_first_name}:\n\nPara avanzar con su solicitud todavía necesitamos estos documentos:\n"
        "{missing_documents}\n\nPuede traerlos a nuestra oficina, enviar una foto por mensaje de texto o responder a "
        "este correo con los documentos. ¿Preguntas? Llame al {org_phone} ({callback_hours}).\n\nGracias,\n"
        "{case_manager_name}\n{org_name}"),
    ("docs_text", "en"): (
        None,
        "Hi {member_first_name}, this is {case_manager_name} from {org_name}. We still need: {missing_documents}. "
        "You can text a photo or bring them in. Questions: {org_phone}."),
    ("docs_text", "es"): (
        None,
        "Hola, {member_first_name}. Soy {case_manager_name} de {org_name}. Todavía necesitamos: {missing_documents}. "
        "Puede enviar una foto por mensaje o traerlos. Preguntas: {org_phone}."),
})


def ensure() -> None:
    """Every channel and language gets a template; those an admin already has are never touched."""
    have = {tuple(row) for row in db.session.execute(db.select(MessageTemplate.channel, MessageTemplate.language))}
    db.session.add_all(MessageTemplate(channel=channel, language=language, subject=subject, body=body)
                       for (channel, language), (subject, body) in DEFAULT_TEMPLATES.items()
                       if (channel, language) not in have)
