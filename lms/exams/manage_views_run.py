"""Tổ chức thi, the running and finished session: proctor board (page + JSON), extra time,
reopen, practical marking, results and their export, item analysis and its export, regrade."""
from pathlib import Path

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.access import load_or_404
from lms.exams import manage_queries as queries
from lms.exams import manage_marking as marking
from lms.exams import manage_services as services
from lms.exams.analysis import FLAG_LABELS
from lms.exams.manage_forms import ConfirmForm, ExtraTimeForm, MarkingForm, RegradeForm, ReopenForm
from lms.exams.manage_views import bp, load_candidate, load_session
from lms.exams.models import ATTEMPT_STATES, ExamAttempt, PracticalUpload
from lms.exams.services import ExamError, grant_extra_time, reopen_attempt
from lms.models_base import utcnow
from lms.questionbank.models import Question
from lms.tabular import write_csv, write_xlsx

QUESTION_ENDPOINT = "questionbank.question_detail"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def load_attempt(session, attempt_id):
    attempt = load_or_404(ExamAttempt, attempt_id)
    if attempt.candidate.session_id != session.id:
        abort(404)
    return attempt


def _download(headers, rows, fmt, filename, sheet):
    if fmt == "csv":
        body, mimetype = write_csv(headers, rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = write_xlsx(headers, rows, sheet), XLSX
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}.{fmt}"})


# --- Proctor --------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/proctor")
def proctor(session_id):
    session = load_session(session_id)
    now = utcnow()
    board = queries.proctor_board(session.id, now)
    return render_template("exam_admin/proctor.html", session=session, board=board, summary=queries.board_summary(board),
                           states=ATTEMPT_STATES, extra_form=ExtraTimeForm(), reopen_form=ReopenForm(), now=now)


@bp.route("/sessions/<int:session_id>/proctor.json")
def proctor_data(session_id):
    session = load_session(session_id)
    now = utcnow()
    board = queries.proctor_board(session.id, now)
    return jsonify({"server_time": now.isoformat(), "summary": queries.board_summary(board), "rows": board,
                    "states": {**{k: _(v) for k, v in ATTEMPT_STATES.items()}, "not_started": _("Chưa bắt đầu")}})


@bp.route("/sessions/<int:session_id>/candidates/<int:candidate_id>/extra-time", methods=["POST"])
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
    return redirect(request.form.get("next") or url_for("exam_admin.proctor", session_id=session.id))


@bp.route("/sessions/<int:session_id>/attempts/<int:attempt_id>/reopen", methods=["POST"])
def reopen(session_id, attempt_id):
    session = load_session(session_id)
    attempt = load_attempt(session, attempt_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Cần ghi lý do (ít nhất 5 ký tự) và số phút."), "danger")
    else:
        try:
            reopen_attempt(attempt, utcnow(), current_user, form.minutes.data, form.reason.data)
            flash(_("Đã mở lại bài thi."), "success")
        except ExamError as error:
            flash(error.message, "danger")
    return redirect(url_for("exam_admin.proctor", session_id=session.id))


# --- Practical marking ----------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/grading")
def grading_queue(session_id):
    session = load_session(session_id)
    return render_template("exam_admin/grading_queue.html", session=session, queue=queries.practical_queue(session.id), states=ATTEMPT_STATES)


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


@bp.route("/sessions/<int:session_id>/attempts/<int:attempt_id>/grade", methods=["GET", "POST"])
def grade_attempt(session_id, attempt_id):
    session = load_session(session_id)
    attempt = load_attempt(session, attempt_id)
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
                messages = {
                    "marker1": _("Đã ghi điểm giám khảo 1."),
                    "marker2": _("Đã ghi điểm giám khảo 2."),
                    "reconciled": _("Đã chốt điểm bài thực hành."),
                    "pending_reconciliation": _("Hai giám khảo chênh lệch quá ngưỡng: cần thống nhất điểm."),
                }
                flash(messages[step], "warning" if step == "pending_reconciliation" else "success")
                return redirect(url_for("exam_admin.grading_queue", session_id=session.id))
            except services.ManageError as error:
                problems = error.messages
    tasks = [(aq, marking.rubric_of(aq)) for aq in attempt.questions]
    uploads = {}
    for upload in queries.uploads(attempt.id):
        uploads.setdefault(upload.attempt_question_id, []).append(upload)
    grades = queries.grades_by_source(attempt.id)
    # Blind double marking: a marker sees the other's scores only at reconciliation.
    show_marks = not session.double_marking or reconcile
    return render_template("exam_admin/grade_attempt.html", session=session, attempt=attempt, form=form, tasks=tasks, uploads=uploads,
                           grades=grades if show_marks else {}, reconcile=reconcile, problems=problems), (422 if problems else 200)


@bp.route("/uploads/<int:upload_id>")
def upload_download(upload_id):
    upload = load_or_404(PracticalUpload, upload_id)
    if queries.upload_session_id(upload.id) is None:
        abort(404)
    root = (Path(current_app.config["UPLOAD_DIR"]) / "exams").resolve()
    path = Path(upload.stored_path).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=upload.filename)


# --- Results --------------------------------------------------------------------------------


