"""The whole intake and triage through the screens: a coordinator switches to Spanish mid-form, the rent fields
appear when rent is ticked, bad input is refused and kept, a duplicate is spotted while typing and the referral goes
to the member on file; the new member's referral is then found in the queue, accepted, assigned and seen enrolled.
A second test triages in English (waitlist, then accept) and assigns to a colleague."""
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from conftest import make_member, make_user, org_today
from hrsn.extensions import db
from screens import settled, sign_in


def test_intake_in_spanish_with_duplicate_and_new_member(live_server, page):
    with live_server.app.app_context():
        make_user("coordinator", email="carmen@example.org", name="Carmen Ruiz", languages="en,es")
        on_file = make_member("José", "Núñez", dob=date(1980, 2, 3), medicaid_id="OR7654321", status="closed",
                              received_on=org_today() - timedelta(days=500)).id
        db.session.remove()
    sign_in(page, live_server.url, "carmen@example.org")
    page.get_by_role("link", name="Members").click()
    page.get_by_role("link", name="New referral").click()
    # Switching to Spanish half way through keeps what was typed.
    page.get_by_label("First name").fill("Lucía")
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name="Nuevo referido")).to_be_visible()
    expect(page.get_by_label("Nombre", exact=True)).to_have_value("Lucía")
    page.evaluate("window.sameDocument = true")

    # Rent fields show only once rent assistance is ticked, without a page reload.
    expect(page.get_by_label("Meses de renta adeudados")).to_be_hidden()
    page.get_by_label("Ayuda con la renta").check()
    expect(page.get_by_label("Meses de renta adeudados")).to_be_visible()
    settled(page)
    page.get_by_label("Meses de renta adeudados").fill("3")
    page.get_by_label("Renta mensual ($)").fill("1,150")

    # A new person first: bad input is refused in Spanish and what was typed stays.
    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Apellido").fill("Ramírez-O'Neil")
    page.get_by_label("Fecha de nacimiento").fill("1991-07-09")
    page.get_by_label("Número de Medicaid").fill("or-12")
    page.get_by_label("Teléfono").fill("555")
    settled(page)
    page.get_by_role("button", name="Guardar referido").click()
    expect(page.locator("#err-medicaid_id").get_by_text("Este número de Medicaid no parece correcto")).to_be_visible()
    expect(page.locator("#err-phone").get_by_text("Escriba un teléfono de 10 dígitos")).to_be_visible()
    expect(page.get_by_label("Apellido")).to_have_value("Ramírez-O'Neil")
    expect(page.get_by_label("Meses de renta adeudados")).to_have_value("3")
    page.get_by_label("Número de Medicaid").fill("OR1234567")
    page.get_by_label("Teléfono").fill("503-555-0188")
    page.get_by_role("button", name="Guardar referido").click()
    expect(page.get_by_text("Referido guardado.")).to_be_visible()
    expect(page.locator(".member-header")).to_contain_text("Alta")          # two months or more of rent owed

    # Then José comes back: typing his name and birth date shows the record on file.
    page.get_by_role("link", name="Miembros").click()
    page.get_by_role("link", name="Nuevo referido").click()
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Nombre", exact=True).fill("jose")
    page.get_by_label("Apellido").fill("NUNEZ")
    page.get_by_label("Fecha de nacimiento").fill("1980-02-03")
    page.get_by_label("Fecha de nacimiento").press("Tab")
    warning = page.locator("#duplicates")
    expect(warning).to_contain_text("Posiblemente ya registrado")
    expect(warning).to_contain_text("José Núñez")
    assert page.evaluate("window.sameDocument") is True
    page.get_by_label("Ayuda con servicios públicos").check()
    settled(page)
    page.get_by_label("Monto adeudado de servicios públicos ($)").fill("420")
    warning.get_by_role("button", name="Agregar este referido a José Núñez").click()
    expect(page.get_by_role("heading", name="Nuevo referido para José Núñez")).to_be_visible()
    expect(page.get_by_label("Monto adeudado de servicios públicos ($)")).to_have_value("420")
    page.get_by_role("button", name="Agregar referido").click()
    expect(page.get_by_text("Referido agregado.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/members/{on_file}$"))
    expect(page.locator("article.referral")).to_have_count(2)

    # Triage in Spanish: Lucía's referral is found in the new queue, accepted and assigned.
    page.get_by_role("link", name="Referidos").click()
    queue = page.locator("#queue")
    expect(queue.get_by_role("button", name=re.compile(r"^Nuevos"))).to_contain_text("2")
    page.get_by_label("Buscar por nombre, número de Medicaid o número de referido").fill("lucia")
    expect(queue.locator("tbody tr")).to_have_count(1)
    queue.get_by_role("link", name="Lucía Ramírez-O'Neil").click()
    triage = page.locator("#triage")
    triage.get_by_label("Aceptar").check()
    triage.get_by_role("button", name="Guardar decisión").click()
    expect(triage.get_by_text("Decisión guardada: Aceptar.")).to_be_visible()
    settled(page)
    page.locator("#assignment").get_by_role("button", name="Asignármelo").click()
    expect(page.locator("#assignment").get_by_text("Asignado a Carmen Ruiz.")).to_be_visible()
    expect(page.locator(".member-header")).to_contain_text("Inscrito (activo)")
    page.get_by_role("link", name="Volver a las colas").click()
    queue.get_by_role("button", name=re.compile(r"^Inscritos")).click()
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(queue).to_contain_text("Carmen Ruiz")


