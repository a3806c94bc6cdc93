"""The concurrent load of bench_pages.py: the desk under waitress in a process of its own, and clients over
HTTP, each signed in with its own session, reading pages (80%) and changing data (20%)."""
import http.client
import logging
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import sqlalchemy as sa

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
SERVER_THREADS = 8


def serve(uri: str, instance: str) -> None:
    """Run in the server process: the desk as it is deployed (CSRF and rate limits on), on a free port."""
    from waitress.server import create_server

    from hrsn import create_app
    from hrsn.cli import settle
    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench-load"})
    settle(app)
    # Waitress warns at every request while its queue is not empty: under this load, always. The report says it.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app, host="127.0.0.1", port=0, threads=SERVER_THREADS)
    print(f"PORT {server.effective_port}", flush=True)
    server.run()


def cold_start(target, times: int = 3) -> None:
    """`hrsn serve` started as an agency starts it, timed from the command to its first page (the sign-in page),
    with the server's memory then; `times` starts, the median reported."""
    import socket
    seconds, memory = [], []
    for _ in range(times):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        started = time.monotonic()
        server = subprocess.Popen([sys.executable, "-m", "hrsn.cli", "serve", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=target.env())
        try:
            while time.monotonic() - started < 60:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/login")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.01)
            seconds.append(time.monotonic() - started)
            memory.append(_resident(server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"\nCold start: `hrsn serve` answered its sign-in page {statistics.median(seconds):.2f} s after it was "
          f"started (median of {times}; {', '.join(f'{s:.2f}' for s in seconds)} s), "
          f"{statistics.median(memory):.0f} MB resident then.")


def _resident(pid: int) -> float:
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


class Client:
    """One person at a keyboard: a keep-alive connection, their own cookies and the CSRF token of the last page."""

    def __init__(self, port: int):
        self.port, self.conn, self.cookies, self.token = port, None, {}, None
        self.kind = "read"         # what the workload is doing: "read" or "change"
        self.samples = []          # (kind, ms, status)

    def request(self, method: str, path: str, form: dict | None = None, htmx: bool = False) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(dict(form, csrf_token=self.token or ""), doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        try:
            self.conn = self.conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            self.conn = None
            self.samples.append((self.kind, (time.perf_counter() - started) * 1000, type(error).__name__))
            return 0, ""
        self.samples.append((self.kind, (time.perf_counter() - started) * 1000, status))
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = data.decode("utf-8", "replace") if "html" in (response.getheader("Content-Type") or "") else ""
        if match := TOKEN.search(text):
            self.token = match.group(1) or match.group(2)
        return status, text

    def sign_in(self, email: str, password: str) -> None:
        self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"{email} could not sign in (HTTP {status})")
        self.request("GET", "/")        # the token of the signed-in session
        self.samples.clear()            # signing in is not part of the workload


class Work:
    """What one client may change: its own members, checklist items and referrals, shared with no other client."""

    def __init__(self, members, items, referrals, zone):
        self.members, self.items, self.referrals, self.zone = members, items, referrals, zone

    def writes(self):
        return [w for w, ok in ((self.log_contact, self.members), (self.move_item, self.items),
                                (self.triage, self.referrals)) if ok]

    def log_contact(self, client, rng):
        member = rng.choice(self.members)
        now = datetime.now(self.zone).strftime("%Y-%m-%dT%H:%M")
        return client.request("POST", f"/members/{member}/contact", {
            "at": now, "method": "phone", "direction": "outbound", "outcome": rng.choice(["reached", "no_answer"]),
            "minutes": "12", "activity": "navigation", "note": "Load test: checked in."})

    def move_item(self, client, rng):
        item = rng.choice(self.items)
        member, item_id, status = item
        to = "needed" if status == "requested" else "requested"
        result = client.request("POST", f"/members/{member}/documents/items/{item_id}/move", {"to": to})
        if result[0] < 400:
            self.items[self.items.index(item)] = (member, item_id, to)
        return result

    def triage(self, client, rng):
        referral = rng.choice(self.referrals)
        referral_id, status = referral
        decision, to = ("decline", "declined") if status == "waitlist" else ("waitlist", "waitlist")
        result = client.request("POST", f"/referrals/{referral_id}/triage",
                                {"decision": decision, "reason": "Load test: funds for next month."})
        if result[0] < 400:
            self.referrals[self.referrals.index(referral)] = (referral_id, to)
        return result


# A member whose latest episode is closed is read-only (423): the load changes only open records.
OPEN_RECORD = ("m.id NOT IN (SELECT e.member_id FROM member_episode e WHERE e.closed_on IS NOT NULL AND NOT EXISTS "
               "(SELECT 1 FROM member_episode l WHERE l.member_id = e.member_id AND l.number > e.number))")


def shares(uri: str, clients: list[str], zone) -> list[Work]:
    """Split each account's open members (and their items and triageable referrals) between its clients."""
    engine = sa.create_engine(uri)
    works = []
    with engine.connect() as conn:
        for email in set(clients):
            mine = [n for n, e in enumerate(clients) if e == email]
            user_id = conn.execute(sa.text("SELECT id FROM \"user\" WHERE email = :e"), {"e": email}).scalar()
            members = conn.execute(sa.text(
                "SELECT DISTINCT m.id FROM member m JOIN referral r ON r.member_id = m.id "
                f"WHERE r.status = 'enrolled' AND (m.assignee_id = :u OR :coordinator) AND {OPEN_RECORD} "
                "ORDER BY m.id"),
                {"u": user_id, "coordinator": "coordinator" in email}).scalars().all()
            for k, slot in enumerate(mine):
                own = members[k::len(mine)][:50]
                items = conn.execute(sa.text(
                    "SELECT member_id, id, status FROM checklist_item WHERE status IN ('needed', 'requested') "
                    f"AND member_id IN ({','.join(map(str, own)) or 'NULL'})")).all()
                referrals = conn.execute(sa.text(
                    "SELECT r.id, r.status FROM referral r JOIN member m ON m.id = r.member_id "
                    f"WHERE r.status IN ('new', 'waitlist', 'declined') AND {OPEN_RECORD} AND "
                    + ("m.assignee_id IS NULL" if "coordinator" in email else "m.assignee_id = :u")
                    + " ORDER BY r.id"), {"u": user_id}).all()[k::len(mine)]
                # Coordinators' members are also case managers' members: they leave the checklists to them.
                items = [] if "coordinator" in email else [tuple(i) for i in items]
                works.append((slot, Work(list(own), items, [tuple(r) for r in referrals], zone)))
    engine.dispose()
    return [w for _slot, w in sorted(works, key=lambda pair: pair[0])]


def run(script, target, pages, sample, floor_median: float, args) -> None:
    from bench_pages import PASSWORD, desk_app
    server = subprocess.Popen([sys.executable, str(script), "--serve", target.uri, str(target.instance)],
                              stdout=subprocess.PIPE, text=True, env=target.env())
    try:
        port = int(server.stdout.readline().split()[1])
        _report(_drive(port, target, pages, sample, args, desk_app, PASSWORD), server.pid, floor_median, args)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _drive(port, target, pages, sample, args, desk_app, password) -> list[Client]:
    emails = [f"casemanager{n}@demo.local" for n in range(1, 100)]
    app = desk_app(target)
    from hrsn.extensions import db
    from hrsn.models import User
    with app.app_context():
        known = set(db.session.scalars(sa.select(User.email)))
        zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    case_managers = [e for e in emails if e in known]
    # Most clients are case managers; one in ten is a coordinator.
    accounts = ["coordinator@demo.local" if n % 10 == 9 else case_managers[n % len(case_managers)]
                for n in range(args.clients)]
    samples = {email: sample(app, email if "casemanager" in email else "casemanager1@demo.local")
               for email in set(accounts)}
    works = shares(target.uri, accounts, zone)
    clients = [Client(port) for _ in accounts]
    for client, email in zip(clients, accounts):
        client.sign_in(email, password)
    deadline = time.monotonic() + args.seconds

    def session(client, email, work, seed):
        rng = random.Random(seed)
        role = "coordinator" if "coordinator" in email else "casemanager1"
        reads = [(m, build(samples[email])) for _label, r, m, build in pages if r == role]
        writes = work.writes()
        while time.monotonic() < deadline:
            if args.think:              # a person reads the page before the next click
                time.sleep(rng.uniform(.5, 1.5) * args.think)
            if rng.random() < .8 or not writes:
                client.kind = "read"
                method, req = rng.choice(reads)
                client.request(method, req.path, req.form, req.htmx)
            else:
                client.kind = "change"
                rng.choice(writes)(client, rng)
    threads = [threading.Thread(target=session, args=(c, e, w, n)) for n, (c, e, w)
               in enumerate(zip(clients, accounts, works))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    args.elapsed = time.monotonic() - started
    return clients


def _memory(pid: int) -> str:
    try:
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        return "unknown"
    peak = re.search(r"VmHWM:\s+(\d+)", status)
    now = re.search(r"VmRSS:\s+(\d+)", status)
    return f"{int(now.group(1)) / 1024:.0f} MB resident at the end, peak {int(peak.group(1)) / 1024:.0f} MB"


def _report(clients: list[Client], pid: int, floor_median: float, args) -> None:
    samples = [s for c in clients for s in c.samples]
    statuses = Counter(status for _m, _ms, status in samples)
    errors = {s: n for s, n in statuses.items() if not isinstance(s, int) or s >= 400}
    pace = (f"each pausing {args.think / 2:g} to {args.think * 1.5:g} s before each request, as a person reads the "
            f"page" if args.think else "each sending its next request as soon as the last is answered")
    print(f"\nConcurrent load: {args.clients} clients for {args.elapsed:.0f} s against waitress "
          f"({SERVER_THREADS} threads), {pace}; 80% page reads, 20% changes (contacts, checklist moves, triage).\n")
    print("| requests | per second | errors | p50 ms | p95 ms | p99 ms | p95 × floor |")
    print("|---|---|---|---|---|---|---|")
    for label, chosen in (("all", samples), ("reads", [s for s in samples if s[0] == "read"]),
                          ("changes", [s for s in samples if s[0] == "change"])):
        times = [ms for _m, ms, _s in chosen]
        if not times:
            continue
        failed = sum(1 for _m, _ms, s in chosen if not isinstance(s, int) or s >= 400)
        q = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        print(f"| {len(times)} {label} | {len(times) / args.elapsed:.1f} | {failed} | {q[49]:.0f} | {q[94]:.0f} | "
              f"{q[98]:.0f} | {q[94] / floor_median:.0f}× |")
    print(f"\nStatus codes: {dict(sorted(statuses.items(), key=str))}; errors: {errors or 'none'}. "
          f"Server memory: {_memory(pid)}.")
