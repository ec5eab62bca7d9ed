"""Background jobs with progress: a row per job (state, done/total, result), run by a plain
function `fn(params, progress)` named in JOB_FUNCTIONS.

On the embedded default a job runs in a thread of this process ("thread"), or at once when
the app is configured "eager" (tests, commands); the same function moves unchanged onto a
job queue over Redis. A function must be safe to run again (idempotent): a job left running
by a process that died is run again by `schedule run` (resume_stale).
"""
import importlib
import threading
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.database import immediate_transactions
from lms.extensions import db
from lms.messages import N_
from lms.models_base import UTCDateTime, label_of, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = {QUEUED: N_("Đang chờ"), RUNNING: N_("Đang chạy"), DONE: N_("Đã xong"), FAILED: N_("Lỗi")}
# kind → "module:function"; a name, not an import, so that the runner stays below the areas.
JOB_FUNCTIONS = {
    "certificates.issue_session": "lms.certificates.jobs:issue_session",
    "mail.deliver": "lms.mail:deliver_job",
    "reports.export": "lms.reports.export_jobs:export_report",
}
STALE_AFTER = timedelta(minutes=10)


class Job(db.Model):
    __tablename__ = "job"
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default=QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    state_label = label_of("state", STATES)

    @property
    def percent(self):
        return 100 if self.state == DONE else (int(100 * self.done / self.total) if self.total else 0)

    def as_json(self):
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.total, "percent": self.percent,
                "result": self.result, "error": self.error}


class Progress:
    """What a job function reports through: the total, then each item done (committed, so a
    page polling the job sees it move)."""

    def __init__(self, job):
        self.job = job

    def start(self, total):
        self.job.total, self.job.updated_at = total, utcnow()
        db.session.commit()

    def advance(self, count=1):
        self.job.done += count
        self.job.updated_at = utcnow()
        db.session.commit()


def submit(kind, params, actor=None) -> Job:
    """Record the job and commit it, then run it (in a thread, or at once)."""
    if kind not in JOB_FUNCTIONS:
        raise KeyError(kind)
    job = Job(kind=kind, params=params, created_by_id=actor.id if actor is not None else None)
    db.session.add(job)
    db.session.commit()
    if current_app.config.get("JOBS_MODE") == "eager":
        run(job.id)
    else:
        app = current_app._get_current_object()
        threading.Thread(target=_run_in_app, args=(app, job.id), name=f"job-{job.id}", daemon=True).start()
    return job


def _run_in_app(app, job_id):
    with app.app_context():
        run(job_id)
        db.session.remove()


def run(job_id):
    """Run the job's function; its state, progress and result are committed as it goes."""
    with immediate_transactions():
        job = db.session.get(Job, job_id)
        job.state, job.updated_at, job.error = RUNNING, utcnow(), ""
        db.session.commit()
        module_name, function_name = JOB_FUNCTIONS[job.kind].split(":")
        function = getattr(importlib.import_module(module_name), function_name)
        try:
            result = function(dict(job.params), Progress(job))
        except Exception as error:  # the job fails visibly, the process goes on
            db.session.rollback()
            job = db.session.get(Job, job_id)
            job.state, job.error, job.finished_at = FAILED, f"{type(error).__name__}: {error}", utcnow()
            db.session.commit()
            current_app.logger.exception("job %s (%s) failed", job_id, job.kind)
            return job
        job.state, job.result, job.finished_at, job.updated_at = DONE, result or {}, utcnow(), utcnow()
        db.session.commit()
        return job


def resume_stale(now):
    """Run again the jobs a dead process left queued or running (no progress for a while)."""
    stale = db.session.execute(
        select(Job.id).where(Job.state.in_((QUEUED, RUNNING)), Job.updated_at < now - STALE_AFTER).order_by(Job.id)
    ).scalars().all()
    for job_id in stale:
        run(job_id)
    return len(stale)
