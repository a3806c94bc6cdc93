"""The HRSN screening: scored by the instrument's rules, taken in the member's language, partial answers kept,
forged answers refused, positive domains handed to the HAP, and questionnaires loaded from files."""
import io
import json
import re

import pytest

from conftest import make_member, make_user
from hrsn.extensions import db
from hrsn.models import AuditEvent, Screening, ScreeningInstrument
from hrsn.screening.rules import DEFAULT_FILE, InstrumentProblems, check, from_csv, score

CORE = {"q_living_place": "steady", "q_living_problems": "no", "q_food_worry": "never", "q_food_ran_out": "never",
        "q_transport": "no", "q_utility_shutoff": "no", "q_safety_hurt": "never", "q_safety_insult": "never",
        "q_safety_threaten": "never", "q_safety_yell": "never"}
SAFETY = ["safety_hurt", "safety_insult", "safety_threaten", "safety_yell"]
FREQ = {1: "never", 2: "rarely", 3: "sometimes", 4: "fairly_often", 5: "frequently"}


@pytest.fixture
def default(app):
    with app.app_context():
        yield ScreeningInstrument(name="x", version="1", definition=check(json.loads(DEFAULT_FILE.read_text())))


@pytest.mark.parametrize("scores,positive", [((1, 1, 1, 1), False), ((3, 3, 2, 2), False), ((3, 3, 3, 2), True),
                                              ((5, 1, 1, 1), False), ((5, 5, 1, 1), True)])
def test_safety_is_positive_at_a_total_of_eleven(default, scores, positive):
    answers = {q: FREQ[s] for q, s in zip(SAFETY, scores)}
    result = score(default, ["safety"], answers)["safety"]
    assert result == {"positive": positive, "score": sum(scores)}


def test_any_positive_answer_makes_a_domain_positive(default):
    results = score(default, ["living", "food", "utilities"], {"living_place": "worried", "living_problems": "no",
                                                               "food_worry": "never", "food_ran_out": "sometimes",
                                                               "utility_shutoff": "no"})
    assert {code: r["positive"] for code, r in results.items()} == {"living": True, "food": True, "utilities": False}


def start(client, member_id, **data):
    response = client.post(f"/members/{member_id}/screenings/new", data=data)
    assert response.status_code == 302
    return response.headers["Location"]


def test_screening_in_spanish_end_to_end(app, client, auth):
    with app.app_context():
        member_id = make_member("Rosa", "Núñez", preferred_language="es").id
    auth.login("coordinator", locale="es")
    form = client.get(f"/members/{member_id}/screenings/new").get_data(as_text=True)
    assert 'value="es" checked' in form and "Empleo" in form
    url = start(client, member_id, language="es", domains=["employment", "nonsense"])
    page = client.get(url).get_data(as_text=True)
    assert "En este momento, el lugar donde vive es:" in page and "Traducción nuestra, no oficial." in page
    assert "¿Le gustaría recibir ayuda para encontrar trabajo" in page and "Salud mental" not in page
    answers = dict(CORE, q_living_place="unsteady", q_work_help="yes", action="finish")
    assert client.post(url, data=answers).status_code == 302
    results = client.get(url).get_data(as_text=True)
    assert re.findall(r'<tr class="positive"><td>([^<]+)', results) == ["Situación de vivienda", "Empleo"]
    with app.app_context():
        screening = db.session.scalar(db.select(Screening))
        assert screening.domains == ["living", "food", "transportation", "utilities", "safety", "employment"]
        assert screening.positive_domains == ["living", "employment"] and screening.language == "es"
    tab = client.get(f"/members/{member_id}/documents").get_data(as_text=True)
    assert "<li>Situación de vivienda</li><li>Empleo</li>" in tab


