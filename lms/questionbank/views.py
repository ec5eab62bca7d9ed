"""Question banks: lists, authoring, preview, history, review. Trainers and administrators only.
Import and export are in views_transfer.py, images in media.py; registered by blueprint.py.
"""
import random

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.exams.manage.stats import question_usage_stats
from lms.extensions import db
from lms.questionbank import diffing, queries, services
from lms.questionbank.access import load_bank, load_question
from lms.questionbank.forms import (
    BankForm,
    BulkStatusForm,
    QuestionFilterForm,
    QuestionForm,
    ReviewForm,
    ShareForm,
    StatusForm,
    add_spare_rows,
    fill_question_form,
    question_data_from_form,
    type_choices,
)
from lms.questionbank.markup import excerpt
from lms.questionbank.schema import TYPES
from lms.questionbank.types import get_type
from lms.redirects import redirect_back, redirect_with
from lms.routing import Routes, query_int, requested_page, text_id

routes = Routes()

TYPE_LABELS = {name: get_type(name).label for name in TYPES}


def candidate_preview(data):
    """The question exactly as a candidate's page shows it: a shuffled order, no answer key."""
    qtype = get_type(data.type)
    return qtype.candidate_view(data, qtype.presentation_order(data, random.Random()))

# --- Banks -------------------------------------------------------------------------------


@routes.route("/")
def banks():
    return render_template("questionbank/banks.html", rows=queries.banks_for(current_user),
                           review_count=len(queries.review_queue(current_user)))


@routes.route("/banks/new", methods=("GET", "POST"))
def bank_create():
    form = BankForm()
    if form.validate_on_submit():
        try:
            bank = services.create_bank(form.name.data, current_user, form.description.data)
        except services.QuestionBankError as error:
            form.name.errors.append(str(error))
        else:
            return redirect_with(_("Đã tạo ngân hàng câu hỏi."), url_for("questionbank.bank_detail", bank_id=bank.id))
    return render_template("questionbank/bank_form.html", form=form)


@routes.route("/banks/<int:bank_id>")
def bank_detail(bank_id):
    bank = load_bank(bank_id)
    share_form = ShareForm()
    taken = {share.user_id for share in bank.shares} | {bank.owner_id}
    share_form.user_id.choices = [(u.id, f"{u.display_name} ({u.username})") for u in queries.trainers() if u.id not in taken]
    return render_template("questionbank/bank_detail.html", bank=bank, shares=queries.bank_shares(bank), share_form=share_form,
                           types=[(name, get_type(name).label) for name in TYPES], confirm=ReviewForm())


@routes.route("/banks/<int:bank_id>/share", methods=("POST",))
def bank_share(bank_id):
    bank = load_bank(bank_id)
    form = ShareForm()
    form.user_id.choices = [(u.id, u.username) for u in queries.trainers()]
    if form.validate_on_submit():
        from lms.auth.models import User

        try:
            if services.share_bank(bank, db.session.get(User, form.user_id.data)):
                flash(_("Đã chia sẻ ngân hàng."), "success")
        except services.QuestionBankError as error:
            flash(str(error), "danger")
    return redirect(url_for("questionbank.bank_detail", bank_id=bank.id))


@routes.route("/banks/<int:bank_id>/unshare/<int:user_id>", methods=("POST",))
def bank_unshare(bank_id, user_id):
    bank = load_bank(bank_id)
    if not ReviewForm().validate_on_submit():
        abort(400)
    services.unshare_bank(bank, user_id)
    return redirect_with(_("Đã thôi chia sẻ."), url_for("questionbank.bank_detail", bank_id=bank.id))


# --- Question list and bulk status ------------------------------------------------------------


@routes.route("/questions/")
def questions():
    form = QuestionFilterForm(request.args)
    form.bank.choices = [(0, _("Tất cả"))] + [(b.id, b.name) for b in queries.accessible_banks(current_user)]
    form.module.choices = [(0, _("Tất cả"))] + [(m.id, f"{m.code} – {m.name}") for m in queries.modules()]
    form.author.choices = [(0, _("Tất cả"))] + [(u.id, u.display_name) for u in queries.authors(current_user)]
    form.type.choices = type_choices(_("Tất cả"))
    if form.bank.data:
        load_bank(form.bank.data)
    query = queries.question_query(
        current_user, bank_id=form.bank.data or None, module_id=form.module.data or None, syllabus=form.syllabus.data,
        difficulty=form.difficulty.data or None, status=form.status.data or None, pool=form.pool.data or None,
        author_id=form.author.data or None, text=form.q.data, qtype=form.type.data or None,
    )
    page = db.paginate(query, page=requested_page(), per_page=50, error_out=False)
    return render_template("questionbank/questions.html", form=form, page=page, bulk=BulkStatusForm(), type_labels=TYPE_LABELS,
                           excerpt=excerpt)


@routes.route("/questions/bulk-status", methods=("POST",))
def bulk_status():
    form = BulkStatusForm()
    ids = [text_id(value) for value in request.form.getlist("question_ids")]
    if None in ids or not form.validate_on_submit():
        abort(400)
    chosen = queries.questions_by_ids(current_user, ids)
    if len(chosen) != len(set(ids)):
        abort(403)  # an id outside the user's banks
    changed, skipped = services.bulk_change_status(chosen, form.status.data, current_user, form.comment.data or "")
    flash(_("Đã chuyển trạng thái %(n)d câu hỏi.", n=changed), "success")
    for problem in skipped:
        flash(problem, "warning")
    return redirect_back(request.form.get("next"), url_for("questionbank.questions"))


