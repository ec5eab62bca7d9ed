"""The candidate's side: my exams, the start page, the exam page, the result, and the
JSON API the exam page talks to. Trainers' pages live in a blueprint of their own."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from lms.auth.access import load_or_404, require_roles
from lms.database import begin_immediate
from lms.exams import cli as _cli  # noqa: F401  (registers the `exams` command group)
from lms.exams import dashboard_hooks as _dashboard_hooks  # noqa: F401  (fills the learner's dashboard)
from lms.exams import media_access as _media_access  # noqa: F401  (candidates see the images on their papers)
from lms.errors import abort_message
from lms.exams import papers, queries, services, uploads
from lms.exams.models import AttemptQuestion, BlueprintPart, ExamSession
from lms.exams.services import ExamError
from lms.extensions import db
from lms.models_base import utcnow

_bp = Blueprint("exams", __name__, url_prefix="/exams")


@_bp.before_request
def _attempt_requests_write():
    # A POST on an attempt reads then writes: on SQLite take the write lock at BEGIN
    # (before the sign-in check reads). A GET reads first and takes the lock only when
    # the clock has something to write (see _own_attempt).
    if request.view_args and "attempt_id" in request.view_args and request.method != "GET":
        begin_immediate(True)


bp = require_roles(_bp, "learner")


def _own_attempt(attempt_id):
    """404 for a missing attempt, 403 for somebody else's; then the clock is applied.

    A GET reads the attempt (with its candidate, session and part: one statement) and
    takes the lock only when the clock has something to write, so that a thousand exam
    pages can open at once. Any other method locks the attempt first, with its
    candidate and session in the same statement."""
    now = utcnow()
    if request.method == "GET":
        attempt = services.read_attempt(attempt_id)
        _check_owner(attempt)
        if not services.clock_changes(attempt, now):
            return attempt, now
        db.session.rollback()  # end the read; the write below starts a transaction that holds the lock
        begin_immediate(True)
    attempt = services.lock_attempt(attempt_id, required=False)
    _check_owner(attempt)
    services.apply_clock(attempt, now)
    return attempt, now


def _check_owner(attempt):
    if attempt is None:
        abort(404)
    if attempt.candidate.user_id != current_user.id:  # a candidate without an account is nobody's
        abort_message(403, _("Bạn không có quyền truy cập bài thi này."))


def _json_error(error: ExamError, attempt=None, now=None):
    body = {"error": error.code, "message": error.message, **error.detail}
    if attempt is not None:
        db.session.refresh(attempt)
        body.update(queries.state_payload(attempt, now or utcnow()))
    return jsonify(body), error.status


def _not_a_candidate():
    abort_message(403, _("Bạn không có tên trong danh sách thí sinh của kỳ thi này."))


# --- Pages --------------------------------------------------------------------------------------


@bp.route("/")
def index():
    now = utcnow()
    rows = queries.my_candidacies(current_user, now)
    return render_template("exams/my_exams.html", rows=rows, now=now)


@bp.route("/sessions/<int:session_id>")
def session_page(session_id):
    session = load_or_404(ExamSession, session_id)
    candidate = queries.candidate_of(current_user, session.id)
    if candidate is None:
        _not_a_candidate()
    now = utcnow()
    attempts = queries.attempts_of(candidate)
    parts = []
    for part in session.blueprint.parts:
        part_attempts = attempts.get(part.id, [])
        open_one = next((a for a in part_attempts if a.open_slot == 1), None)
        shortage = ()
        if open_one is None and len(part_attempts) < session.attempts_allowed and papers.take_predrawn(candidate, part, len(part_attempts) + 1) is None:
            shortage = papers.shortages(part, candidate)
        parts.append({"part": part, "attempts": part_attempts, "open": open_one, "shortages": shortage,
                      "can_start": open_one is None and len(part_attempts) < session.attempts_allowed})
    window = "upcoming" if now < session.opens_at else ("closed" if now >= session.closes_at else "open")
    return render_template("exams/session.html", session=session, candidate=candidate, parts=parts, window=window, now=now)


@bp.route("/sessions/<int:session_id>/parts/<int:part_id>/start", methods=["POST"])
def start(session_id, part_id):
    """Start (or resume) and answer with the exam page itself rather than a redirect to it:
    one round trip less on a slow commune network, and one request less for the server in
    the minute when a whole session starts. The page moves the address bar to the
    attempt's own URL, so that a reload is a plain GET of it; a re-sent start resumes."""
    found = services.start_context(current_user.id, session_id, part_id)
    if found is None:
        load_or_404(ExamSession, session_id)
        load_or_404(BlueprintPart, part_id)
        _not_a_candidate()
    candidate, session, part, position = found
    now = utcnow()
    try:
        attempt, _created = services.start_attempt(candidate, part, now, request.remote_addr or "", request.form.get("access_code"), position)
    except ExamError as error:
        if request.is_json:
            return _json_error(error)
        flash(error.message, "danger")
        return redirect(url_for("exams.session_page", session_id=session.id))
    if request.is_json:
        return jsonify({"attempt": attempt.id, "url": url_for("exams.take", attempt_id=attempt.id),
                        "questions": queries.question_ids(attempt), **queries.state_payload(attempt, now)})
    return _exam_page(attempt, now)