def test_partial_answers_are_kept_and_finishing_needs_every_answer(app, client, auth):
    with app.app_context():
        member_id = make_member("Mary", "Smith", preferred_language="en").id
    auth.login("coordinator")
    url = start(client, member_id, language="en")
    assert client.post(url, data={"q_food_worry": "often", "action": "save"}).status_code == 302
    assert 'value="often" checked' in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"q_food_worry": "often", "action": "finish"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and page.count("Answer this question, or save and finish later.") == 9
    assert 'value="often" checked' in page
    with app.app_context():
        assert db.session.scalar(db.select(Screening.status)) == "in_progress"
    assert "Finish the screening started" in client.get(f"/members/{member_id}/documents").get_data(as_text=True)


def test_forged_answers_and_finished_screenings_are_refused(app, client, auth):
    with app.app_context():
        member_id = make_member("Mary", "Smith", preferred_language="en").id
    auth.login("coordinator")
    url = start(client, member_id, language="en")
    forged = client.post(url, data=dict(CORE, q_transport="maybe", action="finish"))
    assert forged.status_code == 422 and "Choose one of the answers shown." in forged.get_data(as_text=True)
    assert client.post(url, data=dict(CORE, action="finish")).status_code == 302
    assert client.post(url, data=dict(CORE, q_transport="yes", action="finish")).status_code == 409
    assert client.post(f"/members/{member_id}/screenings/new", data={"language": "fr"}).status_code == 422
    with app.app_context():
        screening = db.session.scalar(db.select(Screening))
        assert screening.answers["transport"] == "no" and screening.positive_domains == []
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.record_type == "Screening")).all()
        assert [e.action for e in events] == ["create", "update"]
        assert events[1].changes["status"] == ["in_progress", "complete"]


def test_the_documents_tab_shows_the_latest_finished_screenings_positive_domains(app, client, auth):
    with app.app_context():
        member_id = make_member("Mary", "Smith", preferred_language="en").id
    auth.login("coordinator")
    first = start(client, member_id, language="en")
    client.post(first, data=dict(CORE, q_food_worry="often", action="finish"))
    second = start(client, member_id, language="en")
    client.post(second, data=dict(CORE, q_transport="yes", action="finish"))
    start(client, member_id, language="en")                       # started, never finished: ignored
    with app.app_context():
        latest = db.session.scalars(db.select(Screening).order_by(Screening.id)).all()[1]
        assert latest.positive_domains == ["transportation"]
        latest_id, other_id = latest.id, make_member("No", "Screening").id
    with app.app_context():         # each finished screening's positive domains are needs on the plan at once
        from hrsn.models import Need
        needs = db.session.execute(db.select(Need.domain, Need.source, Need.screening_id).order_by(Need.id)).all()
        assert [tuple(n) for n in needs] == [("food", "screening", latest_id - 1), ("transportation", "screening",
                                                                                   latest_id)]
    page = client.get(f"/members/{member_id}/documents").get_data(as_text=True)
    summary = page[page.index('id="screening-summary"'):]
    summary = summary[:summary.index("</section>")]
    assert "Transportation" in summary and "Food" not in summary      # the first screening's result is not shown
    assert f"/screenings/{latest_id}" in summary
    empty = client.get(f"/members/{other_id}/documents").get_data(as_text=True)
    assert "No screening finished yet." in empty


def test_access_rule_on_screenings(app, client, auth):
    with app.app_context():
        owner = make_user("case_manager", email="owner@test.local")
        member_id = make_member("Ana", "García", assignee=owner, status="enrolled").id
    auth.login("coordinator")
    url = start(client, member_id, language="es")
    auth.logout()
    auth.login("case_manager")
    assert client.get(url).status_code == 404
    assert client.post(f"/members/{member_id}/screenings/new", data={"language": "en"}).status_code == 404
    auth.logout()
    auth.login("finance")
    assert client.get(url).status_code == 403


GOOD_CSV = """domain,domain_en,domain_es,core,rule,threshold,question,question_en,question_es,choice,choice_en,choice_es,score,positive
housing,Housing,Vivienda,yes,any,,h1,Do you have a safe place to sleep tonight?,¿Tiene un lugar seguro para dormir esta noche?,yes,Yes,Sí,0,no
housing,Housing,Vivienda,yes,any,,h1,Do you have a safe place to sleep tonight?,¿Tiene un lugar seguro para dormir esta noche?,no,No,No,1,yes
"""


