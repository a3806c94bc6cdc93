"""Page timings on ten years of an agency's records, beside a bare Flask page listing 50 members.

    .venv/bin/python tests/bench/bench_pages.py [--members 10000] [--years 10] [--repeat 20]
        [--db PATH] [--postgres URL] [--growth] [--load [--seconds 60] [--think 2]] [--cold] [--pages REGEX]

Seeds the database once with `flask seed-demo` (--db keeps a SQLite file to reuse between runs; --postgres seeds
a schema bench_<members>_<years>y in that database, reused the same way), then times each page shape signed in as
its role, each request followed by one of the floor page, and prints a Markdown table: median, 95th percentile,
queries per request, and each page's ratio to the floor's median. --growth also times the same agency when it had
1,000 members (as many referrals a month and the same caseloads, over a tenth of the years); --load then runs 20
clients at once against waitress (--think: each pausing about that many seconds between requests, as people do;
without it the server is saturated); --cold times `hrsn serve` from its start to its first page. A script, not a
test: it asserts nothing.
"""
import argparse
import gc
import math
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PASSWORD = "bench pass phrase"


@dataclass(frozen=True)
class Req:
    path: str
    form: dict | None = None     # sent as a POST (searches are POSTed so that names stay out of URLs)
    htmx: bool = False           # asks for the fragment


@dataclass(frozen=True)
class Sample:
    """The records the pages open: a case manager's open member with the longest history of contacts."""
    member: int
    referral: int
    contact: int
    screening: tuple[int, int]   # (member, screening)
    referral_out: int            # one of that member's referrals made, still open


TEN_YEARS = f"start={date.today().replace(year=date.today().year - 10).isoformat()}&end={date.today().isoformat()}"

