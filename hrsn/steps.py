"""The one wiring list: every part of the app in working order, and what each adds to it.

Nothing registers itself when imported. A step's package defines its blueprint, forms, rules and Today sections;
this list decides which of them the app contains, the order of the member's tabs and of Today's sections, the
admin pages, the settings with their defaults, and which views receive files."""
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Flask, current_app
from flask_babel import lazy_gettext as _l

from hrsn.settings import Spec


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: object
    area: str               # the role area that may open it (see models.core.ROLE_AREAS)


@dataclass(frozen=True)
class Tab:
    key: str
    label: object
    endpoint: str           # takes member_id
    area: str


@dataclass(frozen=True)
class TodaySection:
    key: str
    build: Callable         # user -> today.Section | None
    refresh_on: tuple = ()  # htmx events after which the section reloads itself


@dataclass(frozen=True)
class Step:
    name: str
    blueprint: Blueprint
    nav: Link | None = None
    tab: Tab | None = None
    admin: tuple = ()           # Links on the admin page
    settings: tuple = ()        # Specs
    uploads: tuple = ()         # endpoints that receive a file (the upload size setting applies)
    header: tuple = ()          # member -> list of (label, value) for the record's header
    panels: dict = field(default_factory=dict)   # tab key -> templates shown at the top of that tab
    defaults: Callable | None = None    # creates what a new agency needs on day one (never touches edits)
    picks: tuple = ()           # endpoints (taking member_id) that receive a service picked in the directory's search


@dataclass
class Wiring:
    steps: list
    nav: list
    tabs: list
    admin: list
    settings: dict
    today: list
    uploads: frozenset
    header: list
    panels: dict
    picks: frozenset


def steps() -> list[Step]:
    from hrsn import (admin, auth, cases, contact, directory, documents, followup, intake, members, plan, referrals,
                      reports, screening, today)
    from hrsn.cases import defaults as cases_defaults, rules as cases_rules
    from hrsn.contact import defaults as contact_defaults, rules as contact_rules
    from hrsn.directory import rules as directory_rules
    from hrsn.followup import defaults as followup_defaults, rules as followup_rules
    from hrsn.documents import defaults as documents_defaults, rules as documents_rules
    from hrsn.intake import defaults as intake_defaults, rules as intake_rules
    from hrsn.plan import rules as plan_rules
    from hrsn.reports import rules as reports_rules
    from hrsn.screening import defaults as screening_defaults
    from hrsn.settings import ORGANIZATION
    return [
        Step("auth", auth.bp),
        Step("today", today.bp, nav=Link("today.index", _l("Today"), "today")),
        Step("members", members.bp, nav=Link("members.index", _l("Members"), "members")),
        Step("intake", intake.bp, tab=Tab("intake", _l("Intake"), "intake.tab", "intake"),
             settings=intake_rules.SETTINGS, defaults=intake_defaults.ensure),
        Step("referrals", referrals.bp, nav=Link("referrals.index", _l("Referrals"), "referrals")),
        Step("contact", contact.bp, tab=Tab("contact", _l("Contact"), "contact.tab", "contact"),
             admin=(Link("contact.templates", _l("Message templates"), "admin"),),
             settings=contact_rules.SETTINGS, header=(contact_rules.consent_in_header,),
             defaults=contact_defaults.ensure),
        Step("documents", documents.bp, tab=Tab("documents", _l("Documents"), "documents.tab", "documents"),
             admin=(Link("documents.templates", _l("Document checklists"), "admin"),),
             settings=documents_rules.SETTINGS, uploads=("documents.upload", "documents.replace"),
             defaults=documents_defaults.ensure),
        Step("screening", screening.bp, admin=(Link("screening.instruments", _l("Screening questionnaires"), "admin"),),
             panels={"documents": ("screening/_summary.html",)}, defaults=screening_defaults.ensure),
        Step("cases", cases.bp, nav=Link("cases.finance", _l("Payments"), "payments"),
             tab=Tab("case", _l("Case"), "cases.tab", "case"),
             admin=(Link("cases.funding_sources", _l("Funding sources"), "admin"),
                    Link("cases.limits", _l("Limits per payer and service"), "admin")),
             settings=cases_rules.SETTINGS, defaults=cases_defaults.ensure),
        Step("plan", plan.bp, tab=Tab("plan", _l("Plan"), "plan.tab", "plan"), settings=plan_rules.SETTINGS,
             picks=("plan.pick",), panels={"organization": ("plan/_organization.html",)}),
        Step("followup", followup.bp, nav=Link("followup.week", _l("Week"), "contact"),
             tab=Tab("followup", _l("Follow-up"), "followup.tab", "case"),
             admin=(Link("followup.templates", _l("Follow-up templates and payer deadlines"), "admin"),),
             settings=followup_rules.SETTINGS, header=(followup_rules.closed_in_header,),
             defaults=followup_defaults.ensure),
        # Any step may show a panel on an organization's page ("organization": its template gets `organization`).
        Step("directory", directory.bp, nav=Link("directory.index", _l("Directory"), "directory"),
             admin=(Link("directory.import_file", _l("Directory import and export"), "admin"),),
             settings=directory_rules.SETTINGS, uploads=("directory.import_file",)),
        Step("reports", reports.bp, nav=Link("reports.index", _l("Reports"), "reports"),
             admin=(Link("reports.payer_rules", _l("Billing units per payer"), "admin"),),
             settings=reports_rules.SETTINGS),
        # Time and its timesheets live in the reports step's blueprint, with a menu entry of their own.
        Step("time", reports.bp, nav=Link("reports.week", _l("Time"), "time")),
        Step("admin", admin.bp, nav=Link("admin.index", _l("Admin"), "admin"), settings=ORGANIZATION,
             admin=(Link("admin.users", _l("Staff accounts"), "admin"), Link("admin.payers", _l("Payers"), "admin"),
                    Link("admin.service_types", _l("Service types"), "admin"),
                    Link("admin.settings_page", _l("Settings"), "admin"),
                    Link("admin.audit_trail", _l("Audit trail"), "admin"))),
    ]


