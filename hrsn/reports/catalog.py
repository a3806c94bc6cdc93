"""Every report of the Reports page, in the order they are listed, and who may open each."""
from flask_babel import lazy_gettext as _l

from hrsn.models import Role
from hrsn.reports import evaluation, figures, followthrough
from hrsn.reports.tables import Report

EVERYONE = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CASE_MANAGER, Role.FINANCE})
CASEWORK = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CASE_MANAGER})
MONEY = frozenset({Role.ADMIN, Role.COORDINATOR, Role.FINANCE, Role.CASE_MANAGER})

REPORTS = {r.key: r for r in (
    Report("evaluation", _l("Referral evaluation"), evaluation.evaluation, EVERYONE,
           _l("Referrals made to other organizations and what came of them, for everyone who refers."),
           filters=("staff", "language"), scoped=False),
    Report("funnel", _l("Intake funnel"), figures.funnel, CASEWORK,
           _l("From referral received to reached, enrolled, service delivered and closed.")),
    Report("waitlist", _l("Waitlist over time"), figures.waitlist, CASEWORK,
           _l("Referrals waiting at the end of each month.")),
    Report("deadlines", _l("Deadlines and reporting back"), followthrough.deadlines, CASEWORK,
           _l("First contacts within each payer's deadline; outcomes reported back to payers and how long it took.")),
    Report("outreach", _l("Outreach compliance"), figures.outreach, CASEWORK,
           _l("Members closed as unable to reach, and whether the outreach rule was met first.")),
    Report("needs", _l("Needs of the caseload"), evaluation.needs, CASEWORK,
           _l("Needs by domain, priority and status; positive screenings; needs no organization meets."),
           filters=("staff", "language")),
    Report("money", _l("Money"), figures.money, MONEY,
           _l("Authorized, paid, invoiced, accepted, reimbursed and outstanding.")),
    Report("caseload", _l("Caseload"), figures.caseload, CASEWORK,
           _l("Active members per staff member, by language.")),
    Report("time", _l("Time by activity"), figures.time_by_activity, CASEWORK,
           _l("Hours per staff member and activity."), filters=("payer", "staff", "language")),
)}


def allowed(user) -> list[Report]:
    return [report for report in REPORTS.values() if user.role in report.roles]
