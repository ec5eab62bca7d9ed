"""URL table of the candidate's side, under /exams, for learners."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.exams.take import api, views

bp = require_roles(Blueprint("exams", __name__, url_prefix="/exams"), "learner")
for module in (api, views):
    module.routes.register(bp)