@bp.route("/attempts/<int:attempt_id>")
def take(attempt_id):
    attempt, now = _own_attempt(attempt_id)
    if attempt.open_slot != 1:
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    return _exam_page(attempt, now)


def _exam_page(attempt, now):
    items, last_seq = queries.page_items(attempt)
    label = _("Câu %(n)d")  # translated once, numbered per question
    for item in items:
        item["label"] = label % {"n": item["position"]}
    context = dict(
        attempt=attempt,
        part=attempt.part,
        session=attempt.candidate.session,
        items=items,
        uploads=queries.uploads_by_question(attempt) if any(item["type"] == "practical" for item in items) else {},
        state=queries.state_payload(attempt, now),
        last_seq=last_seq,
    )
    _commit_before_rendering()
    return render_template("exams/take.html", **context)


def _commit_before_rendering():
    """Commit the request's writes (the clock) before rendering a whole paper, so that the
    render never holds the SQLite write lock or the attempt's row lock: a thousand exam
    pages opening at once would otherwise render one at a time. Still one commit: the
    one after the request finds nothing left to do. What the page shows was read under
    the lock and is kept (no expiry); anything read later reads without taking the lock."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    begin_immediate(False)


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
def submit_form(attempt_id):
    attempt, now = _own_attempt(attempt_id)
    services.submit_attempt(attempt, now)
    return redirect(url_for("exams.result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
def result(attempt_id):
    attempt, now = _own_attempt(attempt_id)
    if attempt.open_slot == 1:
        return redirect(url_for("exams.take", attempt_id=attempt.id))
    level = queries.review_level(attempt, now)
    return render_template(
        "exams/result.html",
        attempt=attempt,
        session=attempt.candidate.session,
        level=level,
        modules=queries.module_results(attempt) if level != "none" else [],
        items=queries.review_items(attempt, level) if level in ("correctness", "answers") else [],
    )


@bp.route("/attempts/<int:attempt_id>/questions/<int:question_id>/upload", methods=["POST"])
def upload(attempt_id, question_id):
    attempt, now = _own_attempt(attempt_id)
    attempt_question = load_or_404(AttemptQuestion, question_id)
    if attempt_question.attempt_id != attempt.id:
        abort_message(404, _("Câu hỏi không thuộc đề thi của bạn."))
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise ExamError(_("Chưa chọn tệp."), "file_missing", 400)
        question = attempt_question.version.question_data()
        stored = uploads.store_upload(attempt, attempt_question, file.filename, file.read(), now, question.extensions or None)
    except ExamError as error:
        if request.accept_mimetypes.best == "application/json":
            return _json_error(error, attempt, now)
        flash(error.message, "danger")
        return redirect(url_for("exams.take", attempt_id=attempt.id) + f"#q{attempt_question.position}")
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"upload": stored.id, "filename": stored.filename, "size": stored.size, **queries.state_payload(attempt, now)})
    flash(_("Đã nộp tệp %(name)s.", name=stored.filename), "success")
    return redirect(url_for("exams.take", attempt_id=attempt.id) + f"#q{attempt_question.position}")


# --- JSON API -----------------------------------------------------------------------------------


@bp.route("/api/attempts/<int:attempt_id>/state")
def api_state(attempt_id):
    attempt, now = _own_attempt(attempt_id)
    return jsonify({**queries.state_payload(attempt, now), "answers": queries.saved_answers(attempt),
                    "last_seq": queries.last_seq(attempt), "csrf_token": generate_csrf()})


@bp.route("/api/attempts/<int:attempt_id>/answers", methods=["POST"])
def api_save(attempt_id):
    attempt, now = _own_attempt(attempt_id)
    payload = request.get_json(silent=True) or {}
    entries = payload.get("answers") if "answers" in payload else [payload]
    try:
        acknowledged, late = services.save_answers(attempt, entries, now)
    except ExamError as error:
        return _json_error(error, attempt, now)
    return jsonify({"saved": acknowledged, "late": late, **queries.state_payload(attempt, now)})


@bp.route("/api/attempts/<int:attempt_id>/flag", methods=["POST"])
def api_flag(attempt_id):
    attempt, now = _own_attempt(attempt_id)
    payload = request.get_json(silent=True) or {}
    attempt_question = db.session.get(AttemptQuestion, payload.get("question")) if isinstance(payload.get("question"), int) else None
    if attempt_question is None or attempt_question.attempt_id != attempt.id:
        return _json_error(ExamError(_("Câu hỏi không thuộc đề thi của bạn."), "not_on_paper", 404))
    services.set_flag(attempt, attempt_question, bool(payload.get("flagged")), now)
    return jsonify({"question": attempt_question.id, "flagged": attempt_question.flagged, **queries.state_payload(attempt, now)})


@bp.route("/api/attempts/<int:attempt_id>/submit", methods=["POST"])
def api_submit(attempt_id):
    attempt, now = _own_attempt(attempt_id)
    payload = request.get_json(silent=True) or {}
    if payload.get("timeout"):
        attempt = services.expire_attempt(attempt, now)
        already = False
    else:
        attempt, already = services.submit_attempt(attempt, now)
    return jsonify({**queries.state_payload(attempt, now), "already_submitted": already,
                    "result_url": url_for("exams.result", attempt_id=attempt.id)})
