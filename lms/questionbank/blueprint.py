"""URL table of the question banks, under /questionbank, for trainers and administrators; the
images are served under /media/questions/ (where the sanitiser lets <img src> point)."""
from flask import Blueprint

from lms.auth.access import require_roles
from lms.questionbank import media, views, views_transfer

bp = require_roles(Blueprint("questionbank", __name__, url_prefix="/questionbank"), "trainer", "admin")

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
ROUTES = (
    ("/", views.banks, GET),
    ("/banks/new", views.bank_create, BOTH),
    ("/banks/<int:bank_id>", views.bank_detail, GET),
    ("/banks/<int:bank_id>/share", views.bank_share, POST),
    ("/banks/<int:bank_id>/unshare/<int:user_id>", views.bank_unshare, POST),
    ("/questions/", views.questions, GET),
    ("/questions/bulk-status", views.bulk_status, POST),
    ("/banks/<int:bank_id>/questions/new/<qtype>", views.question_create, BOTH),
    ("/questions/<int:question_id>/edit", views.question_edit, BOTH),
    ("/questions/<int:question_id>", views.question_detail, GET),
    ("/questions/<int:question_id>/preview", views.question_preview, GET),
    ("/questions/<int:question_id>/history", views.question_history, GET),
    ("/questions/<int:question_id>/status", views.question_status, POST),
    ("/review/", views.review_queue, GET),
    ("/banks/<int:bank_id>/import", views_transfer.import_upload, BOTH),
    ("/banks/<int:bank_id>/import/<token>", views_transfer.import_confirm, POST),
    ("/banks/<int:bank_id>/export/<fmt>", views_transfer.export, GET),
    ("/xlsx-template", views_transfer.xlsx_template, GET),
    ("/banks/<int:bank_id>/images", media.image_upload, POST),
)
for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)


def _register_media_route(state):
    # Outside the /questionbank prefix, yet an endpoint of this blueprint, so that its role
    # gate (learners let through by the view's @roles_allowed) and the route tests cover it.
    state.app.add_url_rule("/media/questions/<int:image_id>", endpoint="questionbank.media", view_func=media.media)


bp.record_once(_register_media_route)