def test_triage_and_assignment_through_the_screens(live_server, page):
    with live_server.app.app_context():
        make_user("coordinator", email="carmen@example.org", name="Carmen Ruiz", languages="en,es")
        make_user("case_manager", email="maria@example.org", name="Maria Lopez", languages="en,es")
        make_member("Rosa", "Núñez", received_on=org_today() - timedelta(days=2), rent_months_owed=2)
        make_member("Mary", "Smith", received_on=org_today() - timedelta(days=1))
        db.session.remove()
    sign_in(page, live_server.url, "carmen@example.org")
    page.get_by_role("link", name="Referrals").click()
    queue = page.locator("#queue")
    expect(queue.get_by_role("button", name=re.compile(r"^New"))).to_contain_text("2")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Search by name, Medicaid ID or referral ID").fill("nunez")
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(queue).to_contain_text("Rosa Núñez")
    assert page.evaluate("window.sameDocument") is True
    queue.get_by_role("link", name="Rosa Núñez").click()

    page.evaluate("window.sameDocument = true")
    triage = page.locator("#triage")
    triage.get_by_label("Waitlist").check()
    triage.get_by_role("button", name="Save decision").click()
    expect(triage.get_by_text("Say why, in a few words.", exact=True)).to_be_visible()
    settled(page)
    triage.get_by_label("Reason").fill("Funds for this month are committed")
    triage.get_by_role("button", name="Save decision").click()
    expect(triage.get_by_text("Decision saved: Waitlist.")).to_be_visible()
    expect(page.locator(".member-header")).to_contain_text("Waitlist")      # the header refreshed itself
    settled(page)
    triage.get_by_label("Accept").check()
    triage.get_by_role("button", name="Save decision").click()
    expect(triage.get_by_text("Decision saved: Accept.")).to_be_visible()
    expect(triage.locator("ol.history li")).to_have_count(2)
    expect(page.locator(".member-header")).to_contain_text("Enrolled")
    settled(page)
    assignment = page.locator("#assignment")
    assignment.get_by_label("Assign to").select_option(label="Maria Lopez")
    assignment.get_by_role("button", name="Assign", exact=True).click()
    expect(assignment.get_by_text("Assigned to Maria Lopez.")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True

    page.get_by_role("link", name="Back to the queues").click()
    queue.get_by_role("button", name=re.compile(r"^Enrolled")).click()
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(queue).to_contain_text("Maria Lopez")
    expect(queue.get_by_role("button", name=re.compile(r"^New"))).to_contain_text("1")

    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name="Referidos")).to_be_visible()
    expect(page.locator("#queue").get_by_role("button", name=re.compile(r"^Nuevos"))).to_be_visible()
