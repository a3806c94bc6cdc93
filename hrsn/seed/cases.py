"""Demo cases: one at every status (waiting on the payer, authorized and paying, used up, on hold, denied), a month
split between two funding sources, an invoice rejected and corrected, a payer that accepts invoices before the
check, and payments from years ago for members whose earlier referral was closed."""
from datetime import datetime, time, timedelta

from hrsn.extensions import db
from hrsn.models import (Authorization, Case, FundingSource, Payer, Payment, ServiceRequest, ServiceType, local_today,
                         payee_choices, utcnow)

PATHS = {"pay_first": ("paid", "invoiced", "accepted", "reimbursed"),
         "invoice_first": ("invoiced", "accepted", "paid", "reimbursed")}


def seed(staff: dict, people: list, rng) -> None:
    sources = {s.name_en: s for s in db.session.scalars(db.select(FundingSource))}
    services = {s.code: s for s in db.session.scalars(db.select(ServiceType))}
    db.session.scalars(db.select(Payer).order_by(Payer.id.desc())).first().invoice_before_payment = True
    numbers = iter(range(1001, 10**6))
    today = local_today()
    for i, member in enumerate(m for m in people if m.status == "enrolled" and payee_choices(m)):
        who = member.assignee or staff["coordinator"]
        shape = i % 5
        case = _case(member.latest_referral, services["rent"], sources["HRSN"], who, today - timedelta(days=90 - shape),
                     status=("open", "open", "open", "on_hold", "closed")[shape])
        request = _request(case, who, case.opened_on + timedelta(days=3), ("submitted", "authorized", "authorized",
                                                                            "more_info", "denied")[shape])
        if request.status != "authorized":
            continue
        months = 6 if shape == 2 else 2                  # shape 2 uses its authorization up
        auth = Authorization(case_id=case.id, member_id=member.id, request_id=request.id, number=f"HR-{4000 + i}",
                             funding_source_id=sources["HRSN"].id, amount_cents=months * case.monthly_cents,
                             unit="months", quantity=months, start_on=case.opened_on.replace(day=1),
                             end_on=case.opened_on.replace(day=1) + timedelta(days=31 * months - 1))
        db.session.add(auth)
        db.session.flush()
        payee = payee_choices(member)[0]
        for month in range(months if shape == 2 else 1):
            period = (auth.start_on + timedelta(days=31 * month)).replace(day=1)
            share = case.monthly_cents if month or shape == 2 else case.monthly_cents // 2
            _payment(case, auth, sources["HRSN"], payee, share, period, staff, who, numbers, rng,
                     steps=4 if month < 3 else month - 2, reject=shape == 2 and month == 1)
            if share < case.monthly_cents:               # the other half of the first month from the county
                _payment(case, None, sources["County emergency rental assistance"], payee,
                         case.monthly_cents - share, period, staff, who, numbers, rng, steps=2)
    for member in people:                                # payments made during an earlier, closed episode
        old = [r for r in member.referrals if r.status == "closed" and r.received_on < today - timedelta(days=365)]
        if old and payee_choices(member):
            who = member.assignee or staff["coordinator"]
            case = _case(old[0], services["utility"], sources["Agency funds"], who, old[0].received_on, "closed")
            _payment(case, None, sources["Agency funds"], payee_choices(member)[-1], old[0].utility_owed_cents or 30000,
                     None, staff, who, numbers, rng, steps=4)
    db.session.flush()


def _case(referral, service, source, who, opened_on, status) -> Case:
    case = Case(member_id=referral.member_id, referral_id=referral.id, service_type_id=service.id, payer_id=referral.payer_id,
                funding_source_id=source.id, opened_on=opened_on, opened_by_id=who.id, rules_explained_on=opened_on,
                monthly_cents=referral.rent_per_month_cents or 120000)
    _stamp(case, case.begin("open", who), opened_on)
    if status != "open":
        _stamp(case, case.move(status, who, "Waiting for the new lease." if status == "on_hold" else
                               "Assistance complete."), opened_on + timedelta(days=60))
        case.closed_on = opened_on + timedelta(days=60) if status == "closed" else None
    db.session.add(case)
    db.session.flush()
    return case


def _request(case, who, sent_on, status) -> ServiceRequest:
    request = ServiceRequest(case_id=case.id, member_id=case.member_id, submitted_on=sent_on, submitted_by_id=who.id,
                             sent_to="The payer's HRSN team")
    _stamp(request, request.begin("submitted", who), sent_on)
    if status != "submitted":
        note = {"denied": "Rent is not past due yet.", "more_info": "A current rent ledger."}.get(status)
        _stamp(request, request.move(status, who, note), sent_on + timedelta(days=12))
        request.decided_on = sent_on + timedelta(days=12)
        request.denial_reason = note if status == "denied" else None
        request.info_requested = note if status == "more_info" else None
    db.session.add(request)
    db.session.flush()
    return request


def _payment(case, auth, source, payee, cents, period, staff, who, numbers, rng, steps, reject=False):
    """A payment walked through its payer's order as far as `steps`, each step dated a few days after the last."""
    day = min(max(period or case.opened_on, case.opened_on) - timedelta(days=5), local_today())
    payment = Payment(case_id=case.id, member_id=case.member_id, payee_id=payee.id, amount_cents=cents, period=period,
                      bill=None if period else "Past-due utility bill", funding_source_id=source.id,
                      authorization_id=auth.id if auth else None, requested_on=day, requested_by_id=who.id, case=case)
    _stamp(payment, payment.begin("requested", who), day)
    for to in PATHS[payment.order][:steps]:
        day = min(day + timedelta(days=rng.randint(2, 9)), local_today())
        number = str(next(numbers)) if to in ("paid", "invoiced") else None
        if to == "invoiced" and reject:
            _stamp(payment, payment.advance("invoiced", staff["finance"], day=day, number=f"INV-{number}"), day)
            _stamp(payment, payment.advance("rejected", staff["finance"], note="The member ID on the invoice was wrong."),
                   day)
            number = f"{number}-B"
        _stamp(payment, payment.advance(to, staff["finance"], day=day, cents=cents if to == "reimbursed" else None,
                                        number=f"INV-{number}" if to == "invoiced" else number), day)
    db.session.add(payment)


def _stamp(record, step, day) -> None:
    """History rows carry the day the step happened, not the day the demo was made."""
    step.at = record.status_at = min(datetime.combine(day, time(17, 0)), utcnow())
