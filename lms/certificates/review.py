"""A certificate's result changed, or an administrator decides: flag, keep, revoke.

A regrade below the pass mark or a reopening never changes a certificate silently: the
certificates resting on that attempt are flagged, in the transaction of the change, for an
administrator to revoke or keep with a reason. Writes flush, never commit.
"""
from sqlalchemy import select

from lms.certificates.models import FLAGGED, KEPT, NOT_FLAGGED, REVOKED, VALID, Certificate, CertificateBasis, CertificateEvent
from lms.certificates.rules import Rule, decide
from lms.certificates.sittings import sittings_of_session
from lms.exams import results
from lms.extensions import db
from lms.scope import Scope
from lms.text import tidy

CONSUMER = "certificates"


class ReviewError(ValueError):
    """A decision the certificate's state does not allow (the message is for the user)."""


def flag_unsupported(attempt_ids, now):
    """Flag each valid, unflagged certificate resting on these attempts whose sitting no
    longer qualifies for its rule (or no longer names the same modules). Returns them."""
    if not attempt_ids:
        return []
    resting = select(CertificateBasis.certificate_id).where(CertificateBasis.attempt_id.in_(sorted(attempt_ids)))
    certificates = db.session.execute(
        select(Certificate).where(Certificate.id.in_(resting), Certificate.status == VALID, Certificate.review != FLAGGED)
        .order_by(Certificate.id)
    ).scalars().all()
    flagged = []
    for certificate in certificates:
        record = sittings_of_session(certificate.candidate.session, Scope.city(), [certificate.candidate_id]).get(certificate.candidate_id)
        decision = decide(Rule.of(certificate.rule), record.sitting) if record else None
        if decision is not None and decision.qualifies and set(certificate.module_codes) <= set(decision.modules):
            continue
        certificate.review = FLAGGED
        db.session.add(CertificateEvent(certificate_id=certificate.id, kind="flagged", at=now,
                                        details={"attempts": sorted(attempt_ids), "reason": decision.reason if decision else "no_result"}))
        flagged.append(certificate)
    db.session.flush()
    return flagged


def react_to_result_events(now, limit=1000):
    """Read the result events since this consumer's cursor and flag what they undermine:
    the safety net behind the in-transaction reaction (run by `schedule run`). Idempotent."""
    cursor, events = results.unread_events(CONSUMER, limit)
    changed = {event.attempt_id for event in events if event.kind in (results.REGRADED, results.REOPENED)}
    flagged = flag_unsupported(changed, now)
    results.mark_read(cursor, events)
    return len(events), flagged


def keep(certificate, now, actor, reason):
    reason = tidy(reason)
    if certificate.review != FLAGGED:
        raise ReviewError("Chứng chỉ này không ở trạng thái chờ quyết định.")
    if not reason:
        raise ReviewError("Cần ghi lý do giữ nguyên chứng chỉ.")
    certificate.review, certificate.review_note = KEPT, reason
    db.session.add(CertificateEvent(certificate_id=certificate.id, kind="kept", at=now, actor_id=actor.id if actor else None, reason=reason))
    db.session.flush()


def revoke(certificate, now, actor, reason):
    """Revoke with a date and a reason; the entry stays in the register."""
    reason = tidy(reason)
    if certificate.status != VALID:
        raise ReviewError("Chỉ thu hồi được chứng chỉ còn hiệu lực.")
    if not reason:
        raise ReviewError("Cần ghi lý do thu hồi.")
    certificate.status, certificate.revoked_at, certificate.revoked_reason = REVOKED, now, reason
    if certificate.review == FLAGGED:
        certificate.review = NOT_FLAGGED
    db.session.add(CertificateEvent(certificate_id=certificate.id, kind="revoked", at=now, actor_id=actor.id if actor else None, reason=reason))
    db.session.flush()
