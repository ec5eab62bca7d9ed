"""Tổ chức thi, the running session: the proctor board (page and JSON), extra time, reopening
an attempt, lifting a candidate's sign-in throttling, practical marking and the files handed in. Registered by blueprint.py; sessions,
candidates and attempts are loaded within the reader's exam scope."""
from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth import throttling
from lms.auth.access import exam_scope, roles_allowed
from lms.downloads import download, stored_file
from lms.exams.attempts import ExamError
from lms.exams.manage import board, marking, queries, services
from lms.exams.manage.access import load_candidate, load_session, locked_attempt, read_attempt
from lms.exams.manage.forms import ConfirmForm, ExtraTimeForm, MarkingForm, ReopenForm
from lms.exams.models import ATTEMPT_STATES
from lms.exams.proctoring import grant_extra_time, reopen_attempt
from lms.localtime import format_local
from lms.messages import N_
from lms.models_base import utcnow
from lms.redirects import flash_outcome, redirect_back
from lms.routing import Routes

routes = Routes()

PROCTORS = ("trainer", "admin", "proctor")


def _board(session):
    now = utcnow()
    rows = board.proctor_board(session.id, now, exam_scope())
    return now, rows, board.board_summary(rows)


@routes.route("/sessions/<int:session_id>/proctor")
@roles_allowed(*PROCTORS)
def proctor(session_id):
    session = load_session(session_id)
    now, rows, summary = _board(session)
    return render_template("exam_admin/proctor.html", session=session, board=rows, summary=summary, states=ATTEMPT_STATES,
                           extra_form=ExtraTimeForm(), reopen_form=ReopenForm(), release_form=ConfirmForm(), now=now,
                           now_local=format_local(now, "%H:%M:%S"))


@routes.route("/sessions/<int:session_id>/proctor.json")
@roles_allowed(*PROCTORS)
def proctor_data(session_id):
    session = load_session(session_id)
    now, rows, summary = _board(session)
    return jsonify({"server_time": now.isoformat(), "server_time_local": format_local(now, "%H:%M:%S"), "summary": summary, "rows": rows,
                    "states": {**{k: _(v) for k, v in ATTEMPT_STATES.items()}, "not_started": _("Chưa bắt đầu")}})


@routes.route("/sessions/<int:session_id>/candidates/<int:candidate_id>/extra-time", methods=("POST",))
@roles_allowed(*PROCTORS)
def extra_time(session_id, candidate_id):
    session = load_session(session_id)
    candidate = load_candidate(session, candidate_id)
    form = ExtraTimeForm()
    if not form.validate_on_submit():
        flash(_("Cần nhập thời gian cộng thêm và lý do."), "danger")
    else:
        changed = grant_extra_time(candidate, utcnow(), current_user, extra_minutes=form.extra_minutes.data or 0,
                                   extra_multiplier=form.extra_multiplier.data or 1.0, reason=form.reason.data)
        flash(_("Đã cộng giờ; %(n)d bài đang làm được gia hạn ngay.", n=len(changed)), "success")
    return redirect_back(request.form.get("next"), url_for("exam_admin.proctor", session_id=session.id))


@routes.route("/sessions/<int:session_id>/candidates/<int:candidate_id>/login-release", methods=("POST",))
@roles_allowed(*PROCTORS)
def login_release(session_id, candidate_id):
    """Let a candidate of the session sign in at once, whoever's failed passwords delayed them."""
    session = load_session(session_id)
    candidate = load_candidate(session, candidate_id)
    target = url_for("exam_admin.proctor", session_id=session.id)
    if candidate.user is None:
        flash(_("Thí sinh này chưa có tài khoản đăng nhập."), "danger")
        return redirect(target)
    lifted = throttling.release(candidate.user.username, current_user, utcnow())
    record("login.release", target=candidate.user.username, session=session.id, candidate=candidate.id, failures=lifted)
    flash(_("Đã mở khóa đăng nhập cho %(name)s: thí sinh đăng nhập được ngay.", name=candidate.staff.full_name), "success")
    return redirect(target)


