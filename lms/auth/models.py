"""Accounts, roles with their unit scope, server-side sessions, failed sign-ins."""
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.passwords import has_usable_password
from lms.extensions import db
from lms.i18n import N_
from lms.models_base import UTCDateTime, label_of, utcnow

ROLES = {
    "learner": N_("Học viên"),
    "trainer": N_("Giảng viên"),
    "proctor": N_("Cán bộ coi thi"),
    "hr": N_("Cán bộ tổ chức (TCCB)"),
    "admin": N_("Quản trị hệ thống"),
}
# Where each role lands after sign-in, most powerful first.
ROLE_PRIORITY = ("admin", "hr", "trainer", "proctor", "learner")
# Roles held for a unit's subtree (a unit of None: the whole city).
SCOPED_ROLES = ("hr", "trainer", "proctor")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    staff = relationship("Staff")
    roles: Mapped[list["RoleAssignment"]] = relationship(back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    # Flask-Login identifies the session, not the user: see UserSession.
    session_token = None

    def get_id(self):
        return self.session_token

    @property
    def is_active(self):
        return self.enabled

    @property
    def role_names(self):
        return {assignment.role for assignment in self.roles}

    def has_role(self, *roles):
        return bool(self.role_names.intersection(roles))

    @property
    def primary_role(self):
        return next((role for role in ROLE_PRIORITY if role in self.role_names), None)

    @property
    def has_password(self):
        """False for a provisioned account its owner has not activated yet."""
        return has_usable_password(self.password_hash)


class RoleAssignment(db.Model):
    """A role held by a user. For HR officers, trainers and proctors `unit_id` is the root of
    the subtree they reach (NULL: the whole city)."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    user: Mapped[User] = relationship(back_populates="roles")
    unit = relationship("Unit")

    role_label = label_of("role", ROLES)


class UserSession(db.Model):
    """A signed-in session. The cookie carries a token whose hash is stored here;
    deleting the row (sign-out, disabled account) ends the session everywhere."""

    __tablename__ = "user_session"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A wrong secret typed: a password (scope "login", `username` the account's) or an exam's
    access code (scope "exam_code", `username` the candidate's key); see lms.auth.throttling."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username_at", "username", "created_at"),
        Index("ix_login_failure_ip_at", "ip_address", "created_at"),
    )
    scope: Mapped[str] = mapped_column(String(20), default="login", server_default="login")
    username: Mapped[str] = mapped_column(String(80))
    ip_address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginRelease(db.Model):
    """A proctor (or administrator) lifting an account's sign-in throttling: the failures
    counted against that account up to `released_at` no longer delay it (lms.auth.throttling)."""

    __tablename__ = "login_release"
    __table_args__ = (Index("ix_login_release_username_at", "username", "released_at"),)
    scope: Mapped[str] = mapped_column(String(20), default="login", server_default="login")
    username: Mapped[str] = mapped_column(String(80))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


ACTIVATION, RESET = "activation", "reset"


class AccountToken(db.Model):
    """A one-time secret that lets its holder set the account's password: an activation code
    (typed from a login slip or an e-mail; also what HR issues for a forgotten password) or
    the token of an e-mailed reset link. Only its keyed hash is kept (lms.auth.codes); once
    used, revoked (a newer one was issued) or expired, it opens nothing."""

    __tablename__ = "account_token"
    __table_args__ = (Index("ix_account_token_user_purpose", "user_id", "purpose"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))  # ACTIVATION or RESET
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    delivery: Mapped[str] = mapped_column(String(20), default="")  # email, slip or screen (told by HR)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
