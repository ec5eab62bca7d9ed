"""URL table of the exam administration, under /exams/manage: trainers and administrators;
proctors reach the sessions list and the proctor board (views marked @roles_allowed)."""
from flask import Blueprint
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import require_roles
from lms.exams.manage import views_design, views_results, views_run, views_sessions
from lms.exams.models import ATTEMPT_STATES

bp = require_roles(Blueprint("exam_admin", __name__, url_prefix="/exams/manage"), "trainer", "admin")

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
SESSION = "/sessions/<int:session_id>"
ROUTES = (
    ("/", views_sessions.index, GET),
    ("/blueprints/new", views_design.blueprint_form, BOTH),
    ("/blueprints/<int:blueprint_id>/edit", views_design.blueprint_form, BOTH),
    ("/blueprints/<int:blueprint_id>", views_design.blueprint_detail, GET),
    ("/blueprints/<int:blueprint_id>/delete", views_design.blueprint_delete, POST),
    ("/sessions/new", views_sessions.session_form, BOTH),
    (SESSION + "/edit", views_sessions.session_form, BOTH),
    (SESSION, views_sessions.session_detail, GET),
    (SESSION + "/candidates/by-unit", views_sessions.candidates_by_unit, POST),
    (SESSION + "/candidates/import", views_sessions.candidates_import, POST),
    (SESSION + "/candidates/<int:candidate_id>", views_sessions.candidate_update, POST),
    (SESSION + "/candidates/<int:candidate_id>/remove", views_sessions.candidate_remove, POST),
    (SESSION + "/predraw", views_sessions.session_predraw, POST),
    (SESSION + "/release", views_sessions.session_release, POST),
    (SESSION + "/proctor", views_run.proctor, GET),
    (SESSION + "/proctor.json", views_run.proctor_data, GET),
    (SESSION + "/candidates/<int:candidate_id>/extra-time", views_run.extra_time, POST),
    (SESSION + "/attempts/<int:attempt_id>/reopen", views_run.reopen, POST),
    (SESSION + "/grading", views_run.grading_queue, GET),
    (SESSION + "/attempts/<int:attempt_id>/grade", views_run.grade_attempt, BOTH),
    ("/uploads/<int:upload_id>", views_run.upload_download, GET),
    (SESSION + "/results", views_results.results, GET),
    (SESSION + "/results.<fmt>", views_results.results_export, GET),
    (SESSION + "/analysis", views_results.analysis, GET),
    (SESSION + "/analysis.<fmt>", views_results.analysis_export, GET),
    (SESSION + "/questions/<int:question_id>/regrade", views_results.regrade, BOTH),
    (SESSION + "/score-changes", views_results.score_changes, GET),
)
for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)


@bp.context_processor
def _design_rights():
    # Proctors see the proctor board of a session and nothing else of it.
    return {"can_design": current_user.is_authenticated and current_user.has_role("trainer", "admin")}


@bp.app_template_filter("exam_state")
def exam_state_filter(state):
    return _("Chưa bắt đầu") if state == "not_started" else _(ATTEMPT_STATES.get(state, state))
