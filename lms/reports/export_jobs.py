"""A report's export, however it is asked for: the filter lines and the file name, whether it
runs as a background job (lms.jobs) or downloads at once, and the job itself. The page, the
job and `flask reports export` all write tables.export_tables through write_report, so the
same filters give the same file.

Finished files are kept in <instance>/exports/: the folder beside UPLOAD_DIR (instance/uploads
by default, so instance/exports), each named by a random token so that no name can be guessed
and a new database's job ids never meet an older file.
"""
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from lms.catalogue.models import MODULE_LEVELS, TITLE_GROUPS, Title
from lms.database import begin_immediate, immediate_transactions
from lms.extensions import db
from lms.messages import N_, Message
from lms.reports import gaps, tables
from lms.reports.exports import FORMATS, write_report
from lms.reports.facts import build_context, population
from lms.reports.filters import ReportFilters, parse_filters
from lms.reports.tables import export_tables
from lms.scope import Scope

JOB_ROWS = 5000  # more rows than this may take long: the export runs as a job
PROGRESS_STEP = 1000  # rows written between two progress reports
FILE_STEMS = {"units": "bao-cao-don-vi", "titles": "bao-cao-chuc-danh", "modules": "bao-cao-mo-dun",
              "periods": "bao-cao-theo-ky", "gaps": "bao-cao-chua-dat", "profile": "ho-so-nang-luc"}


def export_root() -> Path:
    """Where finished exports are kept: <instance>/exports, beside UPLOAD_DIR."""
    return Path(current_app.config["UPLOAD_DIR"]).resolve().parent / "exports"


def scope_from_params(params) -> Scope:
    """The inverse of lms.certificates.jobs.scope_params."""
    return Scope(params.get("unit_paths", ()), everything=bool(params.get("everything")))


def title_lines(context, gettext):
    """The filters under a PDF's title: "Đơn vị: Quận Long Biên · Kỳ: 2017", then the rest."""
    filters = context.filters
    unit = context.root.name if context.root is not None else gettext(N_("Các đơn vị trong phạm vi"))
    period = filters.period.label if filters.period else gettext(N_("hiện tại"))
    lines = [" · ".join([Message(N_("Đơn vị: %(unit)s"), unit=unit).translated(gettext),
                         Message(N_("Kỳ: %(period)s"), period=period).translated(gettext)])]
    others = []
    if filters.title_code:
        name = db.session.execute(select(Title.name).where(Title.code == filters.title_code)).scalar_one_or_none()
        others.append(Message(N_("Chức danh: %(title)s"), title=name or filters.title_code))
    if filters.title_group:
        others.append(Message(N_("Nhóm chức danh: %(group)s"), group=Message(TITLE_GROUPS.get(filters.title_group, filters.title_group))))
    if filters.module_code:
        others.append(Message(N_("Mô-đun: %(module)s"), module=filters.module_code))
    if filters.level:
        others.append(Message(N_("Trình độ: %(level)s"), level=Message(MODULE_LEVELS[filters.level])))
    if filters.deadline_before:
        others.append(Message(N_("Hạn hoàn thành đến: %(date)s"), date=filters.deadline_before.strftime("%d/%m/%Y")))
    if others:
        lines.append(" · ".join(message.translated(gettext) for message in others))
    return lines


def write_export(context, report, fmt, out, gettext, locale="vi"):
    """The export of `report` over `context` as `fmt` into the binary file `out`."""
    write_report(export_tables(context, report, fmt), fmt, out, gettext, title_lines=title_lines(context, gettext), locale=locale)


def export_filename(context, report, fmt):
    """A name for the person who downloads it: bao-cao-don-vi-LB-2017.xlsx."""
    filters = context.filters
    unit_code = filters.unit_code or (context.root.code if context.root is not None else "")
    parts = [FILE_STEMS[report], unit_code, filters.period.label if filters.period else ""]
    return "-".join(part for part in parts if part) + f".{fmt}"


def _count(query):
    return db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def gap_count(context):
    return _count(gaps.gaps_query(context).order_by(None))


def people_count(context):
    return db.session.execute(select(func.count()).select_from(population(context))).scalar_one()


