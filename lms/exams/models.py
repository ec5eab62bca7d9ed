"""Exam design (blueprints, parts, quotas), sessions with rooms and candidates, and the
attempts: the paper drawn at start, the answers as they arrive, the grade history and
the module results that certificates and reports read.

Rules live in lms.exams.engine; these rows only keep what it decides.
"""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.exams.core import engine
from lms.extensions import db
from lms.i18n import N_
from lms.models_base import UTCDateTime, label_of, utcnow
from lms.questionbank import models as _questionbank_models  # noqa: F401  (question_version, module FKs)

BLUEPRINT_KINDS = {"basic": N_("Cơ bản"), "advanced": N_("Nâng cao")}
PART_KINDS = {"theory": N_("Lý thuyết (trắc nghiệm)"), "practical": N_("Thực hành")}
SESSION_STATUSES = {"draft": N_("Đang chuẩn bị"), "published": N_("Đã công bố"), "closed": N_("Đã kết thúc"), "cancelled": N_("Đã hủy")}
ATTEMPT_STATES = {
    engine.IN_PROGRESS: N_("Đang làm bài"),
    engine.OVERDUE: N_("Hết giờ (đang chờ lưu)"),
    engine.SUBMITTED: N_("Đã nộp bài"),
    engine.AUTO_SUBMITTED: N_("Tự động nộp khi hết giờ"),
    engine.GRADED: N_("Đã chấm"),
}
# What a candidate may see of a finished attempt, from least to most.
REVIEW_LEVELS = ("none", "score", "correctness", "answers")
DEFAULT_REVIEW_POLICY = {"after_submit": "score", "after_close": "correctness"}
# Defaults from DOMAIN.md: theory 30 questions, 5 from each basic module, 30 minutes; practical 90.
DEFAULT_THEORY_MINUTES = 30
DEFAULT_PRACTICAL_MINUTES = 90
DEFAULT_THEORY_QUOTAS = tuple((f"IU0{n}", 5) for n in range(1, 7))
DEFAULT_PRACTICAL_QUOTAS = (("IU03", 1), ("IU04", 1), ("IU05", 1))
# Grade rows: who produced them.
GRADE_SOURCES = {"auto": N_("Chấm tự động"), "marker1": N_("Giám khảo 1"), "marker2": N_("Giám khảo 2"), "reconciled": N_("Thống nhất"), "regrade": N_("Chấm lại")}


class ExamBlueprint(db.Model):
    """Cấu trúc đề: the parts of an exam and how each draws its questions."""

    __tablename__ = "exam_blueprint"
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="basic")
    description: Mapped[str] = mapped_column(Text, default="")
    # Advanced exams: how many advanced modules a candidate registers for.
    advanced_module_count: Mapped[int] = mapped_column(Integer, default=3)
    # Advanced exams: the module codes candidates may register for (checked against the pool).
    offered_modules: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parts: Mapped[list["BlueprintPart"]] = relationship(
        back_populates="blueprint", cascade="all, delete-orphan", order_by="BlueprintPart.position"
    )

    kind_label = label_of("kind", BLUEPRINT_KINDS)


