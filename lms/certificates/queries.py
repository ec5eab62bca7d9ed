"""Reads of the register, always within a scope (the holder's unit at issue lies in it)."""
from sqlalchemy import func, select

from lms.catalogue.models import CertificateRule
from lms.certificates.models import Certificate, CertificateEvent, CertificateFile
from lms.extensions import db
from lms.org.models import Unit


def register_query(scope, year=None, unit=None, kind=None, status=None, review=None, text=None):
    """The register entries of the scope and filters, newest first (year, then number)."""
    query = select(Certificate).join(Unit, Unit.id == Certificate.unit_id).where(scope.unit_condition(Unit))
    if year:
        query = query.where(Certificate.issue_year == year)
    if unit is not None:
        query = query.where(Unit.path.startswith(unit.path))
    if kind:
        query = query.where(Certificate.kind == kind)
    if status:
        query = query.where(Certificate.status == status)
    if review:
        query = query.where(Certificate.review == review)
    if text:
        pattern = f"%{text.strip().lower()}%"
        query = query.where(func.lower(Certificate.holder_name).like(pattern) | func.lower(Certificate.serial).like(pattern))
    return query.order_by(Certificate.issue_year.desc(), Certificate.register_seq.desc())


def rule_of_kind(kind):
    return db.session.execute(select(CertificateRule).where(CertificateRule.kind == kind).order_by(CertificateRule.id)).scalars().first()


def register_years():
    return db.session.execute(select(Certificate.issue_year).distinct().order_by(Certificate.issue_year.desc())).scalars().all()


def certificate_in_scope(code, scope):
    return db.session.execute(
        select(Certificate).join(Unit, Unit.id == Certificate.unit_id).where(Certificate.code == code, scope.unit_condition(Unit))
    ).scalar_one_or_none()


def by_code(code):
    if not code or len(code) > 64:
        return None
    return db.session.execute(select(Certificate).where(Certificate.code == code)).scalar_one_or_none()


def of_staff(staff_id):
    return db.session.execute(
        select(Certificate).where(Certificate.staff_id == staff_id).order_by(Certificate.issue_date.desc(), Certificate.id.desc())
    ).scalars().all()


def replaced_by(certificate):
    return db.session.execute(select(Certificate).where(Certificate.replaces_id == certificate.id)).scalar_one_or_none()


def history(certificate):
    return db.session.execute(
        select(CertificateEvent).where(CertificateEvent.certificate_id == certificate.id).order_by(CertificateEvent.at, CertificateEvent.id)
    ).scalars().all()


def pdf_of(certificate):
    return db.session.execute(select(CertificateFile).where(CertificateFile.certificate_id == certificate.id)).scalar_one_or_none()


def revoked_indexes(list_number, list_size):
    """The status-list bits set in one list: revoked and replaced certificates."""
    low, high = list_number * list_size, (list_number + 1) * list_size
    return db.session.execute(
        select(Certificate.status_index).where(Certificate.status != "valid", Certificate.status_index >= low, Certificate.status_index < high)
    ).scalars().all()


def session_certificates(session_id, scope):
    from lms.exams.models import ExamCandidate

    return db.session.execute(
        select(Certificate).join(ExamCandidate, ExamCandidate.id == Certificate.candidate_id).join(Unit, Unit.id == Certificate.unit_id)
        .where(ExamCandidate.session_id == session_id, scope.unit_condition(Unit)).order_by(Certificate.register_seq)
    ).scalars().all()


def session_has_candidates(session_id, scope):
    from lms.exams.manage.queries import candidate_in_scope
    from lms.exams.models import ExamCandidate

    return db.session.execute(
        select(ExamCandidate.id).where(ExamCandidate.session_id == session_id, candidate_in_scope(scope)).limit(1)).first() is not None


def released_sessions(scope):
    """(session, certificates issued to candidates of the scope) of every session whose results
    are released and which has candidates in the scope, newest first."""
    from lms.exams.manage.queries import candidate_in_scope
    from lms.exams.models import ExamCandidate, ExamSession

    issued = (
        select(func.count(Certificate.id)).join(ExamCandidate, ExamCandidate.id == Certificate.candidate_id)
        .join(Unit, Unit.id == Certificate.unit_id)
        .where(ExamCandidate.session_id == ExamSession.id, Certificate.replaces_id.is_(None), scope.unit_condition(Unit))
        .scalar_subquery()
    )
    has_candidates = select(ExamCandidate.id).where(ExamCandidate.session_id == ExamSession.id, candidate_in_scope(scope)).exists()
    return db.session.execute(
        select(ExamSession, issued).where(ExamSession.results_released_at.is_not(None), has_candidates)
        .order_by(ExamSession.results_released_at.desc())
    ).all()
