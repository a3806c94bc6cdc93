"""The printed Health Action Plan, in the member's preferred language whatever the staff's: the member copy
(plain language, no staff notes, no internal ids) and the staff copy (everything). Downloading one is recorded;
giving or mailing the member copy is logged as a contact in one click."""
from flask import g, make_response, url_for
from flask_babel import force_locale, format_date, gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hrsn import audit, params, pdf, settings
from hrsn.access import owned
from hrsn.extensions import db
from hrsn.models import (BENEFIT_PROGRAMS, COPY_KINDS, DELIVERED_WHAT, GOAL_STATUSES, LANGUAGES, NEED_DOMAINS,
                         NEED_PRIORITIES, NEED_SOURCES, NEED_STATUSES, OUT_PENDING, OUT_STATUSES, REFERRAL_METHODS,
                         SUPPORT_ROLES, ContactAttempt, Goal, GoalProgress, Need, PlanCopy, ReferralOut,
                         ReferralOutStep, Referral, local_today, note_member_copy, utcnow)
from hrsn.plan import bp, rules
from hrsn.plan.forms import COPY_GIVEN, CopyContactForm
from hrsn.plan.views import for_work, header_context, write_in_get
from hrsn.render import changed, refused

MAX_ROWS = 500          # a plan longer than this prints its newest rows (the staff page lists them all)


def member_locale(member) -> str:
    return member.preferred_language if member.preferred_language in LANGUAGES else "en"


def _memo_of() -> dict:
    """What one document has already translated and formatted (a long plan repeats the same days and labels);
    kept on the request, so two documents in two languages never share it."""
    if "_plan_memo" not in g:
        g._plan_memo = {}
    return g._plan_memo


def _day(value) -> str:
    if not value:
        return ""
    memo = _memo_of()
    if value not in memo:
        memo[value] = format_date(value, "medium")
    return memo[value]


def _label(table, key) -> str:
    if key is None:
        return ""
    memo = _memo_of()
    found = memo.get((id(table), key))
    if found is None:
        found = memo[(id(table), key)] = str(table.get(key, key))
    return found


def plan_data(member, staff: bool = True) -> dict:
    """Everything the printed plan shows, read in a fixed number of queries (the member copy reads no history)."""
    needs = db.session.scalars(select(Need).where(Need.member_id == member.id)
                               .order_by(Need.status.in_(("met", "not_met", "declined")), Need.priority, Need.id)
                               .limit(MAX_ROWS)).all()
    goal_options = [selectinload(Goal.needs)]
    out_options = [selectinload(ReferralOut.need)]
    if staff:
        goal_options.append(selectinload(Goal.progress).selectinload(GoalProgress.by))
        out_options += [selectinload(ReferralOut.owner), selectinload(ReferralOut.steps).selectinload(ReferralOutStep.by)]
    goals = db.session.scalars(select(Goal).where(Goal.member_id == member.id).options(*goal_options)
                               .order_by(Goal.id).limit(MAX_ROWS)).all()
    outs = db.session.scalars(select(ReferralOut).where(ReferralOut.member_id == member.id).options(*out_options)
                              .order_by(ReferralOut.made_on, ReferralOut.id).limit(MAX_ROWS)).all()
    received = db.session.scalars(select(Referral).where(Referral.member_id == member.id)
                                  .options(selectinload(Referral.services))
                                  .order_by(Referral.received_on).limit(50)).all() if staff else []
    return {"member": member, "plan": rules.plan_row(member), "needs": needs, "goals": goals, "outs": outs,
            "received": received, "counts": rules.summary(member), "cases": rules.own_cases(member),
            "preferences": rules.preferences_of(member), **_extras(member, staff)}


def _extras(member, staff: bool) -> dict:
    found = rules.for_the_printout(member, MAX_ROWS)
    return found if staff else dict(found, barriers=[])


