"""URL tables of notifications: a person's notices (every role), the outbox (administrators)."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.notifications import outbox_views, views

bp = require_roles(Blueprint("notifications", __name__, url_prefix="/notifications"), "learner", "trainer", "proctor", "hr", "admin")
views.routes.register(bp)

outbox_bp = require_roles(Blueprint("outbox", __name__, url_prefix="/admin/outbox"), "admin")
outbox_views.routes.register(outbox_bp)
