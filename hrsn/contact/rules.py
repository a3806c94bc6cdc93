"""The contact step's rules and queries: its settings, the outreach rule's Today sections, consent in words,
the unable-to-reach list, and the pieces of the Contact tab."""
from datetime import timedelta

from flask_babel import format_date, gettext as _, lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.orm import contains_eager, joinedload

from hrsn import messages
from hrsn.access import rule_of, viewer, visible, visible_each
from hrsn.extensions import db
from hrsn.forms import clean_or_none
from hrsn.links import url_for
from hrsn.models import (OUTREACH_STATUSES, Consent, ContactAttempt, Member, PayerOutcomeWord, Referral,
                         SeverityAssessment, UnableToReach, consent_status, local_today)
from hrsn.paging import paginate
from hrsn.settings import Spec
from hrsn.statements import built_once, value

SETTINGS = (
    Spec("outreach_attempts", 3, _l("Outreach rule: attempts before unable to reach"), minimum=1, maximum=20),
    Spec("outreach_methods", 2, _l("Outreach rule: different methods before unable to reach"), minimum=1, maximum=6),
    Spec("outreach_days_between", 2, _l("Outreach rule: business days between attempts"), minimum=0, maximum=30),
)
LOG_PAGE = 25
AUDITED_FIELDS = ("at", "method", "direction", "outcome", "minutes", "activity", "interpreter_used",
                  "interpreter_language", "note", "message_subject", "message_text")


# The Contact tab ----------------------------------------------------------------------------------

# The Contact tab's statements are built once (hrsn.statements), the member's id bound when they run.
_LOG = (db.select(ContactAttempt).where(ContactAttempt.member_id == bindparam("member_id"))
        .options(joinedload(ContactAttempt.author)).order_by(ContactAttempt.at.desc(), ContactAttempt.id.desc()))
_CONSENTS = (db.select(Consent).where(Consent.member_id == bindparam("member_id"))
             .order_by(Consent.given_on.desc(), Consent.id.desc()))
_SEVERITY = db.select(SeverityAssessment).where(SeverityAssessment.member_id == bindparam("member_id"))


def contact_log(member, page_number: int = 1):
    return paginate(_LOG, page=page_number, per_page=LOG_PAGE, values={"member_id": member.id})


def offer_message(member, method, user) -> messages.Message | None:
    """The suggested email or text for an outreach attempt, in the member's language; None for other methods."""
    return messages.compose(member, method, user) if method in ("email", "text") else None


def fill_contact(contact, form) -> None:
    """Copy a checked contact form onto a contact; a message is kept only with the methods that send one."""
    contact.at, contact.minutes = form.at_utc, form.minutes_value
    for name in ("method", "direction", "outcome", "activity", "interpreter_used"):
        setattr(contact, name, getattr(form, name).data)
    contact.interpreter_language = clean_or_none(form.interpreter_language.data) if form.interpreter_used.data else None
    contact.note = clean_or_none(form.note.data)
    contact.message_subject = clean_or_none(form.message_subject.data) if form.method.data == "email" else None
    contact.message_text = clean_or_none(form.message_text.data) if form.method.data in ("email", "text") else None


def consent_history(member):
    return db.session.scalars(_CONSENTS, {"member_id": member.id}).all()


def severity_of(member):
    return db.session.scalar(_SEVERITY, {"member_id": member.id})


def consent_text(status, consent) -> str:
    """The consent status in a few words, for the header and the Contact tab."""
    if status == "valid":
        return (_("Valid until %(day)s", day=format_date(consent.expires_on)) if consent.expires_on
                else _("Valid, no expiry date"))
    if status == "expired":
        return _("Expired on %(day)s", day=format_date(consent.expires_on))
    if status == "withdrawn":
        return _("Withdrawn on %(day)s", day=format_date(consent.withdrawn_on))
    if status == "future":
        return _("Starts on %(day)s", day=format_date(consent.given_on))
    return _("None recorded")


def consent_in_header(member):
    return [(_("Consent"), consent_text(*consent_status(member)))]


