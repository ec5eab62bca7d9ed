"""Import (upload → preview → confirm), export, the XLSX template and question images."""
import secrets

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select

from lms.audit.services import record
from lms.auth.access import load_or_404, roles_allowed
from lms.errors import wants_json
from lms.extensions import db
from lms.org.models import PendingImport
from lms.questionbank import queries, services, transfer
from lms.questionbank.forms import EXPORT_FORMATS, ConfirmForm, ImageForm, ImportForm
from lms.questionbank.models import QuestionBank, QuestionImage
from lms.questionbank.views import bp, load_bank, local_target

PENDING_KIND = "questions"


def _keep_status():
    # An upload by a trainer goes through review unless self-approval is configured;
    # administrators load reviewed banks as they are.
    return current_user.has_role("admin") or services.self_approval_allowed()


def _parse_and_check(bank, filename, content, default_module, apply):
    """(report, problems): problems are the file's own errors (with line/row/element)."""
    from lms.questionbank.formats import FormatError

    try:
        questions, warnings, _bank_in_file = transfer.parse_upload(filename, content, default_module=default_module or None)
    except FormatError as error:
        return None, [error.translated(_)]
    run = services.import_questions if apply else services.preview_import
    report = run(bank, questions, current_user, keep_status=_keep_status(), default_module=default_module or None)
    report.warnings[:0] = warnings
    return report, list(report.errors)


@bp.route("/banks/<int:bank_id>/import", methods=["GET", "POST"])
def import_upload(bank_id):
    bank = load_bank(bank_id)
    form = ImportForm()
    form.module.choices = [("", _("(Theo tệp)"))] + [(m.code, f"{m.code} – {m.name}") for m in queries.modules()]
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        report, problems = _parse_and_check(bank, upload.filename, content, form.module.data, apply=False)
        pending = None
        if not problems:
            pending = PendingImport(token=secrets.token_urlsafe(24), kind=PENDING_KIND, filename=upload.filename, content=content,
                                    options={"bank_id": bank.id, "module": form.module.data or None}, user_id=current_user.id)
            db.session.add(pending)
        return render_template("questionbank/import_preview.html", bank=bank, report=report, problems=problems, pending=pending,
                               confirm=ConfirmForm(), filename=upload.filename)
    return render_template("questionbank/import_upload.html", bank=bank, form=form)


@bp.route("/banks/<int:bank_id>/import/<token>", methods=["POST"])
def import_confirm(bank_id, token):
    bank = load_bank(bank_id)
    pending = db.session.execute(
        select(PendingImport).where(PendingImport.token == token, PendingImport.kind == PENDING_KIND, PendingImport.user_id == current_user.id)
    ).scalar_one_or_none()
    if pending is None or pending.options.get("bank_id") != bank.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    filename, content, module = pending.filename, pending.content, pending.options.get("module")
    report, problems = _parse_and_check(bank, filename, content, module, apply=True)
    if problems:  # the bank changed between preview and confirmation: nothing is kept
        db.session.rollback()
        db.session.execute(delete(PendingImport).where(PendingImport.token == token))
        return render_template("questionbank/import_preview.html", bank=bank, report=report, problems=problems, pending=None,
                               confirm=None, filename=filename)
    db.session.execute(delete(PendingImport).where(PendingImport.id == pending.id))
    record("questionbank.import", target=bank.name, file=filename, added=report.added, updated=report.updated, unchanged=report.unchanged)
    flash(_("Đã nhập: %(a)d thêm mới, %(u)d cập nhật, %(n)d không đổi.", a=report.added, u=report.updated, n=report.unchanged), "success")
    for warning in report.warnings:
        flash(warning, "warning")
    return redirect(url_for("questionbank.questions", bank=bank.id))


@bp.route("/banks/<int:bank_id>/export/<fmt>")
def export(bank_id, fmt):
    bank = load_bank(bank_id)
    if fmt not in EXPORT_FORMATS:
        abort(404)
    body, filename, mimetype = transfer.export_bank(bank, fmt, actor=current_user)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/xlsx-template")
def xlsx_template():
    from lms.questionbank.formats import xlsx

    return Response(xlsx.template_bytes(), mimetype=transfer.EXPORT_FILES["xlsx"][1],
                    headers={"Content-Disposition": "attachment; filename=mau-nhap-cau-hoi.xlsx"})


# --- Images ------------------------------------------------------------------------------

# Exam delivery appends checks `check(user, image) -> bool` (e.g. "the image belongs to a
# question on this candidate's open paper") and lets learners through the role gate.
MEDIA_ACCESS_CHECKS = []


def media_access_allowed(user, image):
    """The one place that decides who may fetch a question image."""
    if user.has_role("trainer", "admin") and image.bank_id is not None:
        bank = db.session.get(QuestionBank, image.bank_id)
        if bank is not None and queries.can_access_bank(user, bank):
            return True
    return any(check(user, image) for check in MEDIA_ACCESS_CHECKS)


def media_url(image_id):
    return url_for("questionbank.media", image_id=image_id)


@roles_allowed("trainer", "admin", "learner")
def media(image_id):
    image = load_or_404(QuestionImage, image_id)
    if not media_access_allowed(current_user, image):
        abort(403)
    response = Response(image.content, mimetype=image.content_type)
    response.headers["Content-Disposition"] = "inline"
    return response


def _register_media_route(state):
    # Served under /media/ (where the sanitiser lets <img src> point), yet an endpoint of
    # this blueprint, so that its role gate and the URL-map access tests cover it.
    state.app.add_url_rule("/media/questions/<int:image_id>", endpoint="questionbank.media", view_func=media)


bp.record_once(_register_media_route)


@bp.route("/banks/<int:bank_id>/images", methods=["POST"])
def image_upload(bank_id):
    bank = load_bank(bank_id)
    form = ImageForm()
    if not form.validate_on_submit():
        return _image_answer(None, _("Chưa chọn ảnh."), bank)
    upload = form.file.data
    try:
        image = transfer.store_image(bank, upload.filename, upload.read(), current_user)
    except services.QuestionBankError as error:
        return _image_answer(None, str(error), bank)
    return _image_answer(image, None, bank)


def _image_answer(image, error, bank):
    if wants_json():
        if error:
            return jsonify({"error": 400, "message": error}), 400
        url = media_url(image.id)
        return jsonify({"id": image.id, "url": url, "markdown": f"![]({url})"})
    if error:
        flash(error, "danger")
    else:
        flash(_("Đã tải ảnh lên. Chèn vào nội dung: %(m)s", m=f"![]({media_url(image.id)})"), "success")
    return redirect(local_target(request.form.get("next")) or url_for("questionbank.bank_detail", bank_id=bank.id))