def document(data: dict, kind: str, locale: str) -> dict:
    """The plan as translated strings, for pdf.action_plan_pdf (called inside force_locale(locale))."""
    member, plan, staff = data["member"], data["plan"], kind == "staff"
    counts = data["counts"]
    org, phone = settings.get("org_name") or "", settings.get("org_phone") or ""
    manager = member.assignee.name if member.assignee else ""
    today = _day(local_today())
    title = _("Health Action Plan · staff copy") if staff else _("My Health Action Plan")
    intro = [org, " · ".join(p for p in (settings.get("org_address"), phone, settings.get("org_email")) if p),
             _("For: %(name)s", name=member.full_name) + " · " + _("Printed %(day)s", day=today)]
    if staff:
        intro.append(_("Member %(n)d", n=member.id) + (f" · Medicaid {member.medicaid_id}" if member.medicaid_id else ""))
    sections = []
    contact = [(_("Case manager") if staff else _("Your case manager"), manager), (_("Phone"), phone),
               (_("Callback hours"), settings.get("callback_hours") or ""),
               (_("Next check-in"), _day(plan.next_check_in_on) if plan and plan.next_check_in_on else
                _("We will call you to set it."))]
    prefs = data["preferences"]
    if prefs:
        contact += [(_("How to contact you"), prefs.contact_how), (_("When to contact you"), prefs.contact_when),
                    (_("What matters most to you"), prefs.what_matters)]
        if staff:
            contact += [(_("Language and interpreter"), prefs.language),
                        (_("Where to find the member if contact is lost"), prefs.where_to_find)]
    sections.append({"heading": _("How to reach us"), "pairs": contact})

    need_rows = []
    for need in data["needs"]:
        row = [_label(NEED_DOMAINS, need.domain), need.description or "", _label(NEED_STATUSES, need.status)]
        if staff:
            row += [_label(NEED_PRIORITIES, need.priority),
                    " · ".join(p for p in (_label(NEED_SOURCES, need.source), _day(need.source_on or need.identified_on)) if p),
                    need.staff_note or ""]
        need_rows.append(row)
    head = [_("Need"), _("What it is"), _("Status")]
    sections.append({"heading": _("Needs"), "empty": _("No needs recorded yet."), "table": {
        "head": head + ([_("Priority"), _("Source"), _("Staff note")] if staff else []),
        "rows": need_rows, "widths": [0.16, 0.3, 0.12, 0.1, 0.14, 0.18] if staff else [0.25, 0.55, 0.2]}})

    goal_rows = []
    for goal in data["goals"]:
        row = [goal.text, ", ".join(_label(NEED_DOMAINS, n.domain) for n in goal.needs), _day(goal.target_on),
               _label(GOAL_STATUSES, goal.status)]
        if staff:
            row.append("\n".join(f"{_day(p.on)}: {p.text}" for p in goal.progress[-5:]))
        goal_rows.append(row)
    sections.append({"heading": _("Goals, in your own words") if not staff else _("Goals, in the member's words"),
                     "empty": _("No goals recorded yet."), "table": {
                         "head": [_("Goal"), _("For"), _("Target date"), _("Status")] + ([_("Progress")] if staff else []),
                         "rows": goal_rows,
                         "widths": [0.3, 0.15, 0.12, 0.13, 0.3] if staff else [0.45, 0.2, 0.15, 0.2]}})

    if data["cases"]:
        sections.append({"heading": _("Help from our organization"), "table": {
            "head": [_("Service"), _("For"), _("Where it stands")],
            "rows": [[c["service"], _label(NEED_DOMAINS, c["domain"]) if c["domain"] else "", c["progress"]]
                     for c in data["cases"]], "widths": [0.4, 0.25, 0.35]}})

    sections.append(referral_section(data, staff))
    if not staff:
        labels = [_("Phone"), _("Address"), _("Hours"), _("How to apply"), _("What to bring"), _("Expected wait"),
                  _("Cost")]
        blocks = []
        for out in data["outs"]:
            if out.status in OUT_PENDING:
                values = (out.phone, out.address, out.hours, out.how_to_apply, out.what_to_bring, out.wait, out.cost)
                pairs = [(k, v) for k, v in zip(labels, values) if v]
                if pairs:
                    blocks.append((" · ".join(p for p in (out.organization_name, out.service_name) if p), pairs))
        if blocks:
            sections.append({"heading": _("How to use each referral"), "blocks": blocks})
    if staff and data["received"]:
        sections.append({"heading": _("Referrals received"), "table": {
            "head": [_("Received"), _("Services"), _("Status")],
            "rows": [[_day(r.received_on), ", ".join(s.label(locale) for s in r.services), r.status_label]
                     for r in data["received"]], "widths": [0.2, 0.5, 0.3]}})

    support_rows = [[s.name, _label(SUPPORT_ROLES, s.role), s.relation or ""]
                    + ([s.contact or "", _("Yes") if s.sharing_allowed else _("No")] if staff else [])
                    for s in data["supports"]]
    sections.append({"heading": _("Your care team and supports") if not staff else _("Care team and supports"),
                     "empty": _("No one recorded yet."), "table": {
                         "head": [_("Name"), _("Role"), _("Relationship")]
                         + ([_("Contact"), _("Sharing allowed")] if staff else []),
                         "rows": support_rows,
                         "widths": [0.25, 0.2, 0.2, 0.2, 0.15] if staff else [0.4, 0.3, 0.3]}})
    if data["benefits"]:
        sections.append({"heading": _("Benefits you receive"), "lines": [
            " · ".join(p for p in (_label(BENEFIT_PROGRAMS, b.program), b.detail) if p) for b in data["benefits"]]})
    if staff and data["barriers"]:
        sections.append({"heading": _("Barriers"), "lines": [
            " · ".join(p for p in (b.kind_label, b.note) if p) for b in data["barriers"]]})
    sections.append({"heading": _("How to ask for changes"), "lines": [
        _("This plan is yours. To change anything in it, call %(who)s at %(phone)s, or tell us at your next "
          "check-in. We will update the plan and give you a new copy.",
          who=manager or org or _("your case manager"), phone=phone or _("the number above"))]})
    if staff and plan and plan.signed_off_at:
        sections.append({"heading": _("Sign-off"), "lines": [_("Signed off by %(name)s on %(day)s",
                                                                 name=plan.signed_off_by.name if plan.signed_off_by else "—",
                                                                 day=_day(plan.signed_off_at.date()))]})
    summary_line = _("received %(received)d · made %(made)d · delivered %(delivered)d · pending %(pending)d · "
                     "not delivered %(not_delivered)d", **counts)
    return {"title": title, "organization": org, "intro": intro + ([summary_line] if staff else []),
            "header": f"{title} · {member.full_name} · {today}", "footer": org, "sections": sections}


