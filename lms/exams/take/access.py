"""The candidate's own attempt, as every request on it starts."""
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.errors import abort_message
from lms.exams.attempts import load_attempt
from lms.models_base import utcnow


def own_attempt(attempt_id):
    """(attempt, now): 404 for a missing attempt, 403 for somebody else's; then clocked, and
    locked unless the request only reads (see lms.exams.attempts.load_attempt)."""
    now = utcnow()
    attempt = load_attempt(attempt_id, now, writes=request.method != "GET", check=_check_owner)
    if attempt is None:
        abort(404)
    return attempt, now


def _check_owner(attempt):
    if attempt.candidate.user_id != current_user.id:  # a candidate without an account is nobody's
        abort_message(403, _("Bạn không có quyền truy cập bài thi này."))


def not_a_candidate():
    abort_message(403, _("Bạn không có tên trong danh sách thí sinh của kỳ thi này."))
