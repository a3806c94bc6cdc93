"""Every model of the app, one module per workflow area, all importable from here."""
from hrsn.models.core import (  # noqa: F401
    AUDIT_ACTIONS, CASELOAD_ROLES, LANGUAGES, ROLE_AREAS, ROLES, SEES_ALL_MEMBERS, AuditEvent, Role, Setting, Throttle, User,
    fold,
    Versioned, local_day, local_today, utcnow,
)
from hrsn.models.intake import (  # noqa: F401
    OPEN_STATUSES, Member, Payer, Referral, ServiceType, TRIAGE_LABELS, TriageDecision, URGENCY_LABELS, name_key,
    of_latest_referral,
)
from hrsn.models.contact import *  # noqa: F401,F403
from hrsn.models.documents import *  # noqa: F401,F403
from hrsn.models.outreach import *  # noqa: F401,F403
from hrsn.models.screening import *  # noqa: F401,F403
from hrsn.models.cases import *  # noqa: F401,F403
from hrsn.models.payments import *  # noqa: F401,F403
from hrsn.models.directory import *  # noqa: F401,F403
from hrsn.models.directory_places import *  # noqa: F401,F403
from hrsn.models.followup import *  # noqa: F401,F403
from hrsn.models.plan import *  # noqa: F401,F403
from hrsn.models.time import *  # noqa: F401,F403
from hrsn.models.milestones import *  # noqa: F401,F403
from hrsn.models.durable import *  # noqa: F401,F403
