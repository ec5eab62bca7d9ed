"""A notice shown on its recipient's dashboard, written in the recipient's language when it
was sent; the same text goes out by e-mail when the person has an address."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.messages import N_
from lms.models_base import UTCDateTime, label_of, utcnow

COURSE_ASSIGNED = "course.assigned"
COURSE_REMINDER = "course.reminder"
EXAM_INVITATION = "exam.invitation"
EXAM_RESULTS = "exam.results"
HR_OVERDUE = "hr.overdue"
KINDS = {
    COURSE_ASSIGNED: N_("Khóa học được giao"),
    COURSE_REMINDER: N_("Nhắc hạn hoàn thành"),
    EXAM_INVITATION: N_("Giấy mời dự thi"),
    EXAM_RESULTS: N_("Kết quả thi"),
    HR_OVERDUE: N_("Cán bộ quá hạn học tập"),
}


class Notice(db.Model):
    """To a staff member (seen by whoever holds that staff record's account, also one made later)
    or to an account (an HR officer). `dedupe_key` names what the notice is about and for whom
    (kind, object, recipient, week), so that a rerun never sends it twice."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_staff_created", "staff_id", "created_at"), Index("ix_notice_user_created", "user_id", "created_at"))
    kind: Mapped[str] = mapped_column(String(40))
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")  # a path of this site
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    kind_label = label_of("kind", KINDS)


class NoticeRun(db.Model):
    """A scheduled step done for its period (the reminders of a day, the HR lists of an ISO
    week): `schedule run`, every minute, does each step once per period."""

    __tablename__ = "notice_run"
    __table_args__ = (UniqueConstraint("step", "period"),)
    step: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(20))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
