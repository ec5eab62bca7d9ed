"""URL table of the account pages outside lms.auth.views: activation and password reset (public),
and HR's staff accounts (under /org/accounts, HR officers and administrators)."""
from flask import Blueprint

from lms.auth import activation_views, staff_account_views
from lms.auth.access import require_roles

activation_bp = Blueprint("activation", __name__)
activation_views.routes.register(activation_bp)

staff_accounts_bp = require_roles(Blueprint("staff_accounts", __name__, url_prefix="/org/accounts"), "hr", "admin")
staff_account_views.routes.register(staff_accounts_bp)
