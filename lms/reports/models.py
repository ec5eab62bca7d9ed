"""Read-only API clients: an HR system's token, scoped to a unit subtree (none: the city),
with an expiry. Only the token's SHA-256 is kept; the token itself is shown once."""
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models_base import UTCDateTime, utcnow


class ApiClient(db.Model):
    __tablename__ = "api_client"
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(12))  # shown in lists, to tell tokens apart
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    unit = relationship("Unit")
    created_by = relationship("User")

    def usable(self, now):
        return self.revoked_at is None and self.expires_at > now
