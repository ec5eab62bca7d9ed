"""Issuing certificates from qualifying exam sittings: once per sitting and rule however
often it is asked, numbered in the year's register without a gap, rendered, signed and
stored in the same transaction. Writes flush, never commit; a batch's caller commits each
certificate (lms.certificates.jobs), so a batch interrupted keeps what it issued.
"""
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.catalogue.models import CertificateRule, Module
from lms.certificates import document, numbering, signing
from lms.certificates.models import REPLACED, VALID, Certificate, CertificateBasis, CertificateEvent, CertificateFile
from lms.certificates.record import CertificateDocument, CertifiedModule
from lms.certificates.rules import Rule, decide, register_number, serial_for
from lms.certificates.sittings import sittings_of_session
from lms.exams.models import ExamCandidate, ExamSession
from lms.extensions import db
from lms.localtime import local_today
from lms.scope import Scope
from lms.text import nfc, tidy


@dataclass(frozen=True)
class Pending:
    """A qualifying sitting without its certificate: what a batch will issue."""

    candidate_id: int
    rule_id: int
    modules: tuple


def active_rules():
    return db.session.execute(select(CertificateRule).where(CertificateRule.active.is_(True)).order_by(CertificateRule.id)).scalars().all()


def pending_in_session(session: ExamSession, scope: Scope):
    """The session's qualifying sittings (candidates of the scope) not yet certified, in
    candidate order. Rules whose prerequisite is issued in the same batch are found on the
    next run: a basic certificate comes before the advanced one it allows."""
    records = sittings_of_session(session, scope)
    if not records:
        return []
    issued = set(db.session.execute(
        select(Certificate.candidate_id, Certificate.rule_id)
        .where(Certificate.candidate_id.in_(list(records)), Certificate.replaces_id.is_(None))
    ).all())
    pending = []
    for rule_row in active_rules():
        rule = Rule.of(rule_row)
        for candidate_id, record in records.items():
            if (candidate_id, rule_row.id) in issued:
                continue
            decision = decide(rule, record.sitting)
            if decision.qualifies:
                pending.append(Pending(candidate_id, rule_row.id, decision.modules))
    return pending


def issue(pending: Pending, authority, now, actor=None):
    """(certificate, issued now?) for one qualifying sitting: issued now, or the one issued
    before (by an earlier run, or a concurrent batch). The rule is checked again on fresh
    data; (None, False) when the sitting no longer qualifies."""
    existing = _issued(pending.candidate_id, pending.rule_id)
    if existing is not None:
        return existing, False
    rule_row = db.session.get(CertificateRule, pending.rule_id)
    candidate = db.session.get(ExamCandidate, pending.candidate_id)
    record = sittings_of_session(candidate.session, Scope.city(), [candidate.id]).get(candidate.id)
    decision = decide(Rule.of(rule_row), record.sitting) if record else None
    if decision is None or not decision.qualifies:
        return None, False
    staff = candidate.staff
    try:
        with db.session.begin_nested():
            certificate = _register(rule_row, candidate, staff, record, decision.modules, authority, now, actor)
            for attempt in record.attempts:
                db.session.add(CertificateBasis(certificate_id=certificate.id, attempt_id=attempt.id))
            db.session.add(CertificateEvent(certificate_id=certificate.id, kind="issued", at=now, actor_id=_id(actor)))
            store_pdf(certificate, authority)
    except IntegrityError:
        # Issued meanwhile by a concurrent batch: the savepoint gave its numbers back.
        return _issued(pending.candidate_id, pending.rule_id), False
    return certificate, True


def _issued(candidate_id, rule_id):
    return db.session.execute(
        select(Certificate).where(Certificate.candidate_id == candidate_id, Certificate.rule_id == rule_id, Certificate.replaces_id.is_(None))
    ).scalar_one_or_none()


def _id(actor):
    return actor.id if actor is not None else None


