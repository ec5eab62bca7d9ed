"""Server-side sessions behind Flask-Login: a cookie token whose hash is a UserSession row."""
import hashlib
import secrets

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from lms.auth.models import User, UserSession
from lms.extensions import db, login_manager
from lms.models_base import utcnow


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user):
    """Sign the user in with a fresh session id (no fixation) and a new server-side record.

    Only the interface language chosen before signing in survives the reset."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + current_app.permanent_session_lifetime,
            ip_address=request.remote_addr or "",
            user_agent=(request.user_agent.string or "")[:300],
        )
    )
    user.session_token = token
    user.last_login_at = now
    session.permanent = True
    login_user(user)


def end_session(user):
    if user.session_token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _hash(user.session_token)))
    logout_user()
    session.clear()


def end_all_sessions(user_id):
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))


@login_manager.user_loader
def load_user(token):
    """One query per request: the session row, its user and the user's roles."""
    user = db.session.execute(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .options(joinedload(User.roles))
        .where(UserSession.token_hash == _hash(token), UserSession.expires_at > utcnow(), User.enabled.is_(True))
    ).unique().scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user
