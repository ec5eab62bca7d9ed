"""URL table of the exam administration, under /exams/manage: trainers and administrators;
proctors reach the sessions list and the proctor board (views marked @roles_allowed)."""
from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import require_roles
from lms.exams.manage import views_design, views_results, views_run, views_sessions
from lms.exams.models import ATTEMPT_STATES

bp = require_roles(Blueprint("exam_admin", __name__, url_prefix="/exams/manage"), "trainer", "admin")
for module in (views_design, views_results, views_run, views_sessions):
    module.routes.register(bp)


@bp.context_processor
def _design_rights():
    # Proctors see the proctor board of a session and nothing else of it.
    return {"can_design": current_user.is_authenticated and current_user.has_role("trainer", "admin")}


@bp.app_template_filter("exam_state")
def exam_state_filter(state):
    return _("Chưa bắt đầu") if state == "not_started" else _(ATTEMPT_STATES.get(state, state))
