from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models_base import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """A security-relevant event. Rows are only ever added."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_action_at", "action", "created_at"),)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    actor = relationship("User")
