"""A new agency's first day, in Spanish: from an empty database exactly as `hrsn serve` leaves it, the first-run
page, a look at what the desk prepared, and the first referral saved with a rent amount typed the Spanish way."""
import re

import pytest
from playwright.sync_api import expect

from hrsn import settings
from hrsn.extensions import db
from hrsn.models import Member, Payer, ServiceType


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "es-ES"}


def test_first_referral_on_a_fresh_install_in_spanish(fresh_server, page):
    with fresh_server.app.app_context():
        assert db.session.scalar(db.select(db.func.count(Payer.id))) == 0          # nothing but the schema
        assert db.session.scalar(db.select(db.func.count(ServiceType.id))) == 0

    page.goto(fresh_server.url + "/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.get_by_role("heading", name="Configuración inicial")).to_be_visible()
    page.get_by_label("Nombre de la organización").fill("Casa Esperanza")
    page.get_by_label("Teléfono").fill("503 555 0100")
    page.get_by_label("Zona horaria").select_option(label="Pacífico (Los Ángeles, Portland, Seattle)")
    page.get_by_label("Su nombre").fill("Rosa Díaz")
    page.get_by_label("Su correo electrónico").fill("rosa@example.org")
    page.get_by_label("Contraseña", exact=True).fill("tres ríos tranquilos")
    page.get_by_label("Repita la contraseña").fill("tres ríos tranquilos")
    page.get_by_role("button", name="Crear la organización y mi cuenta de administrador").click()

    expect(page.get_by_role("heading", name="Listo para el primer referido")).to_be_visible()
    expect(page.get_by_role("link", name="Local CCO (rename me)")).to_be_visible()
    expect(page.get_by_role("link", name="Ayuda con la renta")).to_be_visible()
    page.get_by_role("link", name="Registrar el primer referido").click()

    expect(page.get_by_role("heading", name="Nuevo referido")).to_be_visible()
    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Apellido").fill("Pérez Núñez")
    page.get_by_label("Fecha de nacimiento").fill("1984-03-09")
    page.get_by_label("Pagador", exact=True).select_option(label="Local CCO (rename me)")
    page.get_by_label("Ayuda con la renta").check()
    rent = page.get_by_label("Renta mensual ($)")
    expect(rent).to_be_visible()                  # the rent fields follow the service's own setting
    page.get_by_label("Meses de renta adeudados").fill("2")
    rent.fill("1.850,00")
    page.get_by_role("button", name="Guardar referido").click()

    expect(page.get_by_text("Referido guardado.")).to_be_visible()
    expect(page.get_by_role("heading", name="Lucía Pérez Núñez")).to_be_visible()
    with fresh_server.app.app_context():
        member = db.session.scalar(db.select(Member))
        referral = member.latest_referral
        assert referral.rent_per_month_cents == 185000 and referral.rent_months_owed == 2
        assert referral.urgency() == "high"
        assert settings.get("org_name") == "Casa Esperanza"
