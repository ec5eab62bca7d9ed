"""URL table of the ranking pages under /rankings (HR officers and administrators)."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.rankings import views, views_formula  # noqa: F401  (its routes join views.routes)

bp = require_roles(Blueprint("rankings", __name__, url_prefix="/rankings"), "hr", "admin")
views.routes.register(bp)


@bp.app_template_filter("iso_localtime")
def iso_localtime(text):
    """An ISO 8601 moment of a ranking document as Hanoi time (dd/mm/yyyy HH:MM)."""
    from datetime import datetime

    from lms.localtime import format_local

    return format_local(datetime.fromisoformat(text), "%d/%m/%Y %H:%M") if text else ""
