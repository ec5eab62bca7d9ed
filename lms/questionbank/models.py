"""Question banks, questions with their immutable versions, reviews and images.

A question's content lives in `QuestionVersion.data` (`QuestionData.to_dict()`); the
`Question` row carries what the lists filter on. Versions are never deleted: an exam
attempt references the exact `QuestionVersion.id` it showed.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.i18n import N_
from lms.models_base import UTCDateTime, label_of, utcnow
from lms.questionbank.schema import QuestionData

QUESTION_STATUSES = {"draft": N_("Bản nháp"), "review": N_("Chờ duyệt"), "approved": N_("Đã duyệt"), "retired": N_("Ngừng sử dụng")}
DIFFICULTIES = {"easy": N_("Dễ"), "medium": N_("Trung bình"), "hard": N_("Khó")}
POOLS = {"exam": N_("Thi"), "practice": N_("Luyện tập")}
REVIEW_DECISIONS = {"approve": N_("Duyệt"), "return": N_("Trả lại"), "submit": N_("Gửi duyệt"), "retire": N_("Ngừng sử dụng"), "reopen": N_("Mở lại")}


class QuestionBank(db.Model):
    __tablename__ = "question_bank"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("User")
    shares: Mapped[list["QuestionBankShare"]] = relationship(back_populates="bank", cascade="all, delete-orphan")


class QuestionBankShare(db.Model):
    """A trainer who may edit a bank they do not own."""

    __tablename__ = "question_bank_share"
    __table_args__ = (UniqueConstraint("bank_id", "user_id"),)
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="shares")
    user = relationship("User")


class Question(db.Model):
    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("bank_id", "key"),
        Index("ix_question_bank_status", "bank_id", "status"),
        Index("ix_question_module_status_pool", "module_id", "status", "pool"),
    )
    bank_id: Mapped[int] = mapped_column(ForeignKey("question_bank.id"))
    # The stable import key: re-importing a file matches questions by it.
    key: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(30), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    syllabus_code: Mapped[Optional[str]] = mapped_column(String(30), index=True)
    difficulty: Mapped[str] = mapped_column(String(10), index=True)
    pool: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    # Lower-cased NFC text of key, title, text and choices: a portable case-insensitive search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    current_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("question_version.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bank: Mapped[QuestionBank] = relationship()
    module = relationship("Module")
    author = relationship("User", foreign_keys=[author_id])
    current_version: Mapped[Optional["QuestionVersion"]] = relationship(foreign_keys=[current_version_id], post_update=True)

    status_label = label_of("status", QUESTION_STATUSES)

    difficulty_label = label_of("difficulty", DIFFICULTIES)

    pool_label = label_of("pool", POOLS)

    def question_data(self) -> QuestionData:
        return self.current_version.question_data()


class QuestionVersion(db.Model):
    """One immutable state of a question's content. Never deleted."""

    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("question_id", "number"),)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    change_note: Mapped[str] = mapped_column(String(500), default="")

    question: Mapped[Question] = relationship(foreign_keys=[question_id])
    created_by = relationship("User")

    def question_data(self) -> QuestionData:
        return QuestionData.from_dict(self.data)


class QuestionReview(db.Model):
    """A step of the review workflow: who submitted, approved or returned which version, and why."""

    __tablename__ = "question_review"
    __table_args__ = (Index("ix_question_review_question_at", "question_id", "created_at"),)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    version_id: Mapped[Optional[int]] = mapped_column(ForeignKey("question_version.id", ondelete="SET NULL"))
    reviewer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer = relationship("User")
    version = relationship("QuestionVersion")

    decision_label = label_of("decision", REVIEW_DECISIONS)


class QuestionImage(db.Model):
    """An image used in question text, stored by the app (never hot-linked)."""

    __tablename__ = "question_image"
    bank_id: Mapped[Optional[int]] = mapped_column(ForeignKey("question_bank.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