# Today --------------------------------------------------------------------------------------------

@built_once
def _my_outreach(state: str):
    """The user's members whose latest open referral is in this outreach state (kept by models.outreach), in the
    order Today shows them."""
    query = (db.select(Referral).join(Referral.member)
             .where(Member.assignee_id == viewer(), Referral.status.in_(OUTREACH_STATUSES),
                    Referral.outreach_state == state)
             .options(contains_eager(Referral.member)))
    if state == "trying":
        return query.where(Referral.outreach_due_on <= value(local_today)).order_by(Referral.outreach_due_on,
                                                                                    Referral.id)
    return query.order_by(Referral.received_on, Referral.id)


def _tab_url(member):
    return url_for("contact.tab", member_id=member.id)


def today_attempts_due(user):
    if not user.can("contact"):
        return None
    from hrsn.today import Item, Section, first_lines
    day = local_today()
    items = []
    referrals, total = first_lines(_my_outreach("trying"))
    for referral in referrals:
        number, when = referral.outreach_attempts + 1, referral.outreach_due_on
        text = (_("Attempt %(n)d was due %(day)s", n=number, day=format_date(when)) if when < day
                else _("Attempt %(n)d is due today", n=number))
        items.append(Item(referral.member, text, _tab_url(referral.member), late=when < day))
    return Section("outreach-due", _("Outreach attempts due"), items, total=total)


def today_ready_unable(user):
    if not user.can("contact"):
        return None
    from hrsn.today import Item, Section, first_lines
    referrals, total = first_lines(_my_outreach("met"))
    items = [Item(r.member, _("%(a)d attempts by %(m)d methods: the outreach rule is met",
                              a=r.outreach_attempts, m=r.outreach_methods), _tab_url(r.member)) for r in referrals]
    return Section("ready-unable", _("Ready to mark unable to reach"), items, total=total)


# Unable to reach ---------------------------------------------------------------------------------

UNABLE_REASON = "unable_to_reach"      # the closing reason each payer's platform has its own words for


def payer_words(marks) -> dict:
    """{payer id: the payer's words for "unable to reach"} for the payers of these marks' referrals (one query)."""
    payers = {mark.referral.payer_id for mark in marks if mark.referral and mark.referral.payer_id}
    if not payers:
        return {}
    return dict(db.session.execute(db.select(PayerOutcomeWord.payer_id, PayerOutcomeWord.words).where(
        PayerOutcomeWord.payer_id.in_(payers), PayerOutcomeWord.reason == UNABLE_REASON)).all())


# What a mark's line shows besides the mark: its member, who marked it, its referral and that referral's payer.
MARK_LINE = (joinedload(UnableToReach.member), joinedload(UnableToReach.marked_by),
             joinedload(UnableToReach.referral).joinedload(Referral.payer))


def visible_marks(user):
    """Marks on the members this user may see."""
    return db.select(UnableToReach).where(visible(UnableToReach.member_id, user))


def unable_marks(user):
    """Marks on the members this user may see, with what their lines show loaded."""
    return visible_marks(user).options(*MARK_LINE)


@built_once
def _marks_to_report(sees: str):
    # The marks not yet reported are few: each asked whether the user may see its member.
    return (db.select(UnableToReach).where(UnableToReach.reported_on.is_(None),
                                           visible_each(UnableToReach.member_id, sees))
            .options(*MARK_LINE).order_by(UnableToReach.marked_on, UnableToReach.id))


def today_to_report(user):
    if not user.can("contact"):
        return None
    from hrsn.today import Item, Section, first_lines
    marks, total = first_lines(_marks_to_report(rule_of(user)))
    if not marks:
        return None
    late = local_today() - timedelta(days=7)
    items = [Item(mark.member, _("Unable to reach since %(day)s", day=format_date(mark.marked_on)),
                  url_for("contact.unable_list"), late=mark.marked_on < late) for mark in marks]
    return Section("unable-report", _("Unable to reach: report back to the payer"), items,
                   more_url=url_for("contact.unable_list"), total=total)
