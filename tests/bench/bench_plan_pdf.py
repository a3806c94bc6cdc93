"""The printed Health Action Plan of a long plan: 30 needs, 30 goals and 60 referrals out (each with its history
and what the member needs to use it), in Spanish with accents, as the member copy and the staff copy.

    .venv/bin/python tests/bench/bench_plan_pdf.py [--needs 30] [--referrals 60] [--repeat 30]

Times building the PDF from the plan's records (the queries, the text in the member's language, and ReportLab's
layout with the embedded font), prints the median and the 95th percentile in milliseconds, the median CPU time
(steadier than the wall clock on a machine shared with other work) and the pages; asserts nothing (the figure goes
in the README; the target is at most 150 ms).
"""
import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import make_app, make_member, make_user, org_today  # noqa: E402
from hrsn.extensions import db  # noqa: E402
from hrsn.models import Goal, GoalProgress, Need, ReferralOut, Support  # noqa: E402

DOMAINS = ["housing", "food", "utilities", "transportation", "mental_health", "legal", "income", "child_care"]


def long_plan(member_id: int, user, needs: int, referrals: int) -> None:
    rows = [Need(member_id=member_id, domain=DOMAINS[i % len(DOMAINS)], priority=1 + i % 3,
                 description=f"Necesidad {i}: atrasos de renta y facturas de luz, pidió ayuda en español",
                 staff_note=f"Nota del personal {i}", source="conversation", identified_on=org_today())
            for i in range(needs)]
    db.session.add_all(rows)
    db.session.flush()
    for i in range(needs):
        goal = Goal(member_id=member_id, text=f"Quiero quedarme en mi apartamento con mis hijos ({i})",
                    target_on=org_today() + timedelta(days=90), created_by_id=user.id)
        goal.needs = [rows[i]]
        goal.progress = [GoalProgress(member_id=member_id, text="Pagó la mitad de la renta", by_id=user.id)]
        db.session.add(goal)
    for i in range(referrals):
        out = ReferralOut(member_id=member_id, need_id=rows[i % needs].id, made_on=org_today() - timedelta(days=40),
                          organization_name=f"Organización Núñez {i}", service_name="Despensa de alimentos",
                          method="warm_handoff", consent_checked=True, owner_id=user.id, phone="(503) 555-0100",
                          address="1200 Calle Mayor, Salem, OR 97301", hours="Lunes a viernes, 9:00–17:00",
                          how_to_apply="Llame antes de ir; pida una cita para la solicitud.",
                          what_to_bring="Identificación, contrato de alquiler y un talón de pago", wait="2 semanas",
                          cost="Gratis", staff_note="Contacto: Pat en la recepción")
        out.begin("sent", user)
        for to in ("accepted", "started", "delivered")[: i % 4]:
            out.move(to, user)
        if out.status == "delivered":
            out.delivered_what = "box,service"
        db.session.add(out)
    db.session.add_all(Support(member_id=member_id, name=f"Apoyo {i}", role="family", relation="hermana")
                       for i in range(5))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--needs", type=int, default=30)
    parser.add_argument("--referrals", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from pypdf import PdfReader
    import io
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        with app.app_context():
            user = make_user("case_manager", email="cm@bench.local", name="María José Núñez")
            member = make_member("Rosa", "Núñez Ibáñez", assignee=user, status="enrolled", preferred_language="es")
            long_plan(member.id, user, args.needs, args.referrals)
            from hrsn.plan.printout import plan_pdf
            with app.test_request_context():
                for kind in ("member", "staff"):
                    plan_pdf(member, kind)                 # the font is registered once, on the first document
                    times, cpu = [], []
                    for _i in range(args.repeat):
                        db.session.expire_all()
                        start, start_cpu = time.perf_counter(), time.process_time()
                        body = plan_pdf(member, kind)
                        times.append((time.perf_counter() - start) * 1000)
                        cpu.append((time.process_time() - start_cpu) * 1000)
                    times.sort()
                    pages = len(PdfReader(io.BytesIO(body)).pages)
                    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
                    print(f"{kind} copy, {args.needs} needs, {args.referrals} referrals: median "
                          f"{statistics.median(times):.0f} ms, p95 {p95:.0f} ms (CPU time: median "
                          f"{statistics.median(cpu):.0f} ms), {pages} pages, {len(body) // 1024} KiB")


if __name__ == "__main__":
    main()
