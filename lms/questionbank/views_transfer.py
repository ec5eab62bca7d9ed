"""Import (upload → preview → confirm), export and the XLSX template of question banks.
Registered by blueprint.py."""
import secrets

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select

from lms.audit.services import record
from lms.downloads import XLSX, download
from lms.extensions import db
from lms.org.models import PendingImport
from lms.questionbank import queries, services, transfer
from lms.questionbank.access import load_bank
from lms.questionbank.forms import EXPORT_FORMATS, ConfirmForm, ImportForm
from lms.routing import Routes

routes = Routes()

PENDING_KIND = "questions"


def _keep_status():
    # An upload by a trainer goes through review unless self-approval is configured;
    # administrators load reviewed banks as they are.
    return current_user.has_role("admin") or services.self_approval_allowed()


def _parse_and_check(bank, filename, content, default_module, apply):
    """(report, problems): problems are the file's own errors (with line/row/element)."""
    from lms.questionbank.formats import FormatError

    try:
        questions, warnings, _bank_in_file, images = transfer.parse_upload(filename, content, default_module=default_module or None)
    except FormatError as error:
        return None, [error.translated(_)]
    run = services.import_questions if apply else services.preview_import
    report = run(bank, questions, current_user, keep_status=_keep_status(), default_module=default_module or None, images=images)
    report.warnings[:0] = warnings
    return report, list(report.errors)


@routes.route("/banks/<int:bank_id>/import", methods=("GET", "POST"))
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


@routes.route("/banks/<int:bank_id>/import/<token>", methods=("POST",))
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


@routes.route("/banks/<int:bank_id>/export/<fmt>")
def export(bank_id, fmt):
    bank = load_bank(bank_id)
    if fmt not in EXPORT_FORMATS:
        abort(404)
    body, filename, mimetype = transfer.export_bank(bank, fmt, actor=current_user)
    return download(body, filename, mimetype)


@routes.route("/xlsx-template")
def xlsx_template():
    from lms.questionbank.formats import xlsx

    return download(xlsx.template_bytes(), "mau-nhap-cau-hoi.xlsx", XLSX)