def referral_section(data, staff: bool) -> dict:
    rows = []
    for out in data["outs"]:
        where = " · ".join(p for p in (out.organization_name, out.service_name) if p)
        status = _label(OUT_STATUSES, out.status)
        if out.status == "waitlisted" and out.expected_start_on:
            status += " · " + _("expected start %(day)s", day=_day(out.expected_start_on))
        if out.status in ("delivered", "receiving", "ended"):
            what = [str({**DELIVERED_WHAT.get(out.need.domain if out.need else "", {}), **DELIVERED_WHAT["*"]}
                        .get(code, code)) for code in out.delivered_codes]
            status += " · " + ", ".join(filter(None, [*what, out.delivered_note or ""]))
        row = [_day(out.made_on), where, _label(NEED_DOMAINS, out.need.domain) if out.need else "", status.strip(" ·")]
        if staff:
            consent = _("checked") if out.consent_checked and not out.consent_warning else \
                _("warning given: %(text)s", text=out.consent_warning or "")
            history = "\n".join(f"{_day(s.on or s.at.date())} {_label(OUT_STATUSES, s.to_status)}"
                                f"{' · ' + s.by.name if s.by else ''}" for s in out.steps)
            row += [" · ".join(p for p in (_label(REFERRAL_METHODS, out.method), consent,
                                           out.owner.name if out.owner else "", out.hl7_status) if p),
                    "\n".join(p for p in (out.reason, out.staff_note, history,
                                          _("Feedback: %(tip)s", tip=out.feedback_tip) if out.feedback_tip else "")
                              if p)]
        rows.append(row)
    return {"heading": _("Referrals to other organizations"), "empty": _("No referrals made yet."), "table": {
        "head": [_("Date"), _("Organization"), _("For"), _("Status")] + ([_("How · consent · owner"), _("Notes and history")] if staff else []),
        "rows": rows, "widths": [0.1, 0.2, 0.1, 0.2, 0.18, 0.22] if staff else [0.15, 0.4, 0.15, 0.3]}}


def plan_pdf(member, kind: str, locale: str | None = None) -> bytes:
    locale = locale or member_locale(member)
    data = plan_data(member, staff=kind == "staff")
    with force_locale(locale):
        g._plan_memo = {}
        try:
            return pdf.action_plan_pdf(document(data, kind, locale))
        finally:
            g._plan_memo = {}


@bp.get("/members/<int:member_id>/plan.pdf")
def download(member_id):
    for_work(member_id)                     # checks the access rule (refusals recorded)
    member = write_in_get(member_id)
    kind = params.one_of("copy", COPY_KINDS, "member")
    locale = params.one_of("language", LANGUAGES, member_locale(member))
    body = plan_pdf(member, kind, locale)
    copy = PlanCopy(member_id=member.id, kind=kind, language=locale, by_id=current_user.id)
    db.session.add(copy)
    if kind == "member":
        note_member_copy(member.id)
    db.session.flush()
    audit.record("download", member=member, record_type="PlanCopy", record_id=copy.id,
                 changes={"kind": [None, kind], "language": [None, locale]})
    db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="health-action-plan-{kind}-{locale}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/members/<int:member_id>/plan/copies/<int:copy_id>/contact")
def log_copy(member_id, copy_id):
    """The member copy given in person, mailed or emailed: one contact in the member's log."""
    member = for_work(member_id)
    copy = owned(PlanCopy, copy_id, member)
    form = CopyContactForm()
    if not form.validate_on_submit():
        return refused("plan/_header.html", "plan/_header.html", status=422, **header_context(member))
    if copy.contact_id is None:
        how = form.how.data
        contact = ContactAttempt(member_id=member.id, at=utcnow(), method=how, direction="outbound",
                                 outcome="reached" if how == "in_person" else "message_sent", activity="navigation",
                                 note=_("Health Action Plan, member copy: %(how)s.", how=str(COPY_GIVEN[how]).lower()),
                                 author_id=current_user.id)
        db.session.add(contact)
        db.session.flush()
        copy.contact_id = contact.id
        audit.add(contact, member=member, fields=["at", "method", "outcome", "note"])
        db.session.commit()
    return changed("plan/_header.html", message=_("The copy is logged as a contact."),
                   events=("contactLogged",), back_to=url_for("plan.tab", member_id=member.id),
                   **header_context(member))
