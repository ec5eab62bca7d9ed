"""A report page's exports: the same scope, filters and sort as the page, as XLSX, CSV or PDF.
A small export downloads at once; one that may run long (every person of a district, every
gap) runs as a job, with a progress page and the file to download when it is ready."""
import tempfile
from pathlib import Path

from flask import abort, jsonify, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.audit.services import record
from lms.auth.access import load_or_404
from lms.downloads import download, mime_type
from lms.jobs import Job, submit
from lms.reports.export_jobs import export_filename, export_job_params, export_root, needs_job, write_export
from lms.reports.exports import FORMATS
from lms.reports.tables import TABLES
from lms.reports.views import report_context, routes


@routes.route("/<report>.<fmt>")
def export(report, fmt):
    if report not in TABLES or fmt not in FORMATS:
        abort(404)
    context = report_context(report)
    if needs_job(context, report, fmt):
        params = export_job_params(report, context.filters, fmt, context.scope, str(get_locale() or "vi"), current_user.id)
        job = submit("reports.export", params, current_user)
        record("reports.export", target=f"job:{job.id}", report=report, fmt=fmt)
        return redirect(url_for(".export_job", job_id=job.id))
    # Spooled to disk past a few MB: a large sheet never sits in memory whole.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_export(context, report, fmt, spool, _, locale=str(get_locale() or "vi"))
    spool.seek(0)
    record("reports.export", target=f"report:{report}", fmt=fmt, **context.filters.as_query())
    return download(spool, export_filename(context, report, fmt))


def _own_export(job_id):
    job = load_or_404(Job, job_id)
    if job.kind != "reports.export" or (job.created_by_id != current_user.id and not current_user.has_role("admin")):
        abort(404)
    return job


@routes.route("/exports/<int:job_id>")
def export_job(job_id):
    return render_template("reports/export_job.html", job=_own_export(job_id))


@routes.route("/exports/<int:job_id>.json")
def export_job_status(job_id):
    return jsonify(_own_export(job_id).as_json())


@routes.route("/exports/<int:job_id>/file")
def export_file(job_id):
    job = _own_export(job_id)
    stored = job.result.get("path") if job.state == "done" else None
    if not stored:
        abort(404)
    path = Path(stored).resolve()
    root = export_root().resolve()
    if root not in path.parents or not path.is_file():  # only a file the export job wrote
        abort(404)
    return download(path, job.result.get("filename") or path.name, mime_type(path.name))