def _pass_label(value):
    return {True: _("Đạt"), False: _("Không đạt"), None: "—"}[value]


@bp.route("/sessions/<int:session_id>/results")
def results(session_id):
    session = load_session(session_id)
    parts, rows = queries.results_table(session)
    return render_template("exam_admin/results.html", session=session, parts=parts, rows=rows, confirm=ConfirmForm(), now=utcnow(), pass_label=_pass_label)


@bp.route("/sessions/<int:session_id>/results.<fmt>")
def results_export(session_id, fmt):
    session = load_session(session_id)
    parts, rows = queries.results_table(session)
    modules = sorted({code for row in rows for code in row["modules"]})
    headers = [_("Số báo danh"), _("Họ và tên"), _("Ngày sinh"), _("Số định danh"), _("Đơn vị")]
    for part in parts:
        headers += [f"{part.title} – " + _("điểm"), f"{part.title} – " + _("kết quả")]
    headers += [_("Kết quả chung")] + [f"{code} – {_('điểm')}" for code in modules]
    table = []
    for row in rows:
        staff = row["candidate"].staff
        line = [row["candidate"].candidate_number, staff.full_name, staff.birth_date.strftime("%d/%m/%Y") if staff.birth_date else "", staff.id_number, staff.unit.name]
        for score in row["parts"]:
            line += ["" if score.score is None else score.score, _pass_label(score.passed)]
        line += [_pass_label(row["passed"])] + [row["modules"].get(code, ("", None))[0] for code in modules]
        table.append(line)
    from lms.audit.services import record

    record("exam.results_export", target=f"exam_session:{session.id}", fmt=fmt, rows=len(table))
    return _download(headers, table, fmt, f"ket-qua-thi-{session.id}", _("Kết quả"))


# --- Item analysis and regrade ------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/analysis")
def analysis(session_id):
    session = load_session(session_id)
    return render_template("exam_admin/analysis.html", session=session, items=queries.session_item_analysis(session.id), flag_labels=FLAG_LABELS)


def _figure(value):
    return "" if value is None else value


@bp.route("/sessions/<int:session_id>/analysis.<fmt>")
def analysis_export(session_id, fmt):
    session = load_session(session_id)
    headers = [_("Mã câu hỏi"), _("Mô đun"), _("Mã nội dung"), _("Số lượt"), _("Độ khó (facility)"), _("Độ phân biệt point-biserial"),
               _("Độ phân biệt nhóm 27%"), _("Số lần chọn từng phương án"), _("Bỏ trống"), _("Cảnh báo")]
    rows = [
        [question.key, question.module.code if question.module else "", question.syllabus_code or "", stats.responses, _figure(stats.facility),
         _figure(stats.point_biserial), _figure(stats.upper_lower), "; ".join(f"{key}: {count}" for key, count in stats.option_counts.items()),
         stats.blank, ", ".join(_(label) for label in stats.flag_labels)]
        for question, stats in queries.session_item_analysis(session.id)
    ]
    return _download(headers, rows, fmt, f"phan-tich-cau-hoi-{session.id}", _("Phân tích câu hỏi"))


@bp.route("/sessions/<int:session_id>/questions/<int:question_id>/regrade", methods=["GET", "POST"])
def regrade(session_id, question_id):
    session = load_session(session_id)
    question = load_or_404(Question, question_id)
    affected = queries.sessions_using_question(question.id, session.id)
    if not affected:
        abort(404)
    form = RegradeForm()
    if form.validate_on_submit():
        try:
            changes = marking.regrade_question(session, question, utcnow(), current_user, form.reason.data)
            changed = sum(1 for _attempt, before, after in changes if before != after)
            flash(_("Đã chấm lại %(n)d bài; %(c)d bài thay đổi điểm.", n=len(changes), c=changed), "success")
            return redirect(url_for("exam_admin.score_changes", session_id=session.id))
        except services.ManageError as error:
            flash(str(error), "danger")
    outdated = sum(1 for aq in affected if aq.question_version_id != question.current_version_id)
    question_url = url_for(QUESTION_ENDPOINT, question_id=question.id) if QUESTION_ENDPOINT in current_app.view_functions else None
    return render_template("exam_admin/regrade.html", session=session, question=question, form=form, affected=len({aq.attempt_id for aq in affected}),
                           outdated=outdated, question_url=question_url)


@bp.route("/sessions/<int:session_id>/score-changes")
def score_changes(session_id):
    session = load_session(session_id)
    return render_template("exam_admin/score_changes.html", session=session, changes=queries.score_changes(session.id))


def _state_label(state):
    return ATTEMPT_STATES.get(state, state)


@bp.app_template_filter("exam_state")
def exam_state_filter(state):
    return _(_state_label(state)) if state != "not_started" else _("Chưa bắt đầu")



def _register_usage_stats():
    """The question page shows these figures through the question bank's provider hook."""
    from lms.questionbank.queries import USAGE_STATS_PROVIDERS

    if queries.question_usage_stats not in USAGE_STATS_PROVIDERS:
        USAGE_STATS_PROVIDERS.append(queries.question_usage_stats)


_register_usage_stats()
