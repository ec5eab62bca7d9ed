"""Courses (one per module), lessons, their images and attachments, progress,
practice attempts and assignments."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models_base import UTCDateTime, utcnow


class Course(db.Model):
    __tablename__ = "course"
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    module = relationship("Module")
    lessons: Mapped[list["Lesson"]] = relationship(back_populates="course", order_by="Lesson.position")


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        Index("ix_lesson_course_position", "course_id", "position"),
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    syllabus_code: Mapped[str] = mapped_column(String(30), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(Integer, default=15)
    position: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hash of the shipped file last loaded: an unchanged file never overwrites edits made in the UI.
    source_hash: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    course: Mapped[Course] = relationship(back_populates="lessons")
    updated_by = relationship("User")
    attachments: Mapped[list["LessonAttachment"]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="LessonAttachment.id"
    )
    images: Mapped[list["LessonImage"]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="LessonImage.filename"
    )

    @property
    def topic_code(self):
        """IU04.3.1 → IU04.3: the topic the lesson is grouped under."""
        return ".".join(self.syllabus_code.split(".")[:2])


class LessonAttachment(db.Model):
    """A downloadable file: uploaded bytes, or the name of a practice-file builder
    (lms.courses.practice_files), built when downloaded so that it is never stale."""

    __tablename__ = "lesson_attachment"
    __table_args__ = (
        UniqueConstraint("lesson_id", "filename"),
        CheckConstraint("content IS NOT NULL OR builder IS NOT NULL", name="has_source"),
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    builder: Mapped[Optional[str]] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="attachments")


class LessonImage(db.Model):
    """A picture of a lesson, referenced from its Markdown as `images/<filename>`."""

    __tablename__ = "lesson_image"
    __table_args__ = (UniqueConstraint("lesson_id", "filename"),)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="images")


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        Index("ix_lesson_progress_lesson_completed", "lesson_id", "completed_at"),
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    seconds_spent: Mapped[int] = mapped_column(Integer, default=0)
    # How far down the page the reader got, in percent: the lesson page scrolls back there.
    last_position: Mapped[int] = mapped_column(Integer, default=0)

    lesson: Mapped[Lesson] = relationship()


class PracticeAttempt(db.Model):
    """An untimed practice quiz. `questions` holds, per question, the id, the version shown
    and the choice order; `answers` and `feedback` are keyed by the question's index."""

    __tablename__ = "practice_attempt"
    __table_args__ = (Index("ix_practice_attempt_user_course", "user_id", "course_id", "started_at"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    topic_code: Mapped[Optional[str]] = mapped_column(String(30))
    questions: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    feedback: Mapped[dict] = mapped_column(JSON, default=dict)
    question_count: Mapped[int] = mapped_column(Integer, default=0)
    # Sum of the graded fractions of the answered questions (out of question_count).
    score: Mapped[float] = mapped_column(Float, default=0.0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()

    @property
    def answered(self):
        return len(self.answers)

    @property
    def percent(self):
        return round(100 * self.score / self.question_count) if self.question_count else 0


class Assignment(db.Model):
    """A course to finish by a deadline, for the staff of a unit subtree, of a title, or both."""

    __tablename__ = "course_assignment"
    __table_args__ = (
        CheckConstraint("unit_id IS NOT NULL OR title_id IS NOT NULL", name="has_target"),
        Index("ix_course_assignment_course_deadline", "course_id", "deadline"),
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"), index=True)
    title_id: Mapped[Optional[int]] = mapped_column(ForeignKey("title.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    unit = relationship("Unit")
    title = relationship("Title")
    created_by = relationship("User")