class BlueprintPart(db.Model):
    __tablename__ = "exam_blueprint_part"
    __table_args__ = (UniqueConstraint("blueprint_id", "position"),)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("exam_blueprint.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[float] = mapped_column(Float, default=engine.DEFAULT_MAX_SCORE)
    pass_mark: Mapped[float] = mapped_column(Float, default=engine.DEFAULT_PASS_MARK)
    # The sum of the quotas (kept for display; the quotas decide the draw).
    question_count: Mapped[int] = mapped_column(Integer, default=0)

    blueprint: Mapped[ExamBlueprint] = relationship(back_populates="parts")
    quotas: Mapped[list["BlueprintQuota"]] = relationship(
        back_populates="part", cascade="all, delete-orphan", order_by="BlueprintQuota.position"
    )

    kind_label = label_of("kind", PART_KINDS)


class BlueprintQuota(db.Model):
    """N questions of a module, optionally narrowed to a syllabus subtree and a difficulty.

    `module_id` NULL on an advanced blueprint means "each module the candidate registered for".
    """

    __tablename__ = "exam_blueprint_quota"
    part_id: Mapped[int] = mapped_column(ForeignKey("exam_blueprint_part.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    module_id: Mapped[Optional[int]] = mapped_column(ForeignKey("module.id"))
    syllabus_prefix: Mapped[Optional[str]] = mapped_column(String(30))
    difficulty: Mapped[Optional[str]] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer)

    part: Mapped[BlueprintPart] = relationship(back_populates="quotas")
    module = relationship("Module")


class ExamSession(db.Model):
    """Kỳ thi / đợt thi: when, who, and what a candidate sees afterwards."""

    __tablename__ = "exam_session"
    __table_args__ = (Index("ix_exam_session_status_opens", "status", "opens_at"),)
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("exam_blueprint.id"), index=True)
    # The unit organising the session: trainers and proctors reach the sessions organised
    # within their unit's subtree (the city for a city-level trainer).
    organiser_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    council: Mapped[str] = mapped_column(String(300), default="")  # hội đồng thi
    location: Mapped[str] = mapped_column(String(300), default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    access_code_hash: Mapped[Optional[str]] = mapped_column(String(200))
    allowed_networks: Mapped[list] = mapped_column(JSON, default=list)  # CIDR strings; empty: anywhere
    grace_seconds: Mapped[int] = mapped_column(Integer, default=int(engine.DEFAULT_GRACE.total_seconds()))
    review_policy: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_REVIEW_POLICY))
    # NULL: the review policy alone decides; otherwise nothing is shown before this time.
    results_released_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    predrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Practical grading by two markers; a gap above the threshold (points of the part's
    # scale) goes to a reconciliation step.
    double_marking: Mapped[bool] = mapped_column(Boolean, default=False)
    reconcile_threshold: Mapped[float] = mapped_column(Float, default=1.0)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blueprint: Mapped[ExamBlueprint] = relationship()
    organiser = relationship("Unit")
    rooms: Mapped[list["ExamRoom"]] = relationship(back_populates="session", cascade="all, delete-orphan", order_by="ExamRoom.name")

    status_label = label_of("status", SESSION_STATUSES)


class ExamRoom(db.Model):
    __tablename__ = "exam_room"
    __table_args__ = (UniqueConstraint("session_id", "name"),)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_session.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    proctors: Mapped[str] = mapped_column(String(300), default="")  # cán bộ coi thi

    session: Mapped[ExamSession] = relationship(back_populates="rooms")


class ExamCandidate(db.Model):
    """A person registered for a session (thí sinh), with any extra time granted."""

    __tablename__ = "exam_candidate"
    __table_args__ = (UniqueConstraint("session_id", "staff_id"), Index("ix_exam_candidate_user_session", "user_id", "session_id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_session.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    room_id: Mapped[Optional[int]] = mapped_column(ForeignKey("exam_room.id", ondelete="SET NULL"), index=True)
    candidate_number: Mapped[str] = mapped_column(String(20), default="")  # số báo danh
    extra_minutes: Mapped[float] = mapped_column(Float, default=0)
    extra_multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    # Advanced exams: the module codes the candidate registered for (e.g. ["IU07", "IU08", "IU14"]).
    registered_modules: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ExamSession] = relationship()
    staff = relationship("Staff")
    user = relationship("User")
    room: Mapped[Optional[ExamRoom]] = relationship()


class PredrawnPaper(db.Model):
    """A paper drawn before the session opens, so that a thousand starts only copy rows."""

    __tablename__ = "exam_predrawn_paper"
    __table_args__ = (UniqueConstraint("candidate_id", "part_id", "number"),)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("exam_candidate.id", ondelete="CASCADE"))
    part_id: Mapped[int] = mapped_column(ForeignKey("exam_blueprint_part.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(BigInteger)
    # [{"version_id": int, "module_id": int, "order": [...], "points": float}, ...]
    items: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExamAttempt(db.Model):
    """One sitting of one part by one candidate.

    `open_slot` is 1 while the attempt is open and NULL afterwards; the unique
    constraint on (candidate, part, open_slot) lets the database refuse a second open
    attempt (NULLs never collide, on SQLite and PostgreSQL alike).
    """

    __tablename__ = "exam_attempt"
    __table_args__ = (
        UniqueConstraint("candidate_id", "part_id", "number"),
        UniqueConstraint("candidate_id", "part_id", "open_slot", name="uq_exam_attempt_one_open"),
        Index("ix_exam_attempt_open_deadline", "open_slot", "deadline_at"),
        Index("ix_exam_attempt_started_at", "started_at"),  # the reports over time bucket attempts by it
    )
    candidate_id: Mapped[int] = mapped_column(ForeignKey("exam_candidate.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("exam_blueprint_part.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(20), default=engine.IN_PROGRESS)
    open_slot: Mapped[Optional[int]] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finalized_by: Mapped[Optional[str]] = mapped_column(String(20))
    earned_points: Mapped[Optional[float]] = mapped_column(Float)
    possible_points: Mapped[Optional[float]] = mapped_column(Float)
    score: Mapped[Optional[float]] = mapped_column(Float)  # out of the part's max score; NULL until graded
    passed: Mapped[Optional[bool]] = mapped_column(Boolean)
    graded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Bumped on every state change: lets a client or a marker notice a concurrent change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    start_ip: Mapped[str] = mapped_column(String(64), default="")
    last_seen_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    candidate: Mapped[ExamCandidate] = relationship()
    part: Mapped[BlueprintPart] = relationship()
    questions: Mapped[list["AttemptQuestion"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptQuestion.position"
    )

    state_label = label_of("state", ATTEMPT_STATES)

    def clock(self) -> engine.AttemptClock:
        return engine.AttemptClock(self.state, self.started_at, self.deadline_at, self.submitted_at, self.finalized_by)

    def take(self, clock: engine.AttemptClock):
        """Store what the engine decided."""
        if (clock.state, clock.deadline_at, clock.submitted_at, clock.finalized_by) == (
            self.state, self.deadline_at, self.submitted_at, self.finalized_by
        ):
            return
        self.state, self.deadline_at = clock.state, clock.deadline_at
        self.submitted_at, self.finalized_by = clock.submitted_at, clock.finalized_by
        self.open_slot = 1 if clock.is_open else None
        self.version = (self.version or 0) + 1


class AttemptQuestion(db.Model):
    """A question of the paper: the exact version shown and the option order the candidate saw."""

    __tablename__ = "exam_attempt_question"
    __table_args__ = (UniqueConstraint("attempt_id", "position"), Index("ix_exam_attempt_question_version", "question_version_id"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"))
    module_id: Mapped[Optional[int]] = mapped_column(ForeignKey("module.id"), index=True)
    presentation: Mapped[dict] = mapped_column(JSON, default=dict)  # the type's presentation_order (option order)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # The current grade (a copy of the latest AttemptGrade row, for fast sums).
    fraction: Mapped[Optional[float]] = mapped_column(Float)

    attempt: Mapped[ExamAttempt] = relationship(back_populates="questions")
    version = relationship("QuestionVersion")
    module = relationship("Module")
    answer: Mapped[Optional["AttemptAnswer"]] = relationship(back_populates="attempt_question", uselist=False, cascade="all, delete-orphan")


class AttemptAnswer(db.Model):
    """The latest saved answer to a question of a paper.

    `client_seq` is the browser's sequence number: a save carrying a lower number than
    the stored one is an older answer re-sent from a buffer and is ignored.
    """

    __tablename__ = "exam_attempt_answer"
    attempt_question_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt_question.id", ondelete="CASCADE"), unique=True)
    response: Mapped[Optional[dict]] = mapped_column(JSON)
    client_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    attempt_question: Mapped[AttemptQuestion] = relationship(back_populates="answer")


class AttemptGrade(db.Model):
    """Every grade ever given to a question of a paper; the newest with `current` counts.

    Regrading adds a row and clears `current` on the old one, so old and new scores stay.
    """

    __tablename__ = "exam_attempt_grade"
    __table_args__ = (Index("ix_exam_attempt_grade_question_current", "attempt_question_id", "current"),)
    attempt_question_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt_question.id", ondelete="CASCADE"))
    fraction: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), default="auto")
    rubric_scores: Mapped[Optional[list]] = mapped_column(JSON)  # practical: points per rubric criterion
    graded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    attempt_question: Mapped[AttemptQuestion] = relationship()
    graded_by = relationship("User")


class PracticalUpload(db.Model):
    """A file handed in for a practical task, stored under UPLOAD_DIR/exams/."""

    __tablename__ = "exam_practical_upload"
    attempt_question_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt_question.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False)


class AttemptEvent(db.Model):
    """What happened to an attempt: start, late saves, refused saves, extra time, reopen, submit."""

    __tablename__ = "exam_attempt_event"
    # (attempt, kind): the proctor board counts one session's late saves without reading the others'.
    __table_args__ = (Index("ix_exam_attempt_event_attempt_at", "attempt_id", "at"), Index("ix_exam_attempt_event_kind", "kind"),
                      Index("ix_exam_attempt_event_attempt_kind", "attempt_id", "kind"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
