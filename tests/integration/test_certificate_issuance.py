"""Issuing certificates from released exam sittings: once per sitting and rule, numbered in
the year's register without a gap, signed, kept; reissued and revoked without deleting."""
import threading

import pytest
from certificate_support import ALL_RIGHT, FAILING, PASSING, issue_all, released_session
from sqlalchemy import func, select

from lms.auth.services import find_user
from lms.certificates import authority as authorities
from lms.certificates import issuance, review
from lms.certificates.models import REPLACED, REVOKED, VALID, Certificate, CertificateEvent, CertificateFile
from lms.exams.models import ExamCandidate
from lms.extensions import db
from lms.localtime import local_today
from lms.models_base import utcnow
from lms.scope import Scope


def test_passing_sittings_are_pending_then_issued_once_however_often_issuance_runs(demo):
    session, candidates, _attempts = released_session([PASSING, FAILING, ALL_RIGHT])
    pending = issuance.pending_in_session(session, Scope.city())
    assert [p.candidate_id for p in pending] == [candidates[0], candidates[2]]
    first = issue_all(session)
    assert issue_all(session) == []  # nothing pending any more
    again, created = issuance.issue(pending[0], authorities.current(), utcnow())
    assert not created and again.id == first[0].id
    assert db.session.execute(select(func.count(Certificate.id))).scalar_one() == 2
    year = local_today().year
    assert [(c.register_seq, c.register_number) for c in first] == [(1, f"0001/{year}"), (2, f"0002/{year}")]
    assert first[0].serial == f"CB{year % 100:02d}000001"
    learner = find_user("learner").staff
    assert first[0].holder_name == learner.full_name and first[0].staff_id == learner.id
    assert first[0].module_codes == ["IU01", "IU02", "IU03", "IU04", "IU05", "IU06"]
    assert len(first[0].code) >= 16 and first[0].code != str(first[0].id)


def test_the_issued_pdf_is_signed_and_stored_with_its_hash(demo):
    import hashlib

    from lms.certificates import signing

    session, _candidates, _attempts = released_session([PASSING])
    certificate = issue_all(session)[0]
    stored = db.session.execute(select(CertificateFile).where(CertificateFile.certificate_id == certificate.id)).scalar_one()
    assert stored.sha256 == hashlib.sha256(stored.content).hexdigest()
    check = signing.verify_pdf(stored.content, authorities.current().trust_roots)
    assert check.valid, check.reason
    assert check.fields["code"] == certificate.code and check.fields["register_number"] == certificate.register_number


def test_an_unreleased_session_has_nothing_pending(demo):
    session, _candidates, _attempts = released_session([PASSING])
    session.results_released_at = None
    db.session.commit()
    assert issuance.pending_in_session(session, Scope.city()) == []


def test_an_hr_scope_sees_only_its_candidates_pending(demo):
    session, candidates, _attempts = released_session([PASSING, PASSING])
    learner_unit = find_user("learner").staff.unit
    pending = issuance.pending_in_session(session, Scope([learner_unit.path]))
    assert candidates[0] in [p.candidate_id for p in pending]
    assert all(db.session.get(ExamCandidate, p.candidate_id).staff.unit.path.startswith(learner_unit.path) for p in pending)
    assert candidates[1] not in [p.candidate_id for p in pending] or db.session.get(ExamCandidate, candidates[1]).staff.unit.path.startswith(
        learner_unit.path)


def test_reissue_links_a_new_entry_and_keeps_the_old_one_as_replaced(demo):
    session, _candidates, _attempts = released_session([PASSING])
    old = issue_all(session)[0]
    new = issuance.reissue(old, authorities.current(), utcnow(), find_user("admin"), "Sai chính tả họ tên",
                           {"holder_name": "Nguyễn Thị Ánh Tuyết"})
    db.session.commit()
    assert new.replaces_id == old.id and new.holder_name == "Nguyễn Thị Ánh Tuyết"
    assert (old.status, new.status) == (REPLACED, VALID)
    assert new.register_seq == old.register_seq + 1 and new.serial != old.serial and new.code != old.code
    assert db.session.execute(select(func.count(Certificate.id))).scalar_one() == 2
    kinds = db.session.execute(select(CertificateEvent.kind).where(CertificateEvent.certificate_id == old.id).order_by(CertificateEvent.id)).scalars().all()
    assert kinds == ["issued", "replaced"]
    # The sitting stays certified once: the reissue is not a second certificate for it.
    assert issue_all(session) == []


def test_revoke_keeps_the_entry_with_date_and_reason_and_refuses_twice(demo):
    session, _candidates, _attempts = released_session([PASSING])
    certificate = issue_all(session)[0]
    with pytest.raises(review.ReviewError):
        review.revoke(certificate, utcnow(), find_user("admin"), "   ")
    review.revoke(certificate, utcnow(), find_user("admin"), "Cấp nhầm người")
    db.session.commit()
    assert certificate.status == REVOKED and certificate.revoked_at is not None and certificate.revoked_reason == "Cấp nhầm người"
    with pytest.raises(review.ReviewError):
        review.revoke(certificate, utcnow(), find_user("admin"), "Lần nữa")


def test_register_numbers_have_no_gap_and_no_duplicate_under_concurrent_issuance(app, demo):
    """Several workers issue the same session's certificates at once: each sitting once, numbers 1..n."""
    patterns = [PASSING] * 6
    session, candidates, _attempts = released_session(patterns)
    pending = issuance.pending_in_session(session, Scope.city())
    assert len(pending) == 6
    db.session.commit()  # the workers' commits are then visible to this session's next reads
    errors = []

    def worker():
        from lms.database import immediate_transactions

        with app.app_context(), immediate_transactions():
            try:
                for item in pending:
                    issuance.issue(item, authorities.current(), utcnow())
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = db.session.execute(select(Certificate.candidate_id, Certificate.register_seq).order_by(Certificate.register_seq)).all()
    assert [seq for _candidate, seq in rows] == list(range(1, 7))
    assert sorted(candidate for candidate, _seq in rows) == sorted(candidates)
