"""Units, staff and their postings, pending imports. The catalogues (modules, titles, blocs)
are in lms.catalogue.models."""
from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.catalogue.models import EmulationBloc, Title
from lms.extensions import db
from lms.i18n import N_
from lms.models_base import UTCDateTime, label_of, utcnow

UNIT_KINDS = {
    "city": N_("Thành phố"),
    "urban_district": N_("Quận"),
    "rural_district": N_("Huyện"),
    "town": N_("Thị xã"),
    "ward": N_("Phường"),
    "commune": N_("Xã"),
    "township": N_("Thị trấn"),
    "department": N_("Sở, ban, ngành"),
    "office": N_("Phòng chuyên môn"),
    "school": N_("Trường học"),
    "other": N_("Đơn vị khác"),
}
UNIT_STATUSES = {"active": N_("Đang hoạt động"), "closed": N_("Đã giải thể"), "merged": N_("Đã sáp nhập")}
STAFF_STATUSES = {"active": N_("Đang công tác"), "on_leave": N_("Tạm nghỉ"), "left": N_("Đã thôi việc"), "retired": N_("Đã nghỉ hưu")}
SEXES = {"male": N_("Nam"), "female": N_("Nữ")}


class Unit(db.Model):
    """A node of the organisation tree. `path` ("/1/7/42/") makes subtree queries one prefix match."""

    __tablename__ = "unit"
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), default="/", index=True)
    bloc_id: Mapped[Optional[int]] = mapped_column(ForeignKey("emulation_bloc.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    closed_on: Mapped[Optional[date]] = mapped_column(Date)
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Optional["Unit"]] = relationship(remote_side="Unit.id", foreign_keys=[parent_id])
    merged_into: Mapped[Optional["Unit"]] = relationship(remote_side="Unit.id", foreign_keys=[merged_into_id])
    bloc: Mapped[Optional[EmulationBloc]] = relationship()

    kind_label = label_of("kind", UNIT_KINDS)

    @property
    def is_active(self):
        return self.status == "active"

    @property
    def depth(self):
        return self.path.count("/") - 2


class Staff(db.Model):
    """A person working in a unit (cán bộ, công chức, viên chức)."""

    __tablename__ = "staff"
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[Optional[date]] = mapped_column(Date)
    birth_place: Mapped[str] = mapped_column(String(200), default="")
    sex: Mapped[Optional[str]] = mapped_column(String(10))
    id_number: Mapped[str] = mapped_column(String(20), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title_id: Mapped[Optional[int]] = mapped_column(ForeignKey("title.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    title: Mapped[Optional[Title]] = relationship()

    @property
    def sex_label(self):
        return SEXES.get(self.sex or "", "")

    status_label = label_of("status", STAFF_STATUSES)


class StaffPosting(db.Model):
    """Where a person worked and under which title, and when: results stay attributed to the unit of the time."""

    __tablename__ = "staff_posting"
    __table_args__ = (Index("ix_staff_posting_staff_started", "staff_id", "started_at"),)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title_id: Mapped[Optional[int]] = mapped_column(ForeignKey("title.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")


class PendingImport(db.Model):
    """An uploaded file waiting for confirmation after its preview.

    Kept in the database, not in process memory, so that the confirming request may
    reach another worker. Applied or discarded files are deleted.
    """

    __tablename__ = "pending_import"
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(db.LargeBinary)
    options: Mapped[dict] = mapped_column(db.JSON, default=dict)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
