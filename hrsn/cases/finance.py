"""Finance's queue: checks to pay, invoices to send, invoices awaiting acceptance and reimbursements outstanding,
each step recorded from here. It shows payments and what they are for, never a member's notes or documents."""
from flask_login import current_user

from hrsn import audit, params
from hrsn.access import require
from hrsn.cases import bp
from hrsn.cases.rules import QUEUES, queue_counts, queue_page
from hrsn.render import render


def queue_context(queue: str) -> dict:
    return {"queue": queue, "queues": QUEUES, "counts": queue_counts(current_user), "view": "queue",
            "page": queue_page(current_user, queue, params.page())}


@bp.get("/payments")
@require("payments")
def finance():
    queue = params.one_of("queue", QUEUES, "to_pay")
    audit.view_list("payments")
    return render("cases/finance.html", "cases/_queue.html", **queue_context(queue))
