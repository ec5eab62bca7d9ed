"""URL tables of certificates: the register and issuing under /certificates (HR officers and
administrators; a holder downloads their own), and the public verification pages."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.certificates import views, views_public, views_sessions

bp = require_roles(Blueprint("certificates", __name__, url_prefix="/certificates"), "hr", "admin")
for module in (views_sessions, views):
    module.routes.register(bp)

public_bp = Blueprint("verification", __name__)
views_public.routes.register(public_bp)
