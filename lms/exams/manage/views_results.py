"""Tổ chức thi, the finished session: results and their export, item analysis and its export,
regrading a corrected question, the score changes. Registered by blueprint.py; only candidates
of the reader's exam scope are shown, exported or regraded."""
from flask import abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth.access import exam_scope, load_or_404
from lms.downloads import table_download
from lms.exams.core.analysis import FLAG_LABELS
from lms.exams.manage import marking, queries, services, stats
from lms.exams.manage.access import load_session
from lms.exams.manage.forms import ConfirmForm, RegradeForm
from lms.models_base import utcnow
from lms.questionbank.models import Question
from lms.questionbank.queries import can_access_bank
from lms.redirects import redirect_with
from lms.routing import Routes
from lms.transactions import refused

routes = Routes()


def _pass_label(value):
    return {True: _("Đạt"), False: _("Không đạt"), None: "—"}[value]


@routes.route("/sessions/<int:session_id>/results")
def results(session_id):
    session = load_session(session_id)
    parts, rows = queries.results_table(session, exam_scope())
    return render_template("exam_admin/results.html", session=session, parts=parts, rows=rows, confirm=ConfirmForm(), now=utcnow(),
                           pass_label=_pass_label)


@routes.route("/sessions/<int:session_id>/results.<fmt>")
def results_export(session_id, fmt):
    session = load_session(session_id)
    parts, rows = queries.results_table(session, exam_scope())
    modules = sorted({code for row in rows for code in row["modules"]})
    headers = [_("Số báo danh"), _("Họ và tên"), _("Ngày sinh"), _("Số định danh"), _("Đơn vị")]
    for part in parts:
        headers += [f"{part.title} – " + _("điểm"), f"{part.title} – " + _("kết quả")]
    headers += [_("Kết quả chung")] + [f"{code} – {_('điểm')}" for code in modules]
    table = []
    for row in rows:
        staff = row["candidate"].staff
        line = [row["candidate"].candidate_number, staff.full_name, staff.birth_date.strftime("%d/%m/%Y") if staff.birth_date else "",
                staff.id_number, staff.unit.name]
        for score in row["parts"]:
            line += ["" if score.score is None else score.score, _pass_label(score.passed)]
        line += [_pass_label(row["passed"])] + [row["modules"].get(code, ("", None))[0] for code in modules]
        table.append(line)
    record("exam.results_export", target=f"exam_session:{session.id}", fmt=fmt, rows=len(table))
    return table_download(headers, table, fmt, f"ket-qua-thi-{session.id}", _("Kết quả"))


@routes.route("/sessions/<int:session_id>/analysis")
def analysis(session_id):
    session = load_session(session_id)
    return render_template("exam_admin/analysis.html", session=session, items=stats.session_item_analysis(session.id, exam_scope()), flag_labels=FLAG_LABELS)


def _figure(value):
    return "" if value is None else value


def _option_text(option):
    """«A. Ctrl+C (đáp án): 12» — an option by its letter and text, as the export writes it."""
    name = f"{option.label}. {option.text}" if option.text else option.label
    return f"{name}{' (' + _('đáp án') + ')' if option.correct else ''}: {option.count}"


@routes.route("/sessions/<int:session_id>/analysis.<fmt>")
def analysis_export(session_id, fmt):
    session = load_session(session_id)
    headers = [_("Mã câu hỏi"), _("Mô đun"), _("Mã nội dung"), _("Số lượt"), _("Độ khó (facility)"), _("Độ phân biệt point-biserial"),
               _("Độ phân biệt nhóm 27%"), _("Số lần chọn từng phương án"), _("Bỏ trống"), _("Cảnh báo")]
    rows = [
        [question.key, question.module.code if question.module else "", question.syllabus_code or "", item.responses, _figure(item.facility),
         _figure(item.point_biserial), _figure(item.upper_lower), "; ".join(_option_text(option) for option in options),
         item.blank, ", ".join(_(label) for label in item.flag_labels)]
        for question, item, options in stats.session_item_analysis(session.id, exam_scope())
    ]
    return table_download(headers, rows, fmt, f"phan-tich-cau-hoi-{session.id}", _("Phân tích câu hỏi"))


@routes.route("/sessions/<int:session_id>/questions/<int:question_id>/regrade", methods=("GET", "POST"))
def regrade(session_id, question_id):
    session = load_session(session_id)
    question = load_or_404(Question, question_id)
    scope = exam_scope()
    affected = queries.attempt_questions_showing(question.id, session.id, scope)
    if not affected:
        abort(404)
    if not can_access_bank(current_user, question.bank):  # regrading reads and applies the bank's key
        abort(403)
    form = RegradeForm()
    if form.validate_on_submit():
        try:
            changes = marking.regrade_question(session, question, utcnow(), current_user, form.reason.data, scope)
            changed = sum(1 for _attempt, before, after in changes if before != after)
            return redirect_with(_("Đã chấm lại %(n)d bài; %(c)d bài thay đổi điểm.", n=len(changes), c=changed), url_for("exam_admin.score_changes", session_id=session.id))
        except services.ManageError as error:
            refused()
            flash(str(error), "danger")
    outdated = sum(1 for aq in affected if aq.question_version_id != question.current_version_id)
    return render_template("exam_admin/regrade.html", session=session, question=question, form=form, affected=len({aq.attempt_id for aq in affected}),
                           outdated=outdated, question_url=url_for("questionbank.question_detail", question_id=question.id))


@routes.route("/sessions/<int:session_id>/score-changes")
def score_changes(session_id):
    session = load_session(session_id)
    return render_template("exam_admin/score_changes.html", session=session, changes=queries.score_changes(session.id, exam_scope()))
