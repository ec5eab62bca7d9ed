"""The certificate register (sổ gốc cấp chứng chỉ): the rules that qualify an exam sitting,
every certificate issued with what it rests on, its signed PDF, and its history.

Nothing here is ever deleted: a certificate is revoked, or replaced by a reissue linked to
it; a certificate whose result changed is flagged for an administrator's decision.
"""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalogue.models import CERTIFICATE_KINDS, CertificateRule
from lms.extensions import db
from lms.messages import N_
from lms.models_base import UTCDateTime, label_of, utcnow

VALID, REVOKED, REPLACED = "valid", "revoked", "replaced"
STATUSES = {VALID: N_("Còn hiệu lực"), REVOKED: N_("Đã thu hồi"), REPLACED: N_("Đã được cấp lại")}
NOT_FLAGGED, FLAGGED, KEPT = "none", "flagged", "kept"
REVIEW_STATES = {NOT_FLAGGED: N_("Không"), FLAGGED: N_("Chờ quyết định"), KEPT: N_("Giữ nguyên (có lý do)")}
EVENT_KINDS = {
    "issued": N_("Cấp"),
    "flagged": N_("Kết quả thay đổi, chờ quyết định"),
    "kept": N_("Giữ nguyên"),
    "revoked": N_("Thu hồi"),
    "replaced": N_("Cấp lại (thay thế)"),
}


class Certificate(db.Model):
    """One entry of the register. The holder's particulars are copied at issue, as printed:
    the register keeps what the certificate says even when the staff record changes."""

    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("issue_year", "register_seq"),
        # One certificate per qualifying sitting and rule; a reissue replaces it, linked.
        Index("uq_certificate_sitting", "rule_id", "candidate_id", unique=True,
              sqlite_where=text("replaces_id IS NULL"), postgresql_where=text("replaces_id IS NULL")),
        Index("ix_certificate_register", "issue_year", "status"),
    )
    code: Mapped[str] = mapped_column(String(40), unique=True)  # random, for /verify/<code>
    rule_id: Mapped[int] = mapped_column(ForeignKey("certificate_rule.id"))
    kind: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("exam_candidate.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # the holder's unit at issue
    holder_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[Optional[date]] = mapped_column(Date)
    birth_place: Mapped[str] = mapped_column(String(200), default="")
    sex: Mapped[str] = mapped_column(String(10), default="")
    exam_date: Mapped[Optional[date]] = mapped_column(Date)
    exam_council: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[dict] = mapped_column(JSON, default=dict)  # {parts: [[title, score]], modules: [[code, name, score]]}
    issue_year: Mapped[int] = mapped_column(Integer)
    register_seq: Mapped[int] = mapped_column(Integer)
    register_number: Mapped[str] = mapped_column(String(30))  # số vào sổ
    serial: Mapped[str] = mapped_column(String(60), unique=True)  # số hiệu
    status_index: Mapped[int] = mapped_column(Integer, unique=True)  # its bit in the revocation list
    issue_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    issuing_body: Mapped[str] = mapped_column(String(300))
    issue_place: Mapped[str] = mapped_column(String(100))
    signer_title: Mapped[str] = mapped_column(String(200))
    signer_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=VALID)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    review: Mapped[str] = mapped_column(String(20), default=NOT_FLAGGED)
    review_note: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[Optional[int]] = mapped_column(ForeignKey("certificate.id"), unique=True)

    rule: Mapped[CertificateRule] = relationship()
    staff = relationship("Staff")
    unit = relationship("Unit")
    candidate = relationship("ExamCandidate")
    replaces: Mapped[Optional["Certificate"]] = relationship(remote_side="Certificate.id", foreign_keys=[replaces_id])

    status_label = label_of("status", STATUSES)
    review_label = label_of("review", REVIEW_STATES)
    kind_label = label_of("kind", CERTIFICATE_KINDS)

    @property
    def module_codes(self):
        return [code for code, _name, _score in self.result.get("modules", [])]


class CertificateBasis(db.Model):
    """An attempt a certificate rests on: a change of its result puts the certificate under review."""

    __tablename__ = "certificate_basis"
    __table_args__ = (UniqueConstraint("certificate_id", "attempt_id"),)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id"), index=True)


class CertificateFile(db.Model):
    """The signed PDF as issued, kept with the register so that a backup holds both."""

    __tablename__ = "certificate_file"
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    timestamped: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateEvent(db.Model):
    """The history of a certificate: issued, flagged, kept, revoked, replaced. Append-only."""

    __tablename__ = "certificate_event"
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")
    kind_label = label_of("kind", EVENT_KINDS)


class CertificateCounter(db.Model):
    """A number handed out in order: `register:<year>` (số vào sổ), `status-list` (the
    revocation list's next index). Incremented by one UPDATE under the row's lock, in the
    issuing transaction: a rollback gives the number back, so there is never a gap."""

    __tablename__ = "certificate_counter"
    name: Mapped[str] = mapped_column(String(40), unique=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
