"""The candidate's own attempt, as every request on it starts."""
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.errors import abort_message
from lms.exams.attempts import ExamError, load_attempt, log_refusal
from lms.exams.starting import check_sitting
from lms.models_base import utcnow


def own_attempt(attempt_id, sitting=True):
    """(attempt, now): 404 for a missing attempt, 403 for somebody else's, and 403 for a request
    of the sitting (all but the result page's) that the session's conditions no longer allow
    (lms.exams.starting.check_sitting: from outside the allowed networks, a session withdrawn).
    Both checks run before anything is written; then the attempt is clocked, and locked unless
    the request only reads (see lms.exams.attempts.load_attempt)."""
    now = utcnow()
    writes = request.method != "GET"

    def check(attempt):
        _check_owner(attempt)
        if sitting:
            _check_sitting(attempt, now, writes)

    attempt = load_attempt(attempt_id, now, writes=writes, check=check)
    if attempt is None:
        abort(404)
    return attempt, now


def _check_owner(attempt):
    if attempt.candidate.user_id != current_user.id:  # a candidate without an account is nobody's
        abort_message(403, _("Bạn không có quyền truy cập bài thi này."))


def _check_sitting(attempt, now, writes):
    address = request.remote_addr or ""
    try:
        check_sitting(attempt.candidate.session, address)
    except ExamError as error:
        # A 403, not a 4xx the exam page drops answers on: a tablet that left the room's
        # network keeps its buffer and sends it again once back.
        if writes:  # what was sent from outside is on the attempt's record, for the proctors
            log_refusal(attempt, "request_refused", now, reason=error.code, ip=address[:64], path=request.path)
        abort_message(error.status, error.message)


def not_a_candidate():
    abort_message(403, _("Bạn không có tên trong danh sách thí sinh của kỳ thi này."))
