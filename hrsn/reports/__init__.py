"""Reports, time and billing: staff time and its weekly timesheets, the billing export for a payer, and the
organization's reports (funnel, outreach, money, caseload...), each with its chart, table and CSV (step 8)."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from hrsn.reports import billing, timesheet, views  # noqa: E402,F401  (routes register on this blueprint only)