def today_sections() -> list[TodaySection]:
    """Today's sections in the order a person works through them."""
    from hrsn.cases import due as cases_due
    from hrsn.contact import rules as contact_rules
    from hrsn.documents import rules as documents_rules
    from hrsn.followup import rules as followup_rules
    from hrsn.plan import rules as plan_rules
    from hrsn.referrals import rules as referrals_rules
    paid = ("paymentRecorded",)
    closed = ("memberClosed", "outcomeReported")
    return [
        TodaySection("referrals", referrals_rules.today_waiting, ("referralChanged",)),
        TodaySection("outreach-due", contact_rules.today_attempts_due, ("contactLogged", "contactCorrected")),
        TodaySection("ready-unable", contact_rules.today_ready_unable, ("contactLogged", "memberChanged")),
        TodaySection("documents", documents_rules.today_awaited, ("documentsChanged",)),
        TodaySection("case-requests", cases_due.today_requests, ("requestChanged",)),
        TodaySection("case-approvals", cases_due.today_approvals, paid),
        TodaySection("case-checks", cases_due.today_checks, paid),
        TodaySection("case-invoices", cases_due.today_invoices, paid),
        TodaySection("followup-check-ins", followup_rules.today_check_ins, ("checkInChanged", "memberChanged")),
        TodaySection("case-due", cases_due.today_due, ("paymentRequested", "requestChanged")),
        TodaySection("case-ending", cases_due.today_ending, ("requestChanged",)),
        TodaySection("followup-deadlines", followup_rules.today_deadlines, ("contactLogged", "memberChanged")),
        TodaySection("plan-referrals", plan_rules.today_referrals_out, ("referralOutChanged",)),
        TodaySection("plan-reviews", plan_rules.today_reviews, ("planChanged",)),
        TodaySection("followup-unreported", followup_rules.today_unreported, closed),
        TodaySection("unable-report", contact_rules.today_to_report, ("memberChanged",)),
        TodaySection("followup-waitlist", followup_rules.today_waitlist, ("referralChanged", "memberChanged")),
        TodaySection("altered", documents_rules.today_altered),
    ]


def wire(app: Flask) -> None:
    found = steps()
    for step in found:
        if step.blueprint.name not in app.blueprints:      # a step may add a second menu entry to its blueprint
            app.register_blueprint(step.blueprint)
    # Settings: the organization's own first, then each step's, in the list's order.
    ordered = sorted(found, key=lambda s: s.name != "admin")
    panels: dict = {}
    for step in found:
        for tab_key, templates in step.panels.items():
            panels.setdefault(tab_key, []).extend(templates)
    app.extensions["hrsn"] = Wiring(
        steps=found,
        nav=[s.nav for s in found if s.nav],
        tabs=[s.tab for s in found if s.tab],
        admin=[link for s in found for link in s.admin],
        settings={spec.key: spec for s in ordered for spec in s.settings},
        today=today_sections(),
        uploads=frozenset(endpoint for s in found for endpoint in s.uploads),
        header=[fn for s in found for fn in s.header],
        panels=panels,
        picks=frozenset(endpoint for s in found for endpoint in s.picks),
    )


def ensure_defaults() -> None:
    """What a new agency needs before its first referral: each step's own, added to empty tables only.

    Run by the first-run page, by create-user and by seed-demo; the caller commits."""
    from hrsn.extensions import db
    for step in wiring().steps:
        if step.defaults is not None:
            step.defaults()
    db.session.flush()


def wiring() -> Wiring:
    return current_app.extensions["hrsn"]


def settings_specs() -> list[Spec]:
    return list(wiring().settings.values())