def _register(rule_row, candidate, staff, record, module_codes, authority, now, actor, particulars=None, replaces=None):
    """A new register entry, numbered: the year's next số vào sổ, its số hiệu, a new code."""
    today = local_today(now)
    seq = numbering.next_value(numbering.register_counter(today.year))
    names = dict(db.session.execute(select(Module.code, Module.name).where(Module.code.in_(list(module_codes)))).all())
    sitting = record.sitting
    particulars = particulars or {"holder_name": staff.full_name, "birth_date": staff.birth_date, "birth_place": staff.birth_place,
                                  "sex": staff.sex_label if staff.sex else ""}
    exam_at = record.exam_date
    certificate = Certificate(
        code=numbering.verification_code(), rule_id=rule_row.id, kind=rule_row.kind, staff_id=staff.id, candidate_id=candidate.id,
        unit_id=staff.unit_id, holder_name=tidy(particulars["holder_name"]), birth_date=particulars["birth_date"],
        birth_place=tidy(particulars["birth_place"]), sex=nfc(particulars["sex"]),
        exam_date=local_today(exam_at) if exam_at else None, exam_council=nfc(candidate.session.council or candidate.session.name),
        result={"parts": [[part.key, part.score] for part in sitting.parts],
                "modules": [[code, names.get(code, code), sitting.modules.get(code, (None, None))[0]] for code in module_codes]},
        issue_year=today.year, register_seq=seq, register_number=register_number(today.year, seq),
        serial=serial_for(rule_row.serial_pattern, rule_row.code.upper(), today.year, seq),
        status_index=numbering.next_value(numbering.STATUS_LIST_COUNTER) - 1, issue_date=today, issued_at=now, issued_by_id=_id(actor),
        issuing_body=authority.issuing_body, issue_place=authority.issue_place, signer_title=authority.signer_title,
        signer_name=authority.signer_name, status=VALID, replaces_id=replaces.id if replaces is not None else None,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def document_of(certificate: Certificate, authority) -> CertificateDocument:
    """What the certificate states, from its register entry."""
    return CertificateDocument(
        code=certificate.code, kind=certificate.kind, title=certificate.rule.title, issuing_body=certificate.issuing_body,
        holder_name=certificate.holder_name, birth_date=certificate.birth_date, birth_place=certificate.birth_place, sex=certificate.sex,
        exam_date=certificate.exam_date, exam_council=certificate.exam_council,
        modules=tuple(CertifiedModule(code, name, score) for code, name, score in certificate.result.get("modules", [])),
        issue_place=certificate.issue_place, issue_date=certificate.issue_date, signer_title=certificate.signer_title,
        signer_name=certificate.signer_name, serial=certificate.serial, register_number=certificate.register_number,
        verify_url=authority.verify_url(certificate.code), development=authority.development,
    )


def store_pdf(certificate, authority):
    """Render and sign the certificate's PDF and keep it beside the register entry."""
    signed = signing.sign_pdf(document.render_pdf(document_of(certificate, authority)), authority.signer, tsa_url=authority.tsa_url or None)
    db.session.add(CertificateFile(certificate_id=certificate.id, content=signed, sha256=hashlib.sha256(signed).hexdigest(),
                                   timestamped=bool(authority.tsa_url)))
    db.session.flush()


def reissue(old: Certificate, authority, now, actor, reason, particulars=None):
    """A corrected certificate (a misspelt name, say) replacing `old`: a new register entry,
    number and code, linked to the one it replaces, which stays in the register as replaced."""
    record = sittings_of_session(old.candidate.session, Scope.city(), [old.candidate_id])[old.candidate_id]
    current = {"holder_name": old.holder_name, "birth_date": old.birth_date, "birth_place": old.birth_place, "sex": old.sex}
    current.update(particulars or {})
    new = _register(old.rule, old.candidate, old.staff, record, old.module_codes, authority, now, actor, current, replaces=old)
    for basis in db.session.execute(select(CertificateBasis).where(CertificateBasis.certificate_id == old.id)).scalars():
        db.session.add(CertificateBasis(certificate_id=new.id, attempt_id=basis.attempt_id))
    old.status, old.revoked_at, old.revoked_reason = REPLACED, now, tidy(reason)
    db.session.add(CertificateEvent(certificate_id=old.id, kind="replaced", at=now, actor_id=_id(actor), reason=tidy(reason),
                                    details={"replaced_by": new.code}))
    db.session.add(CertificateEvent(certificate_id=new.id, kind="issued", at=now, actor_id=_id(actor), reason=tidy(reason),
                                    details={"replaces": old.code}))
    store_pdf(new, authority)
    return new