def test_csv_instrument_is_read(app):
    with app.app_context():
        definition = from_csv(GOOD_CSV, "County screener", "3")
        assert definition["domains"][0]["code"] == "housing" and definition["domains"][0]["core"] is True
        assert [c["positive"] for c in definition["questions"][0]["choices"]] == [False, True]


@pytest.mark.parametrize("raw,problem", [
    ({"name": "x", "version": "1", "domains": [], "questions": []}, "The instrument has no domains."),
    ({"name": "x", "version": "1", "domains": [{"code": "a", "name": {"en": "A", "es": "A"}}, {"code": "a", "name": {"en": "A", "es": "A"}}],
      "questions": [{"code": "q", "domain": "a", "text": {"en": "Q", "es": "P"},
                     "choices": [{"code": "y", "text": {"en": "Y", "es": "S"}}, {"code": "n", "text": {"en": "N", "es": "N"}}]}]},
     "domain 2: code “a” is used twice."),
    ({"name": "x", "version": "1", "domains": [{"code": "a", "name": {"en": "A", "es": "A"}}],
      "questions": [{"code": "q", "domain": "zzz", "text": {"en": "Q"}, "choices": []}]}, "question 1: unknown domain “zzz”."),
    ({"name": "x", "version": "1", "domains": [{"code": "a", "name": {"en": "A", "es": "A"}}],
      "questions": [{"code": "q", "domain": "a", "text": {"en": "Q"}, "choices": []}]},
     "question 1: needs a text in English (en) and in Spanish (es)."),
    ([1, 2, 3], "The file must hold one instrument"),
])
def test_bad_instruments_report_every_problem(app, raw, problem):
    with app.app_context():
        with pytest.raises(InstrumentProblems) as caught:
            check(raw)
        assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_admin_loads_and_activates_a_questionnaire(app, client, auth):
    auth.login("admin")
    assert "HRSN screening (default set)" in client.get("/admin/screening").get_data(as_text=True)
    bad = client.post("/admin/screening", data={"name": "County", "version": "2",
                                               "file": (io.BytesIO(b"domain,question\nx,y\n"), "county.csv")})
    assert bad.status_code == 422 and "The CSV file lacks the columns: domain_en" in bad.get_data(as_text=True)
    broken = client.post("/admin/screening", data={"file": (io.BytesIO(b'{"name": '), "x.json")})
    assert broken.status_code == 422 and "The JSON is not valid (line 1" in broken.get_data(as_text=True)
    good = client.post("/admin/screening", data={"name": "County screener", "version": "3",
                                                "file": (io.BytesIO(GOOD_CSV.encode()), "county.csv")})
    assert good.status_code == 302
    with app.app_context():
        loaded = db.session.scalar(db.select(ScreeningInstrument).where(ScreeningInstrument.name == "County screener"))
        assert not loaded.active
        loaded_id = loaded.id
    client.post(f"/admin/screening/{loaded_id}/activate")
    with app.app_context():
        assert [i.name for i in db.session.scalars(db.select(ScreeningInstrument).where(ScreeningInstrument.active))] == ["County screener"]
        member_id = make_member("Ana", "García").id
    url = start(client, member_id, language="en")
    assert "Do you have a safe place to sleep tonight?" in client.get(url).get_data(as_text=True)


def test_seed_demo_screenings(app):
    from hrsn.seed import run
    with app.app_context():
        run(members=20, password="demo pass 123", rng_seed=5)
        rows = db.session.scalars(db.select(Screening)).all()
        assert {r.language for r in rows} == {"en", "es"} and {r.status for r in rows} == {"complete", "in_progress"}
        assert any(r.positive_domains for r in rows if r.status == "complete")
        for row in rows:
            if row.status == "complete":
                assert row.results == score(row.instrument, row.domains, row.answers)