# --- Authoring ---------------------------------------------------------------------------


def _question_form(qtype, question=None):
    """The form, offering only the statuses the editor may set: a GET of an edit shows the
    question's status, or "review" for an approved one (a changed version needs review)."""
    form = QuestionForm()
    form.module.choices = [(m.code, f"{m.code} – {m.name}") for m in queries.modules()]
    settable = services.settable_statuses(question)
    form.status.choices = [(status, label) for status, label in form.status.choices if status in settable]
    if request.method == "GET" and question is not None:
        fill_question_form(form, question.question_data())
        form.status.data = question.status if question.status in settable else "review"
    add_spare_rows(form, qtype)
    return form


@routes.route("/banks/<int:bank_id>/questions/new/<qtype>", methods=("GET", "POST"))
def question_create(bank_id, qtype):
    bank = load_bank(bank_id)
    if qtype not in TYPES:
        abort(404)
    form = _question_form(qtype)
    if request.method == "GET" and (request.args.get("module") or "").upper() in dict(form.module.choices):
        form.module.data = request.args["module"].upper()
    if form.validate_on_submit():
        try:
            question = services.create_question(bank, question_data_from_form(form, qtype), current_user, form.change_note.data or "")
        except services.QuestionBankError as error:
            form.text.errors.append(str(error))
        else:
            return redirect_with(_("Đã lưu câu hỏi (%(s)s).", s=_(question.status_label)), url_for("questionbank.question_detail", question_id=question.id))
    return render_template("questionbank/question_form.html", form=form, bank=bank, qtype=qtype, type_label=get_type(qtype).label, question=None)


@routes.route("/questions/<int:question_id>/edit", methods=("GET", "POST"))
def question_edit(question_id):
    question = load_question(question_id)
    form = _question_form(question.type, question)
    if form.validate_on_submit():
        try:
            version = services.edit_question(question, question_data_from_form(form, question.type, key=question.key),
                                             current_user, form.change_note.data or "")
        except services.QuestionBankError as error:
            form.text.errors.append(str(error))
        else:
            if version is None:
                flash(_("Nội dung không thay đổi; không tạo phiên bản mới."), "info")
            else:
                flash(_("Đã lưu phiên bản %(n)d (%(s)s).", n=version.number, s=_(question.status_label)), "success")
            return redirect(url_for("questionbank.question_detail", question_id=question.id))
    return render_template("questionbank/question_form.html", form=form, bank=question.bank, qtype=question.type,
                           type_label=get_type(question.type).label, question=question)


@routes.route("/questions/<int:question_id>")
def question_detail(question_id):
    question = load_question(question_id)
    data = question.question_data()
    status_form = StatusForm()
    steps = services.status_steps(current_user, question)
    status_form.status.choices = [(s, label) for s, label in status_form.status.choices if s in steps]
    return render_template(
        "questionbank/question_detail.html", question=question, data=data, view=candidate_preview(data),
        correct=get_type(data.type).correct_response(data), reviews=queries.reviews(question.id),
        stats=question_usage_stats(question.id), status_form=status_form,
        can_approve=services.can_approve(current_user, question),
        syllabus_title=queries.syllabus_titles([data.syllabus]).get(data.syllabus) if data.syllabus else None,
        render=diffing.render_field,
    )


@routes.route("/questions/<int:question_id>/preview")
def question_preview(question_id):
    question = load_question(question_id)
    number = query_int("version")
    version = queries.version_by_number(question.id, number) if number else question.current_version
    if version is None:
        abort(404)
    return render_template("questionbank/preview.html", question=question, version=version, view=candidate_preview(version.question_data()))


@routes.route("/questions/<int:question_id>/history")
def question_history(question_id):
    question = load_question(question_id)
    versions = queries.versions(question.id)
    numbers = [v.number for v in versions]
    new = query_int("b") or (numbers[0] if numbers else None)
    old = query_int("a") or (numbers[1] if len(numbers) > 1 else new)
    by_number = {v.number: v for v in versions}
    if old not in by_number or new not in by_number:
        abort(404)
    rows = diffing.compare(by_number[old].question_data(), by_number[new].question_data())
    return render_template("questionbank/history.html", question=question, versions=versions, rows=rows, old=by_number[old], new=by_number[new])


@routes.route("/questions/<int:question_id>/status", methods=("POST",))
def question_status(question_id):
    question = load_question(question_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_status(question, form.status.data, current_user, form.comment.data or "")
        flash(_("Câu hỏi %(k)s: %(s)s.", k=question.key, s=_(question.status_label)), "success")
    except services.QuestionBankError as error:
        flash(str(error), "danger")
    return redirect_back(request.form.get("next"), url_for("questionbank.question_detail", question_id=question.id))


@routes.route("/review/")
def review_queue():
    pending = queries.review_queue(current_user)
    approvable = {q.id for q in pending if services.can_approve(current_user, q)}
    return render_template("questionbank/review.html", questions=pending, approvable=approvable, form=ReviewForm(), excerpt=excerpt)

