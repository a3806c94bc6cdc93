"""Screening instruments as data: reading one from JSON or CSV with every problem reported, and scoring."""
import csv
import io
import json
import re
from pathlib import Path

from flask_babel import gettext as _

from hrsn.extensions import db
from hrsn.models import ScreeningInstrument

DEFAULT_FILE = Path(__file__).with_name("default.json")
LANGS = ("en", "es")
CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
CSV_COLUMNS = ["domain", "domain_en", "domain_es", "core", "rule", "threshold", "question", "question_en",
               "question_es", "choice", "choice_en", "choice_es", "score", "positive"]
MAX_FILE = 1024 * 1024


class InstrumentProblems(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _texts(value, where: str, problems: list) -> dict:
    if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGS):
        problems.append(_("%(where)s: needs a text in English (en) and in Spanish (es).", where=where))
        return {lang: "" for lang in LANGS}
    return {lang: value[lang].strip()[:500] for lang in LANGS}


def _code(item: dict, where: str, seen: set, problems: list) -> str:
    """The item's code, noting a badly formed or repeated one."""
    code = str(item.get("code") or "")
    if not CODE.fullmatch(code):
        problems.append(_("%(where)s: code “%(code)s” must be lowercase letters, digits and _.", where=where, code=code[:40]))
    elif code in seen:
        problems.append(_("%(where)s: code “%(code)s” is used twice.", where=where, code=code))
    seen.add(code)
    return code


def check(raw: dict) -> dict:
    """The instrument in its normal form; InstrumentProblems listing everything wrong."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise InstrumentProblems([_("The file must hold one instrument (an object with domains and questions).")])
    sets = raw.get("choice_sets") or {}
    if not isinstance(sets, dict):
        problems.append(_("choice_sets: must be an object of named answer lists."))
        sets = {}
    domains, seen = [], set()
    for n, item in enumerate(raw.get("domains") or [], start=1):
        where = _("domain %(n)d", n=n)
        if not isinstance(item, dict):
            problems.append(_("%(where)s: must be an object.", where=where))
            continue
        code = _code(item, where, seen, problems)
        rule = item.get("rule") or {"type": "any"}
        if not isinstance(rule, dict) or rule.get("type") not in ("any", "score"):
            problems.append(_("%(where)s: rule must be “any” or “score”.", where=where))
            rule = {"type": "any"}
        elif rule["type"] == "score" and not (isinstance(rule.get("threshold"), int) and rule["threshold"] >= 0):
            problems.append(_("%(where)s: a score rule needs a whole-number threshold.", where=where))
        domains.append({"code": code, "core": bool(item.get("core")), "name": _texts(item.get("name"), where, problems),
                        "rule": {"type": rule["type"], **({"threshold": rule.get("threshold")} if rule["type"] == "score" else {})}})
    if not domains:
        problems.append(_("The instrument has no domains."))
    questions, seen_q = [], set()
    for n, item in enumerate(raw.get("questions") or [], start=1):
        where = _("question %(n)d", n=n)
        if not isinstance(item, dict):
            problems.append(_("%(where)s: must be an object.", where=where))
            continue
        code = _code(item, where, seen_q, problems)
        if item.get("domain") not in seen:
            problems.append(_("%(where)s: unknown domain “%(domain)s”.", where=where, domain=str(item.get("domain"))[:40]))
        choices_raw = item.get("choices")
        if isinstance(choices_raw, str):
            choices_raw = sets.get(choices_raw)
        choices, seen_c = [], set()
        for m, choice in enumerate(choices_raw or [], start=1):
            cwhere = _("%(where)s, answer %(m)d", where=where, m=m)
            if not isinstance(choice, dict):
                problems.append(_("%(where)s: must be an object.", where=cwhere))
                continue
            ccode = str(choice.get("code") or "")
            if not CODE.fullmatch(ccode) or ccode in seen_c:
                problems.append(_("%(where)s: code “%(code)s” is missing, badly formed or used twice.", where=cwhere, code=ccode[:40]))
            seen_c.add(ccode)
            score = choice.get("score", 0)
            if not isinstance(score, int) or isinstance(score, bool) or not -100 <= score <= 100:
                problems.append(_("%(where)s: score must be a whole number.", where=cwhere))
                score = 0
            choices.append({"code": ccode, "score": score, "positive": choice.get("positive") is True,
                            "text": _texts(choice.get("text"), cwhere, problems)})
        if len(choices) < 2:
            problems.append(_("%(where)s: needs at least two answers.", where=where))
        questions.append({"code": code, "domain": item.get("domain"), "text": _texts(item.get("text"), where, problems),
                          "choices": choices})
    for domain in domains:
        if not any(q["domain"] == domain["code"] for q in questions):
            problems.append(_("Domain “%(code)s” has no questions.", code=domain["code"]))
    name = str(raw.get("name") or "").strip()[:200]
    version = str(raw.get("version") or "").strip()[:40]
    if not name or not version:
        problems.append(_("The instrument needs a name and a version."))
    if problems:
        raise InstrumentProblems(problems[:50])
    return {"name": name, "version": version, "source": str(raw.get("source") or "")[:1000],
            "translation_note": raw.get("translation_note") if isinstance(raw.get("translation_note"), dict) else {},
            "domains": domains, "questions": questions}


def _yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "y", "true", "1", "sí", "si")


def from_csv(text: str, name: str, version: str) -> dict:
    """One row per answer choice; domain and question columns repeat (see the README)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InstrumentProblems([_("The CSV file lacks the columns: %(columns)s.", columns=", ".join(missing))])
    domains, questions = {}, {}
    problems = []
    for line, row in enumerate(reader, start=2):
        code = (row["domain"] or "").strip()
        if code not in domains:
            threshold = (row["threshold"] or "").strip()
            rule = {"type": (row["rule"] or "any").strip() or "any"}
            if rule["type"] == "score":
                if threshold.isdigit():
                    rule["threshold"] = int(threshold)
                else:
                    problems.append(_("line %(n)d: a score rule needs a whole-number threshold.", n=line))
            domains[code] = {"code": code, "core": _yes(row["core"] or ""), "rule": rule,
                             "name": {"en": row["domain_en"] or "", "es": row["domain_es"] or ""}}
        qcode = (row["question"] or "").strip()
        question = questions.setdefault(qcode, {"code": qcode, "domain": code, "choices": [],
                                                "text": {"en": row["question_en"] or "", "es": row["question_es"] or ""}})
        score = (row["score"] or "0").strip()
        if not re.fullmatch(r"-?\d{1,3}", score):
            problems.append(_("line %(n)d: score must be a whole number.", n=line))
            score = "0"
        question["choices"].append({"code": (row["choice"] or "").strip(), "score": int(score),
                                    "positive": _yes(row["positive"] or ""),
                                    "text": {"en": row["choice_en"] or "", "es": row["choice_es"] or ""}})
    if problems:
        raise InstrumentProblems(problems[:50])
    return check({"name": name, "version": version, "domains": list(domains.values()),
                  "questions": list(questions.values())})


