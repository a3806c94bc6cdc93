"""The documents step: the checklist, private uploads, third parties and eligibility (step 3)."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from hrsn import admin, settings

bp = Blueprint("documents", __name__)

settings.register("upload_max_mb", 15, _l("Largest file accepted, in MB"), minimum=1, maximum=100)

if "documents.templates" not in [link[0] for link in admin.LINKS]:
    admin.LINKS.append(("documents.templates", _l("Document checklists")))

from hrsn.documents import views, files, parties, checklists_admin  # noqa: E402,F401  (routes register on bp)
