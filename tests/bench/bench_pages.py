"""Page timings on a large database: ten years of an agency's records.

    .venv/bin/python tests/bench/bench_pages.py [--members 6000] [--repeat 20]

Prints the median and 95th percentile per page; asserts nothing (figures go in the README).
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import make_app  # noqa: E402
from hrsn.extensions import db  # noqa: E402
from hrsn.models import Case, Member, User  # noqa: E402
from hrsn.seed import run  # noqa: E402


def pages(app):
    with app.app_context():
        cm = db.session.scalar(db.select(User).where(User.email == "casemanager1@demo.local"))
        member_id = db.session.scalar(db.select(Member.id).where(Member.assignee_id == cm.id).order_by(Member.id.desc()))
        referral_id = db.session.get(Member, member_id).latest_referral.id
        case_member = db.session.scalar(db.select(Case.member_id).join(Member, Case.member_id == Member.id)
                                        .where(Member.assignee_id == cm.id).order_by(Case.id.desc())) or member_id
    return [
        ("Today", "/"),
        ("Members list", "/members/"),
        ("Members search", "/members/", {"q": "garc"}),
        ("Member record: Intake", f"/members/{member_id}"),
        ("Member record: Contact", f"/members/{member_id}/contact"),
        ("Member record: Documents", f"/members/{member_id}/documents"),
        ("Member record: Case", f"/members/{case_member}/case"),
        ("Referrals queue", "/referrals/"),
        ("Referrals search", "/referrals/", {"q": "garc"}),
        ("Referral and its triage", f"/referrals/{referral_id}"),
    ]


# Pages finance works on, timed signed in as finance.
FINANCE = [("Payments queue (finance)", "/payments"), ("Invoices to send (finance)", "/payments?queue=to_invoice")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hrsn-bench-"))
    app = make_app(tmp)
    started = time.perf_counter()
    with app.app_context():
        run(members=args.members, password="bench pass phrase", rng_seed=7)
        db.session.remove()
        db.engine.dispose()      # closes the connections: the WAL is folded back into the database file
    print(f"seeded {args.members} members in {time.perf_counter() - started:.1f} s "
          f"({(tmp / 'test.sqlite').stat().st_size / 1e6:.1f} MB)")
    client = app.test_client()
    client.post("/login", data={"email": "casemanager1@demo.local", "password": "bench pass phrase"})
    finance = app.test_client()
    finance.post("/login", data={"email": "finance@demo.local", "password": "bench pass phrase"})
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8}  (signed in as a case manager, or as finance)")
    for label, url, *form in pages(app) + FINANCE:
        client_ = finance if "(finance)" in label else client
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client_.post(url, data=form[0]) if form else client_.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                print(f"{label}: HTTP {response.status_code}")
                break
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * .95))]
        print(f"{label:32} {statistics.median(times):10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
