"""URL table of the competency reports under /reports (HR officers and administrators)."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.reports import views, views_exports  # noqa: F401  (its routes join views.routes)

bp = require_roles(Blueprint("reports", __name__, url_prefix="/reports"), "hr", "admin")
views.routes.register(bp)
