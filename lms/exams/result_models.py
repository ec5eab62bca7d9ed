"""Results as certificates and reports read them: each graded attempt's module scores, every
change of an attempt's result as an event, and the staff × module fact those events keep.

Written by lms.exams.results only, in the transaction of the change itself.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.messages import N_
from lms.models_base import UTCDateTime, label_of, utcnow

RESULT_EVENT_KINDS = {
    "graded": N_("Có kết quả"),
    "regraded": N_("Chấm lại"),
    "reopened": N_("Mở lại bài thi"),
    "released": N_("Công bố kết quả"),
}


class ModuleResult(db.Model):
    """The score of one module within a graded attempt (out of 10), for certificates and reports."""

    __tablename__ = "exam_module_result"
    __table_args__ = (UniqueConstraint("attempt_id", "module_id"),)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    attempt = relationship("ExamAttempt")
    module = relationship("Module")



class ResultEvent(db.Model):
    """A change of an attempt's result: graded, regraded, reopened (its score cleared),
    released. `before` and `after` hold {state, score, passed, modules: {code: [score, passed]}}.

    Append-only. Whatever reacts to results (certificates, reports, notices) reads these in
    id order and keeps its own cursor, so it can react to each exactly once, or again safely.
    """

    __tablename__ = "exam_result_event"
    __table_args__ = (Index("ix_exam_result_event_staff_at", "staff_id", "at"), Index("ix_exam_result_event_attempt", "attempt_id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)

    attempt = relationship("ExamAttempt")
    actor = relationship("User")

    kind_label = label_of("kind", RESULT_EVENT_KINDS)


class StaffModuleResult(db.Model):
    """A staff member's best passing result of a module: the score, when the exam was taken,
    and the attempt. No row: not passed. Kept by the result events, so that a report never
    joins every attempt to find a person's best result."""

    __tablename__ = "staff_module_result"
    __table_args__ = (UniqueConstraint("staff_id", "module_id"), Index("ix_staff_module_result_module", "module_id", "achieved_at"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    score: Mapped[float] = mapped_column(Float)
    achieved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    module = relationship("Module")
    attempt = relationship("ExamAttempt")


class ResultEventCursor(db.Model):
    """How far a consumer (certificates, notices) has read the result events. Its row is
    locked while the consumer reacts, so two workers never react to the same events at once."""

    __tablename__ = "exam_result_event_cursor"
    consumer: Mapped[str] = mapped_column(String(40), unique=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
