"""The candidate's pages: my exams, the session page, the start, the exam page, submit, the
result, a practical file handed in. Registered by lms.exams.take.blueprint."""
from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import load_or_404, public
from lms.database import commit_keeping_state
from lms.errors import abort_message
from lms.exams import papers, uploads
from lms.exams.attempts import ExamError, grace, submit_attempt
from lms.exams.models import AttemptQuestion, BlueprintPart, ExamSession
from lms.exams.starting import start_attempt, start_context
from lms.exams.take import outcome, queries
from lms.exams.take.access import not_a_candidate, own_attempt
from lms.exams.take.api import json_error
from lms.extensions import db
from lms.models_base import utcnow
from lms.redirects import redirect_with
from lms.routing import Routes
from lms.transactions import refused

routes = Routes()


@routes.route("/")
def index():
    now = utcnow()
    rows = queries.my_candidacies(current_user, now)
    return render_template("exams/my_exams.html", rows=rows, now=now)


@routes.route("/sessions/<int:session_id>")
def session_page(session_id):
    session = load_or_404(ExamSession, session_id)
    candidate = queries.candidate_of(current_user, session.id)
    if candidate is None:
        not_a_candidate()
    now = utcnow()
    attempts = queries.attempts_of(candidate)
    parts = []
    for part in session.blueprint.parts:
        part_attempts = attempts.get(part.id, [])
        open_one = next((a for a in part_attempts if a.open_slot == 1), None)
        can_start = open_one is None and len(part_attempts) < session.attempts_allowed
        shortage = ()
        if can_start and papers.take_predrawn(candidate, part, len(part_attempts) + 1) is None:
            shortage = papers.shortages(part, candidate)
        parts.append({"part": part, "attempts": part_attempts, "open": open_one, "shortages": shortage, "can_start": can_start})
    window = "upcoming" if now < session.opens_at else ("closed" if now >= session.closes_at else "open")
    return render_template("exams/session.html", session=session, candidate=candidate, parts=parts, window=window, now=now)


@routes.route("/sessions/<int:session_id>/parts/<int:part_id>/start", methods=("POST",))
def start(session_id, part_id):
    """Start (or resume) and answer with the exam page itself rather than a redirect to it:
    one round trip less on a slow commune network, and one request less for the server in
    the minute when a whole session starts. The page moves the address bar to the
    attempt's own URL, so that a reload is a plain GET of it; a re-sent start resumes."""
    found = start_context(current_user.id, session_id, part_id)
    if found is None:
        load_or_404(ExamSession, session_id)
        load_or_404(BlueprintPart, part_id)
        not_a_candidate()
    candidate, session, part, position = found
    now = utcnow()
    try:
        attempt, _created = start_attempt(candidate, part, now, request.remote_addr or "", request.form.get("access_code"), position)
    except ExamError as error:
        if request.is_json:
            return json_error(error)
        refused()
        flash(error.message, "danger")
        return redirect(url_for("exams.session_page", session_id=session.id))
    if request.is_json:
        return jsonify({"attempt": attempt.id, "url": url_for("exams.take", attempt_id=attempt.id),
                        "questions": queries.question_ids(attempt), **queries.state_payload(attempt, now)})
    return _exam_page(attempt, now)


@routes.route("/attempts/<int:attempt_id>")
def take(attempt_id):
    attempt, now = own_attempt(attempt_id)
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
        grace_ms=int(grace(attempt.candidate.session).total_seconds() * 1000),
        last_seq=last_seq,
    )
    # The request's writes (a start, the clock) are committed before a whole paper renders,
    # so that the render never holds SQLite's write lock or the attempt's row lock: a
    # thousand exam pages opening at once would otherwise render one at a time.
    commit_keeping_state(db.session(), then_write=False)
    return render_template("exams/take.html", **context)


@routes.route("/sw.js")
@public
def service_worker():
    """The exam page's service worker, served from here rather than /static/ so that its scope
    covers the exam pages. It holds nothing personal, so it needs no sign-in (its update
    check then works whoever is signed in); never cached, so a new version is seen at once."""
    response = current_app.send_static_file("js/exam-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    return response


@routes.route("/attempts/<int:attempt_id>/submit", methods=("POST",))
def submit_form(attempt_id):
    attempt, now = own_attempt(attempt_id)
    submit_attempt(attempt, now)
    return redirect(url_for("exams.result", attempt_id=attempt.id))


@routes.route("/attempts/<int:attempt_id>/result")
def result(attempt_id):
    attempt, now = own_attempt(attempt_id, sitting=False)  # a result is read anywhere, later
    if attempt.open_slot == 1:
        return redirect(url_for("exams.take", attempt_id=attempt.id))
    level = queries.review_level(attempt, now)
    feedback = level in outcome.FEEDBACK_LEVELS and attempt.part.kind == "practical"
    return render_template(
        "exams/result.html",
        attempt=attempt,
        session=attempt.candidate.session,
        level=level,
        modules=queries.module_results(attempt) if level != "none" else [],
        items=queries.review_items(attempt, level) if level in ("correctness", "answers") else [],
        sitting=outcome.sitting_outcome(attempt.candidate, now),
        feedback=outcome.practical_feedback(attempt) if feedback else {},
    )


@routes.route("/attempts/<int:attempt_id>/questions/<int:question_id>/upload", methods=("POST",))
def upload(attempt_id, question_id):
    attempt, now = own_attempt(attempt_id)
    attempt_question = load_or_404(AttemptQuestion, question_id)
    if attempt_question.attempt_id != attempt.id:
        abort_message(404, _("Câu hỏi không thuộc đề thi của bạn."))
    file = request.files.get("file")
    wants_json = request.accept_mimetypes.best == "application/json"
    anchor = url_for("exams.take", attempt_id=attempt.id) + f"#q{attempt_question.position}"
    try:
        if file is None or not file.filename:
            raise ExamError(_("Chưa chọn tệp."), "file_missing", 400)
        question = attempt_question.version.question_data()
        stored = uploads.store_upload(attempt, attempt_question, file.filename, file.read(), now, question.extensions or None)
    except ExamError as error:
        if wants_json:
            return json_error(error, attempt, now)
        refused()
        flash(error.message, "danger")
        return redirect(anchor)
    if wants_json:
        return jsonify({"upload": stored.id, "filename": stored.filename, "size": stored.size, **queries.state_payload(attempt, now)})
    return redirect_with(_("Đã nộp tệp %(name)s.", name=stored.filename), anchor)
