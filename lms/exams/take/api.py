"""The JSON API the exam page talks to: state, save (one answer or a batch), flag, submit.
Every reply carries the clock (remaining = deadline − server now). Routes in
lms.exams.take.blueprint."""
from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from lms.exams.attempts import ExamError, expire_attempt, save_answers, set_flag, submit_attempt
from lms.exams.models import AttemptQuestion
from lms.exams.take import queries
from lms.exams.take.access import own_attempt
from lms.extensions import db
from lms.routing import Routes, database_id

routes = Routes()


def json_error(error: ExamError, attempt=None, now=None):
    body = {"error": error.code, "message": error.message, **error.detail}
    if attempt is not None:
        body.update(queries.state_payload(attempt, now))
    return jsonify(body), error.status


@routes.route("/api/attempts/<int:attempt_id>/state")
def api_state(attempt_id):
    attempt, now = own_attempt(attempt_id)
    return jsonify({**queries.state_payload(attempt, now), "answers": queries.saved_answers(attempt),
                    "last_seq": queries.last_seq(attempt), "csrf_token": generate_csrf()})


@routes.route("/api/attempts/<int:attempt_id>/answers", methods=("POST",))
def api_save(attempt_id):
    attempt, now = own_attempt(attempt_id)
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    entries = payload.get("answers") if "answers" in payload else [payload]
    try:
        acknowledged, late = save_answers(attempt, entries, now, as_shown=True)
    except ExamError as error:
        return json_error(error, attempt, now)
    return jsonify({"saved": acknowledged, "late": late, **queries.state_payload(attempt, now)})


@routes.route("/api/attempts/<int:attempt_id>/flag", methods=("POST",))
def api_flag(attempt_id):
    attempt, now = own_attempt(attempt_id)
    payload = request.get_json(silent=True)
    question_id = payload.get("question") if isinstance(payload, dict) else None
    attempt_question = db.session.get(AttemptQuestion, question_id) if database_id(question_id) else None
    if attempt_question is None or attempt_question.attempt_id != attempt.id:
        return json_error(ExamError(_("Câu hỏi không thuộc đề thi của bạn."), "not_on_paper", 404))
    set_flag(attempt, attempt_question, bool(payload.get("flagged")))
    return jsonify({"question": attempt_question.id, "flagged": attempt_question.flagged, **queries.state_payload(attempt, now)})


@routes.route("/api/attempts/<int:attempt_id>/submit", methods=("POST",))
def api_submit(attempt_id):
    attempt, now = own_attempt(attempt_id)
    payload = request.get_json(silent=True)
    if isinstance(payload, dict) and payload.get("timeout"):
        attempt, already = expire_attempt(attempt, now), False
    else:
        attempt, already = submit_attempt(attempt, now)
    return jsonify({**queries.state_payload(attempt, now), "already_submitted": already,
                    "result_url": url_for("exams.result", attempt_id=attempt.id)})