# Every page shape: label, account signed in, method, request built from the sample. A new page joins here.
PAGES = [
    ("Today", "casemanager1", "GET", lambda s: Req("/")),
    ("Today (coordinator)", "coordinator", "GET", lambda s: Req("/")),
    ("Today (finance)", "finance", "GET", lambda s: Req("/")),
    ("Members list", "casemanager1", "GET", lambda s: Req("/members/")),
    ("Members list, page 10", "casemanager1", "POST", lambda s: Req("/members/", {"page": "10"})),
    ("Members search", "casemanager1", "POST", lambda s: Req("/members/", {"q": "garc"})),
    ("Members search: rows fragment", "casemanager1", "POST", lambda s: Req("/members/", {"q": "garc"}, True)),
    ("Members list (coordinator)", "coordinator", "GET", lambda s: Req("/members/")),
    ("Member record: Intake", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}")),
    ("Member header fragment", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/header", htmx=True)),
    ("Member edit form", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/edit")),
    ("Member record: Contact", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/contact")),
    ("Contact log fragment", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/contact/log", htmx=True)),
    ("Contact progress fragment", "casemanager1", "GET",
     lambda s: Req(f"/members/{s.member}/contact/progress", htmx=True)),
    ("Contact message fragment", "casemanager1", "GET",
     lambda s: Req(f"/members/{s.member}/contact/message?method=text", htmx=True)),
    ("Contact row fragment", "casemanager1", "GET",
     lambda s: Req(f"/members/{s.member}/contact/{s.contact}", htmx=True)),
    ("Contact edit form", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/contact/{s.contact}/edit")),
    ("Member record: Documents", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/documents")),
    ("Documents: missing fragment", "casemanager1", "GET",
     lambda s: Req(f"/members/{s.member}/documents/missing", htmx=True)),
    ("Member record: Case", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/case")),
    ("Payments queue", "finance", "GET", lambda s: Req("/payments")),
    ("Payments: invoices to send", "finance", "GET", lambda s: Req("/payments?queue=to_invoice")),
    ("Screening page", "casemanager1", "GET", lambda s: Req("/members/%d/screenings/%d" % s.screening)),
    ("New screening form", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/screenings/new")),
    ("Referrals: new queue", "casemanager1", "GET", lambda s: Req("/referrals/?queue=new")),
    ("Referrals: waitlist queue", "casemanager1", "GET", lambda s: Req("/referrals/?queue=waitlist")),
    ("Referrals: enrolled queue", "casemanager1", "GET", lambda s: Req("/referrals/?queue=enrolled")),
    ("Referrals: closed queue", "casemanager1", "GET", lambda s: Req("/referrals/?queue=closed")),
    ("Referrals: closed queue, page 20", "casemanager1", "GET", lambda s: Req("/referrals/?queue=closed&page=20")),
    ("Referrals: filtered queue fragment", "casemanager1", "GET",
     lambda s: Req("/referrals/?queue=enrolled&language=es&service=rent", htmx=True)),
    ("Referrals search", "casemanager1", "POST", lambda s: Req("/referrals/", {"q": "garc", "queue": "closed"})),
    ("Referral page", "casemanager1", "GET", lambda s: Req(f"/referrals/{s.referral}")),
    ("Referrals: closed queue (coordinator)", "coordinator", "GET", lambda s: Req("/referrals/?queue=closed")),
    ("Batch assignment: this week", "coordinator", "GET", lambda s: Req("/referrals/assign")),
    ("Batch assignment: all", "coordinator", "GET", lambda s: Req("/referrals/assign?all=1")),
    ("Unable to reach list", "casemanager1", "GET", lambda s: Req("/contact/unable-to-reach")),
    ("Unable to reach CSV", "casemanager1", "GET", lambda s: Req("/contact/unable-to-reach.csv")),
    ("Unable to reach list (coordinator)", "coordinator", "GET", lambda s: Req("/contact/unable-to-reach")),
    ("Unable to reach CSV (coordinator)", "coordinator", "GET", lambda s: Req("/contact/unable-to-reach.csv")),
    ("Unable to reach CSV, every mark (coordinator)", "coordinator", "GET",
     lambda s: Req("/contact/unable-to-reach.csv?all=1")),
    ("Intake: new referral form", "casemanager1", "GET", lambda s: Req("/intake/new")),
    ("Member record: Plan", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/plan")),
    ("Plan: referrals fragment", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/plan/referrals", htmx=True)),
    ("Plan: a referral's status form", "casemanager1", "GET",
     lambda s: Req(f"/members/{s.member}/plan/referrals/{s.referral_out}/move?version=1", htmx=True)),
    ("Plan: member copy (PDF)", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/plan.pdf")),
    ("Plan: staff copy (PDF)", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/plan.pdf?copy=staff")),
    ("Admin audit trail", "admin", "GET", lambda s: Req("/admin/audit")),
    ("Admin audit trail, one member", "admin", "GET", lambda s: Req(f"/admin/audit?member={s.member}")),
    ("Member record: Follow-up", "casemanager1", "GET", lambda s: Req(f"/members/{s.member}/followup")),
    ("Follow-up: closing fragment", "casemanager1", "GET",
     lambda s: Req(f"/members/{s.member}/followup/closing", htmx=True)),
    ("Today: check-ins section", "casemanager1", "GET", lambda s: Req("/today/followup-check-ins", htmx=True)),
    ("Today: payer deadlines (coordinator)", "coordinator", "GET",
     lambda s: Req("/today/followup-deadlines", htmx=True)),
    ("Today: outcomes to report (coordinator)", "coordinator", "GET",
     lambda s: Req("/today/followup-unreported", htmx=True)),
    ("Today: the waitlist (coordinator)", "coordinator", "GET", lambda s: Req("/today/followup-waitlist", htmx=True)),
    ("Outcomes to report back (coordinator)", "coordinator", "GET", lambda s: Req("/outcomes")),
    ("Outcomes to report back CSV (coordinator)", "coordinator", "GET", lambda s: Req("/outcomes.csv")),
    ("The week (coordinator)", "coordinator", "GET", lambda s: Req("/week")),
    ("Check-ins calendar (.ics)", "casemanager1", "GET", lambda s: Req("/check-ins.ics")),
    ("Follow-up templates (admin)", "admin", "GET", lambda s: Req("/admin/followup-templates")),
    ("Reports index", "coordinator", "GET", lambda s: Req("/reports")),
    *[(f"Report: {key}", "coordinator", "GET", lambda s, key=key: Req(f"/reports/{key}"))
      for key in ("evaluation", "funnel", "waitlist", "deadlines", "outreach", "needs", "money", "caseload", "time")],
    *[(f"Report: {key}, ten years", "coordinator", "GET", lambda s, key=key: Req(f"/reports/{key}?{TEN_YEARS}"))
      for key in ("evaluation", "funnel", "waitlist", "money", "time")],
    ("Report: funnel (case manager)", "casemanager1", "GET", lambda s: Req("/reports/funnel")),
    ("Report: money (finance)", "finance", "GET", lambda s: Req("/reports/money")),
    ("Report chart: funnel", "coordinator", "GET", lambda s: Req("/reports/funnel/funnel.svg")),
    ("Report CSV: money", "coordinator", "GET", lambda s: Req("/reports/money/money.csv")),
    ("Timesheet: this week", "casemanager1", "GET", lambda s: Req("/time")),
    ("Billing export: last month", "finance", "GET",
     lambda s: Req(f"/billing/export.csv?payer_id=1&period=month&start={date.today().replace(day=1).isoformat()}")),
    ("Admin backups and verification", "admin", "GET", lambda s: Req("/admin/data/")),
    ("Admin restore", "admin", "GET", lambda s: Req("/admin/data/restore")),
]

FLOOR_PAGE = """<!doctype html><title>Members</title><table>{% for m in rows %}
<tr><td>{{ m.last_name }}, {{ m.first_name }}</td><td>{{ m.medicaid_id }}</td><td>{{ m.city }}</td></tr>
{% endfor %}</table>"""


def floor_app(uri: str) -> Flask:
    """The floor: a bare Flask + Flask-SQLAlchemy app listing 50 members, no sign-in, no layout."""
    app = Flask("floor")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    floor_db = SQLAlchemy(app)
    member = sa.Table("member", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                      *(sa.Column(name, sa.String) for name in ("first_name", "last_name", "medicaid_id", "city")))

    @app.get("/")
    def index():
        rows = floor_db.session.execute(sa.select(member).order_by(member.c.id).limit(50)).all()
        return render_template_string(FLOOR_PAGE, rows=rows)
    return app


@dataclass
class Target:
    """One benchmark database: its URL and the instance folder beside it (uploads, secret key)."""
    members: int
    years: int
    uri: str
    instance: Path
    schema: str | None = None
    seconds_to_seed: float | None = None

    def env(self) -> dict:
        return dict(os.environ, HRSN_DATABASE_URL=self.uri, HRSN_INSTANCE=str(self.instance))


def targets(args) -> list["Target"]:
    sizes = [(args.members, args.years)]
    if args.growth and args.members > 1000:
        sizes.append((1000, max(1, round(args.years * 1000 / args.members))))
    if not args.postgres:
        base = Path(args.db).resolve() if args.db else Path(tempfile.mkdtemp(prefix="hrsn-bench-")) / "bench.sqlite"
    found = []
    for size, years in sizes:
        if args.postgres:
            schema = f"bench_{size}_{years}y"
            glue = "&" if "?" in args.postgres else "?"
            found.append(Target(size, years, f"{args.postgres}{glue}options=-csearch_path%3D{schema}",
                                Path(tempfile.gettempdir()) / f"hrsn-bench-pg-{schema}", schema))
        else:
            path = base if size == args.members else base.with_name(f"{base.stem}-{size}-{years}y{base.suffix}")
            found.append(Target(size, years, f"sqlite:///{path}", path.with_name(f"{path.stem}-instance")))
    return found


def seeded_members(target: Target) -> int | None:
    engine = sa.create_engine(target.uri)
    try:
        with engine.connect() as conn:
            if target.schema:
                conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {target.schema}"))
                conn.commit()
            if not sa.inspect(conn).has_table("member"):
                return None
            return conn.execute(sa.text("SELECT count(*) FROM member")).scalar()
    finally:
        engine.dispose()


def prepare(target: Target, seed: int) -> None:
    """Seed the database with the real commands (migrations, then seed-demo) unless it is seeded already; a
    database seeded earlier is upgraded to the newest schema first, as `hrsn serve` does."""
    target.instance.mkdir(parents=True, exist_ok=True)
    count = seeded_members(target)          # (makes the PostgreSQL schema when it is missing)
    flask = [sys.executable, "-m", "flask", "--app", str(ROOT / "app.py")]
    upgrade = subprocess.run(flask + ["db", "upgrade"], env=target.env(), capture_output=True, text=True)
    if upgrade.returncode:
        sys.exit(f"flask db upgrade failed on {target.uri}:\n{upgrade.stderr}")
    if count:
        print(f"reusing {target.uri} ({count} members)", file=sys.stderr)
    else:
        started = time.perf_counter()
        subprocess.run(flask + ["seed-demo", "--members", str(target.members), "--years", str(target.years),
                                "--seed", str(seed), "--password", PASSWORD], env=target.env(), check=True)
        target.seconds_to_seed = time.perf_counter() - started
    if target.schema:
        # A PostgreSQL server keeps its planner's statistics by autovacuum; this one may have it off: as if on.
        engine = sa.create_engine(target.uri)
        with engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names(schema=target.schema):
                conn.execute(sa.text(f'ANALYZE {target.schema}."{table}"'))
            conn.commit()
        engine.dispose()


def database_size(target: Target) -> str:
    if target.schema is None:
        path = Path(target.uri.removeprefix("sqlite:///"))
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    else:
        engine = sa.create_engine(target.uri)
        with engine.connect() as conn:
            size = conn.execute(sa.text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r'"),
                {"schema": target.schema}).scalar() or 0
        engine.dispose()
    files = list((target.instance / "uploads").glob("*.*"))
    return (f"{int(size) / 1e6:.0f} MB database, {len(files)} uploaded files "
            f"({sum(f.stat().st_size for f in files) / 1e6:.1f} MB)")


def desk_app(target: Target):
    """The app as `hrsn serve` runs it, start-up settled out of the garbage collector's way."""
    from hrsn import create_app
    from hrsn.cli import settle
    app = create_app({"INSTANCE_PATH": str(target.instance), "SQLALCHEMY_DATABASE_URI": target.uri,
                       "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    settle(app)
    return app


def sample(app, email: str) -> Sample:
    """The case manager's enrolled member with the most contacts (among those with a referral out still open, when
    there are), that member's latest referral, a contact the case manager logged, a screening (of that member when
    there is one) and a referral they were made, still open."""
    from hrsn.extensions import db
    from hrsn.models import OUT_PENDING, ContactAttempt, Member, Referral, ReferralOut, Screening, User
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
        mine = sa.select(Member.id).where(Member.assignee_id == user_id)
        enrolled = sa.select(Referral.member_id).where(Referral.status == "enrolled")
        # One with a referral out still open when there is one (the load asks for its status form; after runs
        # of the load the member with the most contacts may have none, and the form would be a 404).
        pending_out = sa.select(ReferralOut.member_id).where(ReferralOut.status.in_(OUT_PENDING))
        member = db.session.scalar(
            sa.select(ContactAttempt.member_id).where(ContactAttempt.member_id.in_(mine),
                                                      ContactAttempt.member_id.in_(enrolled))
            .group_by(ContactAttempt.member_id)
            .order_by(ContactAttempt.member_id.in_(pending_out).desc(), sa.func.count().desc(),
                      ContactAttempt.member_id).limit(1))
        referral = db.session.scalar(sa.select(Referral.id).where(Referral.member_id == member)
                                     .order_by(Referral.received_on.desc(), Referral.id.desc()).limit(1))
        # One of their own: only its author may open a contact's correction form.
        contact = db.session.scalar(sa.select(sa.func.max(ContactAttempt.id)).where(
            ContactAttempt.member_id == member, ContactAttempt.author_id == user_id))
        screening = db.session.execute(
            sa.select(Screening.member_id, Screening.id).where(Screening.member_id.in_(mine))
            .order_by((Screening.member_id == member).desc(), Screening.id.desc()).limit(1)).first()
        referral_out = db.session.scalar(sa.select(ReferralOut.id).where(
            ReferralOut.member_id == member, ReferralOut.status.in_(OUT_PENDING)).order_by(ReferralOut.id).limit(1))
        return Sample(member, referral, contact, tuple(screening) if screening else (member, 0), referral_out or 0)


class Queries:
    """Counts the statements the desk's engine runs, per request."""

    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


class Pauses:
    """The garbage collector's full collections (its oldest generation) and how long each took."""

    def __init__(self):
        self.took, self._started = [], 0.0
        gc.callbacks.append(self._seen)

    def _seen(self, phase, info):
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.took.append((time.perf_counter() - self._started) * 1000)

    def stop(self) -> str:
        gc.callbacks.remove(self._seen)
        longest = f", the longest {max(self.took):.0f} ms" if self.took else ""
        return f"{len(self.took)} full collection(s) by the garbage collector while the pages were timed{longest}"


def one(client, method: str, req: Req) -> tuple[float, int]:
    headers = {"HX-Request": "true"} if req.htmx else {}
    started = time.perf_counter()
    if method == "POST":
        response = client.post(req.path, data=req.form or {}, headers=headers)
    else:
        response = client.get(req.path, headers=headers)
    response.get_data()
    response.close()            # as a server does once the answer is sent
    return (time.perf_counter() - started) * 1000, response.status_code


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest timing that `share` of them do not exceed (of 20 timings, the
    95th percentile is the 19th; of 10, the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def time_pages(target: Target, repeat: int, pattern: str | None) -> tuple[dict, list[float], str]:
    """{label: (median, p95, queries, status)}, the floor's timings (the floor timed after each request) and the
    garbage collector's full collections meanwhile."""
    app = desk_app(target)
    floor = floor_app(target.uri).test_client()
    from hrsn.cli import IDLE_EVERY
    from hrsn.extensions import db
    with app.app_context():
        queries = Queries(db.engine)
    clients = {}
    for role in sorted({role for _label, role, _m, _b in PAGES}):
        clients[role] = app.test_client()
        signed = clients[role].post("/login", data={"email": f"{role}@demo.local", "password": PASSWORD})
        signed.close()          # as every answer: the server counts it sent, and so may fall idle
        assert signed.status_code == 302, f"{role} cannot sign in"
    chosen = sample(app, "casemanager1@demo.local")
    for _ in range(5):
        one(floor, "GET", Req("/"))
    chosen_pages = [(label, role, method, build(chosen)) for label, role, method, build in PAGES
                    if not pattern or re.search(pattern, label, re.I)]
    # A server that has been up a while: every page asked once (statements compiled, templates loaded), then a
    # quiet moment, in which the server's idle tidy-up settles what those first pages made to last.
    for _label, role, method, req in chosen_pages:
        one(clients[role], method, req)
    time.sleep(IDLE_EVERY + 1)
    results, floor_times, pauses = {}, [], Pauses()
    for label, role, method, req in chosen_pages:
        _ms, status = one(clients[role], method, req)           # warm-up: caches, first compilation
        times, before = [], queries.count
        for _ in range(repeat):
            ms, status = one(clients[role], method, req)
            times.append(ms)
            floor_times.append(one(floor, "GET", Req("/"))[0])
        results[label] = (statistics.median(times), percentile(times, .95),
                          (queries.count - before) / repeat, status)
        print(f"  {label:44} {results[label][0]:8.1f} ms", file=sys.stderr)
    collections = pauses.stop()
    with app.app_context():
        db.engine.dispose()
    return results, floor_times, collections


def machine() -> str:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()}-CPU machine ({model or platform.processor()}), Python {platform.python_version()}"


def report(main: Target, results: dict, floor: list[float], small: Target | None, growth: dict | None,
           repeat: int) -> None:
    floor_median = statistics.median(floor)
    engine = "PostgreSQL" if main.schema else f"SQLite {sqlite3.sqlite_version}"
    seeded = f"seeded in {main.seconds_to_seed:.0f} s" if main.seconds_to_seed else "seeded earlier"
    print(f"\n{date.today().isoformat()}, {machine()}, {engine}.")
    print(f"`seed-demo --members {main.members} --years {main.years}`: {seeded}; {database_size(main)}.")
    if small:
        print(f"Growth: beside `seed-demo --members {small.members} --years {small.years}` (the same agency earlier: "
              f"as many referrals a month, the same caseloads); {database_size(small)}.")
    print(f"Floor (bare Flask + Flask-SQLAlchemy, 50 members): median {floor_median:.1f} ms, "
          f"p95 {percentile(floor, .95):.1f} ms. Each page timed {repeat} times.\n")
    head = "| page | as | queries | median ms | p95 ms | median × floor | p95 × floor |"
    print(head + (f" growth from {small.members:,} members |" if growth else ""))
    print("|---" * (7 + bool(growth)) + "|")
    within = 0
    for label, (median, p95, queries, status) in results.items():
        role = next(r for lab, r, _m, _b in PAGES if lab == label).replace("casemanager1", "case manager")
        over = p95 / floor_median > 3
        within += not over and status == 200
        mark = "**" if over else ""
        cells = [label + ("" if status == 200 else f" (HTTP {status})"), role, f"{queries:.0f}", f"{median:.1f}",
                 f"{p95:.1f}", f"{median / floor_median:.1f}×", f"{mark}{p95 / floor_median:.1f}×{mark}"]
        if growth:
            small = growth.get(label)
            cells.append(f"{median / small[0]:.1f}×" if small else "")
        print("| " + " | ".join(cells) + " |")
    print(f"\n{within} of {len(results)} page shapes within 3× the floor's median at the 95th percentile "
          "(the others in bold).")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", help="SQLite file to seed once and reuse (the 1,000-member one sits beside it)")
    parser.add_argument("--postgres", help="PostgreSQL URL (postgresql+psycopg2://...) to run against instead")
    parser.add_argument("--growth", action="store_true",
                        help="also time a 1,000-member database over a tenth of the years")
    parser.add_argument("--load", action="store_true", help="then 20 clients at once against waitress")
    parser.add_argument("--seconds", type=int, default=60, help="length of the load")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--think", type=float, default=0,
                        help="seconds a client pauses between requests (on average); 0: none, the server saturated")
    parser.add_argument("--cold", action="store_true", help="then time `hrsn serve` from start to its first page")
    parser.add_argument("--pages", help="time only the pages whose label matches this regular expression")
    parser.add_argument("--serve", nargs=2, metavar=("URI", "INSTANCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        import load
        return load.serve(*args.serve)
    found = targets(args)
    for target in found:
        prepare(target, args.seed)
    main_target = found[0]
    results, floor, collections = time_pages(main_target, args.repeat, args.pages)
    small = found[1] if len(found) > 1 else None
    growth = time_pages(small, args.repeat, args.pages)[0] if small else None
    report(main_target, results, floor, small, growth, args.repeat)
    print(collections[0].upper() + collections[1:] + ".")
    if args.cold:
        import load
        load.cold_start(main_target)
    if args.load:
        import load
        load.run(Path(__file__).resolve(), main_target, PAGES, sample, statistics.median(floor), args)


if __name__ == "__main__":
    main()