@routes.route("/sessions/<int:session_id>/attempts/<int:attempt_id>/reopen", methods=("POST",))
@roles_allowed(*PROCTORS)
def reopen(session_id, attempt_id):
    session = load_session(session_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Cần ghi lý do (ít nhất 5 ký tự) và số phút."), "danger")
    else:
        now = utcnow()
        attempt = locked_attempt(session, attempt_id, now)
        flash_outcome(lambda: reopen_attempt(attempt, now, current_user, form.minutes.data, form.reason.data), _("Đã mở lại bài thi."), ExamError)
    return redirect(url_for("exam_admin.proctor", session_id=session.id))


# --- Practical marking ----------------------------------------------------------------------


@routes.route("/sessions/<int:session_id>/grading")
def grading_queue(session_id):
    session = load_session(session_id)
    return render_template("exam_admin/grading_queue.html", session=session, queue=board.practical_queue(session.id, exam_scope()),
                           states=ATTEMPT_STATES)


def _scores_from_form(attempt):
    scores, bad = {}, False
    for attempt_question in attempt.questions:
        values = []
        for index, _criterion in enumerate(marking.rubric_of(attempt_question)):
            raw = (request.form.get(f"score-{attempt_question.id}-{index}") or "").strip().replace(",", ".")
            try:
                values.append(float(raw))
            except ValueError:
                bad = True
        scores[attempt_question.id] = values
    return scores, bad


MARKING_MESSAGES = {
    "marker1": N_("Đã ghi điểm giám khảo 1."),
    "marker2": N_("Đã ghi điểm giám khảo 2."),
    "reconciled": N_("Đã chốt điểm bài thực hành."),
    "pending_reconciliation": N_("Hai giám khảo chênh lệch quá ngưỡng: cần thống nhất điểm."),
}


@routes.route("/sessions/<int:session_id>/attempts/<int:attempt_id>/grade", methods=("GET", "POST"))
def grade_attempt(session_id, attempt_id):
    session = load_session(session_id)
    # Marking writes the attempt's grades and score: under its lock, as every writer does.
    attempt = locked_attempt(session, attempt_id, utcnow()) if request.method == "POST" else read_attempt(session, attempt_id)
    if attempt.part.kind != "practical":
        abort(404)
    form = MarkingForm()
    reconcile = request.values.get("step") == "reconcile"
    problems = []
    if form.validate_on_submit():
        scores, bad = _scores_from_form(attempt)
        if bad:
            problems = [_("Điểm từng tiêu chí phải là số.")]
        else:
            try:
                step = marking.mark_practical(attempt, scores, utcnow(), current_user, reconcile=reconcile, note=form.note.data or "")
                flash(_(MARKING_MESSAGES[step]), "warning" if step == "pending_reconciliation" else "success")
                return redirect(url_for("exam_admin.grading_queue", session_id=session.id))
            except services.ManageError as error:
                problems = error.messages
    tasks = [(aq, marking.rubric_of(aq)) for aq in attempt.questions]
    uploads = {}
    for upload in queries.uploads(attempt.id):
        uploads.setdefault(upload.attempt_question_id, []).append(upload)
    # Blind double marking: a marker sees the other's scores only at reconciliation.
    show_marks = not session.double_marking or reconcile
    return render_template("exam_admin/grade_attempt.html", session=session, attempt=attempt, form=form, tasks=tasks, uploads=uploads,
                           grades=board.grades_by_source(attempt.id) if show_marks else {}, reconcile=reconcile,
                           problems=problems), (422 if problems else 200)


@routes.route("/uploads/<int:upload_id>")
def upload_download(upload_id):
    upload = queries.upload_in_scope(upload_id, exam_scope())
    path = stored_file(Path(current_app.config["UPLOAD_DIR"]) / "exams", upload.stored_path) if upload is not None else None
    if path is None:
        abort(404)
    return download(path, upload.filename)
