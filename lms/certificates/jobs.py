"""The certificate batch as a job (lms.jobs): every pending certificate of a session, each
committed as it is issued, the holders told by e-mail. Safe to run again: what was issued
is found, not issued twice."""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.auth.models import User
from lms.certificates import authority as authorities
from lms.certificates import issuance
from lms.exams.models import ExamSession
from lms.extensions import db
from lms.mail import deliver_pending, queue
from lms.models_base import utcnow
from lms.scope import Scope


def scope_params(scope: Scope) -> dict:
    return {"everything": scope.everything, "unit_paths": list(scope.unit_paths)}


def issue_session(params, progress):
    """params: session_id, actor_id, scope ({everything, unit_paths}) of who asked."""
    session = db.session.get(ExamSession, params["session_id"])
    actor = db.session.get(User, params["actor_id"]) if params.get("actor_id") else None
    scope = Scope(params["scope"]["unit_paths"], everything=params["scope"]["everything"])
    issued = issue_pending(session, scope, actor, progress.start, progress.advance)
    return {"issued": issued, "session_id": session.id}


def issue_pending(session, scope, actor=None, started=None, advanced=None):
    """Issue the session's pending certificates of the scope, each committed, the holders told;
    `started(count)` and `advanced()` report progress. Returns how many were issued now."""
    authority = authorities.current()
    issued = 0
    # Twice: an advanced certificate may need the basic one this batch issues.
    for round_number in range(2):
        pending = issuance.pending_in_session(session, scope)
        if round_number == 0 and started:
            started(len(pending))
        for item in pending:
            certificate, created = issuance.issue(item, authority, utcnow(), actor)
            if created:
                notify_holder(certificate, authority)
                issued += 1
            db.session.commit()
            if round_number == 0 and advanced:
                advanced()
        if not pending:
            break
    deliver_pending(current_app.config)
    return issued


def notify_holder(certificate, authority):
    """Queue the holder's e-mail with the verification link (when the staff record has one)."""
    email = (certificate.staff.email or "").strip()
    if not email:
        return None
    with force_locale("vi"):
        subject = _("%(title)s của anh/chị đã được cấp", title=certificate.rule.title.capitalize())
        body = _(
            "Kính gửi %(name)s,\n\n%(body)s đã cấp cho anh/chị %(title)s, số hiệu %(serial)s, số vào sổ %(number)s, "
            "ngày %(date)s.\n\nTra cứu và tải chứng chỉ (bản PDF có chữ ký số): %(url)s\n\n"
            "Đây là thư tự động, xin không trả lời.",
            name=certificate.holder_name, body=certificate.issuing_body, title=certificate.rule.title.lower(), serial=certificate.serial,
            number=certificate.register_number, date=certificate.issue_date.strftime("%d/%m/%Y"), url=authority.verify_url(certificate.code),
        )
    return queue(email, subject, body, kind="certificate.issued", staff_id=certificate.staff_id)
