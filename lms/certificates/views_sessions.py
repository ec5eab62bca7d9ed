"""Issuing after an exam session: the sessions whose results are released, each with its
pending and issued certificates; issuing them all as a background job with a progress bar;
a ZIP of the PDFs. HR officers act on the candidates of their subtree, administrators on all."""
import tempfile
import zipfile

from flask import abort, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.audit.services import record
from lms.auth.access import hr_scope, load_or_404
from lms.certificates import issuance, queries
from lms.certificates.forms import ConfirmForm
from lms.certificates.jobs import scope_params
from lms.downloads import ZIP, download
from lms.exams.models import ExamCandidate, ExamSession
from lms.extensions import db
from lms.jobs import Job, submit
from lms.redirects import redirect_with
from lms.routing import Routes
from lms.transactions import refused

routes = Routes()


@routes.route("/sessions")
def sessions():
    return render_template("certificates/sessions.html", sessions=queries.released_sessions(hr_scope()))


def _released_session(session_id):
    """A session with released results and candidates in the reader's scope."""
    session = load_or_404(ExamSession, session_id)
    if session.results_released_at is None:
        abort(404)
    if not queries.session_has_candidates(session.id, hr_scope()):
        abort(403)
    return session


@routes.route("/sessions/<int:session_id>")
def session_page(session_id):
    session = _released_session(session_id)
    scope = hr_scope()
    pending = issuance.pending_in_session(session, scope)
    wanted = [item.candidate_id for item in pending]
    candidates = {c.id: c for c in db.session.execute(select(ExamCandidate).where(ExamCandidate.id.in_(wanted))).scalars()} if wanted else {}
    return render_template("certificates/session.html", session=session, pending=pending, candidates=candidates,
                           issued=queries.session_certificates(session.id, scope), form=ConfirmForm())


@routes.route("/sessions/<int:session_id>/issue", methods=("POST",))
def issue_session(session_id):
    session = _released_session(session_id)
    if not ConfirmForm().validate_on_submit():
        refused()
        abort(400)
    job = submit("certificates.issue_session",
                      {"session_id": session.id, "actor_id": current_user.id, "scope": scope_params(hr_scope())}, current_user)
    record("certificates.issue_session", target=f"exam_session:{session.id}", job=job.id)
    return redirect_with(_("Đang cấp chứng chỉ; theo dõi tiến độ bên dưới."), url_for(".job_page", job_id=job.id))


def _own_job(job_id):
    job = load_or_404(Job, job_id)
    if job.created_by_id != current_user.id and not current_user.has_role("admin"):
        abort(403)
    return job


@routes.route("/jobs/<int:job_id>")
def job_page(job_id):
    job = _own_job(job_id)
    session_id = job.params.get("session_id")
    return render_template("certificates/job.html", job=job, session=db.session.get(ExamSession, session_id) if session_id else None)


@routes.route("/jobs/<int:job_id>.json")
def job_status(job_id):
    return jsonify(_own_job(job_id).as_json())


@routes.route("/sessions/<int:session_id>/certificates.zip")
def session_zip(session_id):
    session = _released_session(session_id)
    certificates = queries.session_certificates(session.id, hr_scope())
    if not certificates:
        abort(404)
    # Spooled to disk past a few MB: a session's PDFs never sit in memory all at once.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            stored = queries.pdf_of(certificate)
            archive.writestr(f"{certificate.register_number.replace('/', '-')}_{certificate.serial}.pdf", stored.content)
            db.session.expunge(stored)
    spool.seek(0)
    record("certificates.zip", target=f"exam_session:{session.id}", files=len(certificates))
    return download(spool, f"chung-chi-ky-thi-{session.id}.zip", ZIP)
