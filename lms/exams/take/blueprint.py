"""URL table of the candidate's side, under /exams, for learners."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.exams.take import api, views

bp = require_roles(Blueprint("exams", __name__, url_prefix="/exams"), "learner")

ROUTES = (
    ("/", views.index, ("GET",)),
    ("/sessions/<int:session_id>", views.session_page, ("GET",)),
    ("/sessions/<int:session_id>/parts/<int:part_id>/start", views.start, ("POST",)),
    ("/attempts/<int:attempt_id>", views.take, ("GET",)),
    ("/attempts/<int:attempt_id>/submit", views.submit_form, ("POST",)),
    ("/attempts/<int:attempt_id>/result", views.result, ("GET",)),
    ("/attempts/<int:attempt_id>/questions/<int:question_id>/upload", views.upload, ("POST",)),
    ("/api/attempts/<int:attempt_id>/state", api.api_state, ("GET",)),
    ("/api/attempts/<int:attempt_id>/answers", api.api_save, ("POST",)),
    ("/api/attempts/<int:attempt_id>/flag", api.api_flag, ("POST",)),
    ("/api/attempts/<int:attempt_id>/submit", api.api_submit, ("POST",)),
)
for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)