def read_upload(data: bytes, filename: str, name: str, version: str) -> dict:
    if len(data) > MAX_FILE:
        raise InstrumentProblems([_("The file is larger than 1 MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InstrumentProblems([_("The file is not UTF-8 text.")])
    if filename.lower().endswith(".csv"):
        return from_csv(text, name, version)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstrumentProblems([_("The JSON is not valid (line %(line)d, column %(column)d).",
                                    line=error.lineno, column=error.colno)])
    if isinstance(raw, dict):
        raw.setdefault("name", name)
        raw.setdefault("version", version)
        if name:
            raw["name"] = name
        if version:
            raw["version"] = version
    return check(raw)


def active_instrument() -> ScreeningInstrument | None:
    """The questionnaire new screenings use (the default set is loaded on the first day)."""
    return db.session.scalar(db.select(ScreeningInstrument).where(ScreeningInstrument.active)
                             .order_by(ScreeningInstrument.id.desc()).limit(1))


def score(instrument: ScreeningInstrument, domains: list[str], answers: dict) -> dict:
    """Each asked domain's result: positive by its rule (any positive answer, or a score threshold)."""
    results = {}
    for code in domains:
        domain = instrument.domain(code)
        chosen = []
        for question in instrument.questions_of(code):
            choice = next((c for c in question["choices"] if c["code"] == answers.get(question["code"])), None)
            if choice is not None:
                chosen.append(choice)
        total = sum(c["score"] for c in chosen)
        if domain["rule"]["type"] == "score":
            positive = total >= domain["rule"]["threshold"]
        else:
            positive = any(c["positive"] for c in chosen)
        results[code] = {"positive": positive, "score": total}
    return results
