"""Every model of the app, one module per workflow area, all importable from here."""
from hrsn.models.core import (  # noqa: F401
    AUDIT_ACTIONS, LANGUAGES, ROLE_AREAS, ROLES, AuditEvent, Setting, User, utcnow,
)
from hrsn.models.intake import (  # noqa: F401
    Member, Payer, Referral, ServiceType, TRIAGE_LABELS, TriageDecision, URGENCY_LABELS, name_key, urgency_rank,
)
from hrsn.models.contact import *  # noqa: F401,F403
from hrsn.models.documents import *  # noqa: F401,F403
from hrsn.models.screening import *  # noqa: F401,F403
