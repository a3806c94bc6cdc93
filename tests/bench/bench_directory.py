"""The directory at a county's size: importing 5,000 services from HSDS files (preview, then apply), the same file
again, and the search as a case manager types, beside a bare Flask page listing 50 rows (the floor).

    .venv/bin/python tests/bench/bench_directory.py [--services 5000] [--repeat 30]

Prints seconds and milliseconds; asserts nothing (figures go in the README).
"""
import argparse
import io
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import PASSWORD, make_app, make_user  # noqa: E402
from test_hsds import csv_bytes, zip_of  # noqa: E402

WORDS = ["food", "rent", "legal", "clinic", "counseling", "rides", "pantry", "shelter", "jobs", "dental"]
DOMAINS = ["housing", "utilities", "food", "transportation", "legal", "mental_health", "physical_health", "income"]
COUNTIES = ["Multnomah", "Lane", "Marion", "Jackson", "Deschutes", "Washington", "Clackamas", "Benton"]


def hsds_zip(services: int) -> bytes:
    """A county-sized directory: five services per organization, each with a location, phone, two languages,
    two areas and weekday hours."""
    tables = {name: [header] for name, header in {
        "organization": ["id", "name", "description", "website"],
        "service": ["id", "organization_id", "name", "description", "eligibility_description", "status",
                    "fees_description", "wait_time", "assured_date", "hrsn_need_domains"],
        "location": ["id", "organization_id", "name"],
        "address": ["id", "location_id", "address_1", "city", "state_province", "postal_code", "country"],
        "service_at_location": ["id", "service_id", "location_id"],
        "phone": ["id", "service_id", "number"],
        "language": ["id", "service_id", "code"],
        "service_area": ["id", "service_id", "name"],
        "schedule": ["id", "service_id", "freq", "byday", "opens_at", "closes_at"]}.items()}
    for o in range(services // 5):
        tables["organization"].append([f"o{o}", f"Organization {o} {WORDS[o % 10]}", "Community help", ""])
        tables["location"].append([f"l{o}", f"o{o}", "Office"])
        tables["address"].append([f"a{o}", f"l{o}", f"{o} Main St", "Eugene", "OR", f"97{o % 1000:03d}", "US"])
    for s in range(services):
        o = s // 5
        tables["service"].append([f"s{s}", f"o{o}", f"Service {s} {WORDS[s % 10]}", "Help for people in need",
                                  "Adults in the county", "active", "Free", "2 weeks", "2026-01-15",
                                  f"{DOMAINS[s % 8]};{DOMAINS[(s + 3) % 8]}"])
        tables["service_at_location"].append([f"sl{s}", f"s{s}", f"l{o}"])
        tables["phone"].append([f"p{s}", f"s{s}", f"(541) 555-{s % 10000:04d}"])
        tables["language"] += [[f"la{s}", f"s{s}", "en"], [f"lb{s}", f"s{s}", ("es", "vi", "ru")[s % 3]]]
        tables["service_area"] += [[f"ar{s}", f"s{s}", f"{COUNTIES[s % 8]} County"], [f"az{s}", f"s{s}", f"97{s % 1000:03d}"]]
        tables["schedule"].append([f"h{s}", f"s{s}", "WEEKLY", "MO,TU,WE,TH,FR", "09:00", "17:00"])
    return zip_of({f"{name}.csv": csv_bytes(rows) for name, rows in tables.items()})


def timed(fn) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call: on a machine others share, the CPU time is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def figures(times: list[tuple[float, float]]) -> str:
    wall = sorted(t[0] * 1000 for t in times)
    cpu = statistics.median(t[1] * 1000 for t in times)
    return f"{statistics.median(wall):10.1f} {wall[min(len(wall) - 1, int(len(wall) * .95))]:8.1f} {cpu:8.1f}"


def floor_page(folder: Path, repeat: int) -> list[float]:
    """A bare Flask + SQLAlchemy page listing 50 rows of a 5,000-row SQLite table: the least any page costs."""
    from flask import Flask, render_template_string
    from flask_sqlalchemy import SQLAlchemy
    bare = Flask("floor")
    bare.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'floor.sqlite'}"
    floor_db = SQLAlchemy(bare)

    class Row(floor_db.Model):
        id = floor_db.Column(floor_db.Integer, primary_key=True)
        name = floor_db.Column(floor_db.String(100), index=True)
        note = floor_db.Column(floor_db.String(100))

    @bare.get("/")
    def rows():
        found = floor_db.session.scalars(floor_db.select(Row).order_by(Row.name).limit(50)).all()
        return render_template_string("<table>{% for r in rows %}<tr><td>{{ r.id }}</td><td>{{ r.name }}</td>"
                                      "<td>{{ r.note }}</td></tr>{% endfor %}</table>", rows=found)
    with bare.app_context():
        floor_db.create_all()
        floor_db.session.add_all(Row(name=f"name {i}", note="x" * 40) for i in range(5000))
        floor_db.session.commit()
    client = bare.test_client()
    client.get("/")
    return [timed(lambda: client.get("/")) for _ in range(repeat)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hrsn-bench-directory-"))
    app = make_app(tmp)
    with app.app_context():
        email = make_user("coordinator").email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    content = hsds_zip(args.services)
    print(f"HSDS zip of {args.services} services: {len(content) / 1e6:.1f} MB")

    def send():
        return client.post("/directory/import", data={"files": [(io.BytesIO(content), "county.zip")]},
                           content_type="multipart/form-data")
    started = time.perf_counter()
    preview = send()
    preview_s = time.perf_counter() - started
    token = re.search(r"/directory/import/([0-9a-f]{32})", preview.get_data(as_text=True))[1]
    apply_s = timed(lambda: client.post(f"/directory/import/{token}"))[0]
    again_s = timed(send)[0]
    print(f"import preview {preview_s:.2f} s, apply {apply_s:.2f} s (together {preview_s + apply_s:.2f} s); "
          f"the same file again: preview {again_s:.2f} s, nothing to apply")
    searches = [("Directory page", None), ("Search: text", {"q": "pantry"}),
                ("Search: need + language", {"need": "food", "language": "es"}),
                ("Search: ZIP code", {"area": "97401"}), ("Search: open now + accepting", {"open_now": "1",
                                                                                          "accepting": "1"}),
                ("Search: every filter", {"q": "service", "need": "housing", "language": "vi", "area": "Lane",
                                          "accepting": "1"})]
    print(f"{'page':34} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8}")
    print(f"{'Bare Flask + SQLAlchemy, 50 rows':34} {figures(floor_page(tmp, args.repeat))}   (the floor)")
    hx = {"HX-Request": "true"}
    for label, form in searches:
        def ask():
            return client.post("/directory/", data=form, headers=hx) if form else client.get("/directory/")
        ask()
        print(f"{label:34} {figures([timed(ask) for _ in range(args.repeat)])}")
    for label, url in (("Organization page (5 services)", "/directory/organizations/1"),
                       ("Review list", "/directory/review")):
        client.get(url)
        print(f"{label:34} {figures([timed(lambda: client.get(url)) for _ in range(args.repeat)])}")


if __name__ == "__main__":
    main()
