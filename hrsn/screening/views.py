"""Taking a screening (start, save part of it, finish and score) and the admin's questionnaires."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import member_for_change, member_for_view, owned, require
from hrsn.extensions import db
from hrsn.forms import clean_text
from hrsn.models import LANGUAGES, Screening, ScreeningInstrument, needs_from_screening, utcnow
from hrsn.render import render
from hrsn.screening import bp
from hrsn.screening.rules import InstrumentProblems, active_instrument, read_upload, score


def frame(member, **context) -> dict:
    return {"member": member, "tab": "documents", **context}


def _member(member_id):
    return (member_for_view if request.method == "GET" else member_for_change)(member_id, "screening")


@bp.route("/members/<int:member_id>/screenings/new", methods=["GET", "POST"])
def start(member_id):
    member = _member(member_id)
    instrument = active_instrument()
    if instrument is None:
        abort(404)
    language = request.form.get("language") or (member.preferred_language if member.preferred_language in LANGUAGES else "en")
    optional = [d["code"] for d in instrument.domains if not d["core"]]
    chosen = [code for code in request.form.getlist("domains") if code in optional]
    error = None
    if request.method == "POST":
        if language not in LANGUAGES:
            error = _("Choose English or Spanish.")
        else:
            domains = [d["code"] for d in instrument.domains if d["core"] or d["code"] in chosen]
            screening = Screening(member_id=member.id, instrument_id=instrument.id, language=language,
                                  domains=domains, answers={}, started_by_id=current_user.id)
            audit.add(screening, member=member, fields=("language", "domains"))
            db.session.commit()
            return redirect(url_for("screening.fill", member_id=member.id, screening_id=screening.id))
    return render("screening/new.html", status=422 if error else 200, instrument=instrument, language=language,
                  chosen=chosen, error=error, languages=LANGUAGES, **frame(member))


@bp.route("/members/<int:member_id>/screenings/<int:screening_id>", methods=["GET", "POST"])
def fill(member_id, screening_id):
    member = _member(member_id)
    screening = owned(Screening, screening_id, member)
    instrument = screening.instrument
    errors = {}
    if request.method == "POST":
        if screening.status == "complete":
            return render("screening/fill.html", status=409, screening=screening, instrument=instrument, errors={},
                          answers=screening.answers, closed=True, **frame(member))
        answers, finishing = {}, request.form.get("action") == "finish"
        for domain in screening.domains:
            for question in instrument.questions_of(domain):
                given = request.form.get(f"q_{question['code']}")
                if given and given not in {c["code"] for c in question["choices"]}:
                    errors[question["code"]] = _("Choose one of the answers shown.")
                elif given:
                    answers[question["code"]] = given
                elif finishing:
                    errors[question["code"]] = _("Answer this question, or save and finish later.")
        if errors:
            return render("screening/fill.html", status=422, screening=screening, instrument=instrument,
                          errors=errors, answers=answers, **frame(member))
        seen = params.number("record_version", source=request.form)
        if seen is not None and seen != screening.version:
            # Someone else saved answers meanwhile: show theirs beside what was typed, and save nothing yet.
            conflict = audit.since_version("Screening", screening.id, seen)
            return render("screening/fill.html", status=409, screening=screening, instrument=instrument, errors={},
                          answers=answers, conflict=conflict, **frame(member))
        before = dict(screening.answers or {})
        screening.answers = answers
        changes = {code: [before.get(code), value] for code, value in answers.items() if before.get(code) != value}
        if finishing:
            screening.results = score(instrument, screening.domains, answers)
            screening.status, screening.completed_at, screening.completed_by_id = "complete", utcnow(), current_user.id
            changes["status"] = ["in_progress", "complete"]
            changes["positive_domains"] = [None, screening.positive_domains]
        audit.record("update", member=member, obj=screening, changes=changes)
        if finishing:       # its positive domains become needs on the member's plan, once
            for need in needs_from_screening(screening, current_user):
                audit.add(need, member=member, fields=("domain", "source", "screening_id"))
        db.session.commit()
        flash(_("Screening finished.") if finishing else _("Answers saved; you can finish the screening later."),
              "success")
        return redirect(url_for("screening.fill", member_id=member.id, screening_id=screening.id))
    return render("screening/fill.html", screening=screening, instrument=instrument, errors=errors,
                  answers=screening.answers or {}, **frame(member))


# The admin's questionnaires ------------------------------------------------------------------------

@bp.route("/admin/screening", methods=["GET", "POST"])
@require("admin")
def instruments():
    name, version = clean_text(request.form.get("name")), clean_text(request.form.get("version"))
    problems = [_("Use at most %(max)d characters; this has %(n)d.", max=limit, n=len(text))
                for text, limit in ((name, 200), (version, 40)) if len(text) > limit]
    if request.method == "POST" and not problems:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problems = [_("Choose a JSON or CSV file.")]
        else:
            try:
                definition = read_upload(upload.stream.read(1024 * 1024 + 1), upload.filename, name, version)
            except InstrumentProblems as error:
                problems = error.problems
            else:
                instrument = ScreeningInstrument(name=definition["name"], version=definition["version"],
                                                 definition=definition, active=False, loaded_by_id=current_user.id)
                audit.add(instrument, fields=("name", "version"))
                db.session.commit()
                flash(_("Questionnaire loaded. Make it the active one when you are ready."), "success")
                return redirect(url_for("screening.instruments"))
    rows = db.session.scalars(db.select(ScreeningInstrument).order_by(ScreeningInstrument.id.desc())).all()
    return render("screening/instruments.html", status=422 if problems else 200, instruments=rows,
                  problems=problems, name=name, version=version)


@bp.post("/admin/screening/<int:instrument_id>/activate")
@require("admin")
def activate(instrument_id):
    chosen = db.get_or_404(ScreeningInstrument, instrument_id)
    for row in db.session.scalars(db.select(ScreeningInstrument).where(ScreeningInstrument.active)):
        row.active = False
    chosen.active = True
    audit.record("update", obj=chosen, changes={"active": [False, True]})
    db.session.commit()
    flash(_("New screenings now use “%(name)s”.", name=chosen.name), "success")
    return redirect(url_for("screening.instruments"))
