"""A regrade below the pass mark or a reopening flags the certificates resting on the attempt,
in the transaction of the change, for an administrator's decision; nothing changes silently."""
import pytest
from certificate_support import PASSING, issue_all, released_session
from exam_support import answered, correct_key, loaded
from sqlalchemy import select

from lms.auth.services import find_user
from lms.certificates import review
from lms.certificates.models import FLAGGED, KEPT, NOT_FLAGGED, REVOKED, VALID, Certificate, CertificateEvent
from lms.exams import grading, proctoring
from lms.extensions import db
from lms.models_base import utcnow


def certified():
    session, _candidates, attempts = released_session([PASSING])
    certificate = issue_all(session)[0]
    return certificate.id, attempts[0]


def reread(certificate_id):
    db.session.expire_all()
    return db.session.get(Certificate, certificate_id)


def regrade_below_pass(attempt_id):
    """The five IU01 questions answered right get another key: 19/30 becomes 14/30 (4.66)."""
    for question in answered(attempt_id, "IU01", 1):
        correct_key(question, right=2)
    grading.regrade_attempt(loaded(attempt_id), utcnow(), find_user("trainer"), "Sửa đáp án IU01")
    db.session.commit()


def test_a_regrade_below_the_pass_mark_flags_the_certificate_in_the_same_commit(demo):
    certificate_id, attempt_id = certified()
    regrade_below_pass(attempt_id)
    certificate = reread(certificate_id)
    assert (certificate.status, certificate.review) == (VALID, FLAGGED)  # flagged, not changed
    assert [e.kind for e in certificate_events(certificate_id)] == ["issued", "flagged"]


def test_a_regrade_that_keeps_the_pass_flags_nothing(demo):
    certificate_id, attempt_id = certified()
    correct_key(answered(attempt_id, "IU06", 0)[0], right=0)  # one more right answer
    grading.regrade_attempt(loaded(attempt_id), utcnow(), find_user("trainer"), "Sửa đáp án IU06")
    db.session.commit()
    assert reread(certificate_id).review == NOT_FLAGGED


def test_a_reopening_flags_and_a_rolled_back_one_does_not(demo):
    certificate_id, attempt_id = certified()
    proctoring.reopen_attempt(loaded(attempt_id), utcnow(), find_user("trainer"), 10, "Mất điện")
    db.session.rollback()
    assert reread(certificate_id).review == NOT_FLAGGED
    proctoring.reopen_attempt(loaded(attempt_id), utcnow(), find_user("trainer"), 10, "Mất điện")
    db.session.commit()
    assert reread(certificate_id).review == FLAGGED


def test_the_administrator_keeps_with_a_reason_or_revokes(demo):
    certificate_id, attempt_id = certified()
    regrade_below_pass(attempt_id)
    certificate = reread(certificate_id)
    with pytest.raises(review.ReviewError):
        review.keep(certificate, utcnow(), find_user("admin"), "")
    review.keep(certificate, utcnow(), find_user("admin"), "Hội đồng thi giữ nguyên kết quả cũ")
    db.session.commit()
    assert (reread(certificate_id).review, reread(certificate_id).status) == (KEPT, VALID)
    with pytest.raises(review.ReviewError):  # kept: no longer waiting for a decision
        review.keep(reread(certificate_id), utcnow(), find_user("admin"), "Lại")
    review.revoke(reread(certificate_id), utcnow(), find_user("admin"), "Thanh tra kết luận không đạt")
    db.session.commit()
    assert reread(certificate_id).status == REVOKED


def test_the_event_cursor_catches_up_once(demo):
    certificate_id, attempt_id = certified()
    read, flagged = review.react_to_result_events(utcnow())
    db.session.commit()
    assert read >= 2 and flagged == []
    # A change whose in-transaction reaction was undone (say, by hand) is caught by the cursor.
    regrade_below_pass(attempt_id)
    certificate = reread(certificate_id)
    certificate.review = NOT_FLAGGED
    db.session.commit()
    read, flagged = review.react_to_result_events(utcnow())
    db.session.commit()
    assert [c.id for c in flagged] == [certificate_id]
    assert review.react_to_result_events(utcnow())[0] == 0


def certificate_events(certificate_id):
    return db.session.execute(select(CertificateEvent).where(CertificateEvent.certificate_id == certificate_id).order_by(CertificateEvent.id)).scalars().all()
