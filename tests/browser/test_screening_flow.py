"""A coordinator working in Spanish screens a Spanish-speaking member from the Documents tab and sees the
positive domains on the results and on the tab's summary."""
from playwright.sync_api import expect

from conftest import PASSWORD, make_member, make_user
from hrsn.extensions import db


def test_screening_in_spanish(live_server, page):
    with live_server.app.app_context():
        make_user("coordinator", email="carmen@example.org", name="Carmen Ruiz", locale="es")
        member_id = make_member("Rosa", "Núñez", preferred_language="es", status="enrolled").id
        db.session.remove()
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill("carmen@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/members/{member_id}/documents")
    summary = page.locator("#screening-summary")
    expect(summary).to_contain_text("Todavía no hay evaluación terminada.")
    summary.get_by_role("link", name="Comenzar una evaluación").click()
    expect(page.get_by_label("Español")).to_be_checked()
    page.get_by_label("Empleo").check()
    page.get_by_role("button", name="Comenzar", exact=True).click()

    def answer(question, choice):
        page.locator("fieldset.question", has_text=question).get_by_label(choice, exact=True).check()

    answer("el lugar donde vive es", "Estable por ahora, pero me preocupa perderlo")
    page.get_by_role("button", name="Guardar y terminar después").click()
    expect(page.get_by_text("Respuestas guardadas; puede terminar la evaluación después.")).to_be_visible()
    page.get_by_role("button", name="Terminar la evaluación").click()
    expect(page.get_by_text("Conteste esta pregunta, o guarde y termine después.").first).to_be_visible()
    expect(page.locator("fieldset.question", has_text="el lugar donde vive es").get_by_label(
        "Estable por ahora, pero me preocupa perderlo")).to_be_checked()

    answer("plagas, moho", "No")
    answer("le preocupó que se le acabara la comida", "Nunca")
    answer("se le acabó la comida", "Nunca")
    answer("transporte confiable", "No")
    answer("amenazó con cortarle el servicio", "Sí, y el servicio ya está cortado")
    for question in ("le lastima físicamente", "le insulta", "le amenaza", "le grita"):
        answer(question, "Nunca")
    answer("encontrar trabajo", "No")
    page.get_by_role("button", name="Terminar la evaluación").click()
    expect(page.get_by_text("Evaluación terminada.")).to_be_visible()
    results = page.locator("#screening-results")
    expect(results.locator("tr.positive")).to_have_count(2)
    expect(results).to_contain_text("Situación de vivienda")
    expect(results).to_contain_text("Servicios públicos")

    page.get_by_role("link", name="Volver a documentos").click()
    expect(page.locator("ul.positive-domains li")).to_have_text(["Situación de vivienda", "Servicios públicos"])