def needs_job(context, report, fmt, row_count=None) -> bool:
    """True when the export may exceed JOB_ROWS rows, so it runs as a job: the units XLSX
    (its per-person sheet) over more people than that, or the gaps when there are more (the
    page may pass its pager's total as `row_count`; the PDF is cut at 5,000 rows but takes
    seconds even so). Any other export is a few hundred rows at most: downloaded at once."""
    if report == "units" and fmt == "xlsx":
        return (row_count if row_count is not None else people_count(context)) > JOB_ROWS
    if report == "gaps":
        return (row_count if row_count is not None else gap_count(context)) > JOB_ROWS
    return False


def export_job_params(report, filters: ReportFilters, fmt, scope, lang, actor_id=None):
    """The params of a "reports.export" job; the token names the file, the same on a re-run
    (without one, the file is named from the job: see _job_token)."""
    from lms.certificates.jobs import scope_params

    return {"report": report, "args": filters.as_query(), "fmt": fmt, "scope": scope_params(scope), "lang": lang,
            "actor_id": actor_id, "token": secrets.token_urlsafe(12)}


class _SideProgress:
    """Progress written in an app context of its own (its own session and connection): the
    job's session is reading a streamed result, which committing it would close (PostgreSQL
    drops a server-side cursor at COMMIT)."""

    def __init__(self, job_id):
        self.job_id, self.written, self.reported = job_id, 0, 0

    def counted(self, rows):
        for row in rows:
            yield row
            self.written += 1
            if self.written - self.reported >= PROGRESS_STEP:
                self.report()

    def report(self, final=False):
        """Advance by the rows written since the last report; at the end, the total becomes
        the rows actually written (the estimate counted people, not every sheet's rows)."""
        from lms.jobs import Job, Progress

        with current_app.app_context(), immediate_transactions():
            try:
                progress = Progress(db.session.get(Job, self.job_id))
                if self.written > self.reported:
                    progress.advance(self.written - self.reported)
                if final and progress.job.total != progress.job.done:
                    progress.start(progress.job.done)
            finally:
                db.session.remove()
        self.reported = self.written


def _counted_tables(found, side):
    if isinstance(found, tables.ReportTable):
        found = [found]
    for table in found:
        table.rows = side.counted(table.rows)
        yield table


def _estimate(context, report, fmt):
    if report == "units" and fmt == "xlsx":
        return people_count(context)
    if report == "gaps":
        return gap_count(context)
    return 0


def _job_token(job):
    """The file's random part when the params carry none: keyed by the app's secret, the same
    on a re-run of the job, and not the same for another database's job of that id."""
    message = f"reports.export:{job.id}:{job.created_at.isoformat()}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:24]


def export_report(params, progress):
    """The "reports.export" job. params: report, args (the page's query-string filters), fmt,
    scope ({everything, unit_paths}), lang, actor_id, token. Writes the file under
    export_root() and returns {"path", "filename"}; run again, it rewrites the same file."""
    from flask_babel import force_locale
    from flask_babel import gettext as babel_gettext

    report, fmt = params["report"], params["fmt"]
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    lang = params.get("lang") if params.get("lang") in current_app.config.get("LANGUAGES", {}) else "vi"
    directory = export_root()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{params.get('token') or _job_token(progress.job)}.{fmt}"
    partial = path.with_name(path.name + ".part")
    side = _SideProgress(progress.job.id)
    db.session.commit()  # run()'s transaction ends before the reads
    # Reads take no write lock (SQLite: BEGIN, not BEGIN IMMEDIATE): a long export never
    # holds up the exams.
    reads = begin_immediate(False)
    try:
        context = build_context(scope_from_params(params["scope"]), parse_filters(report, params.get("args") or {}))
        estimate, filename = _estimate(context, report, fmt), export_filename(context, report, fmt)
        db.session.rollback()  # the counting read ends before the job row is written
        with immediate_transactions():
            progress.job.done = 0  # a re-run counts from the start
            progress.start(estimate)
        with force_locale(lang), open(partial, "wb") as out:
            found = _counted_tables(export_tables(context, report, fmt), side)
            write_report(found, fmt, out, babel_gettext, title_lines=title_lines(context, babel_gettext), locale=lang)
        os.replace(partial, path)  # a reader never sees half a file; a re-run replaces it whole
        db.session.rollback()
    except BaseException:
        partial.unlink(missing_ok=True)
        db.session.rollback()
        raise
    finally:
        reads.var.reset(reads)
    side.report(final=True)
    return {"path": str(path), "filename": filename}
