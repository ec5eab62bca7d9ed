"""Throttling of failed sign-ins, kept in the database so that every worker sees it.

Three windows, so that nobody can lock a colleague out for long:
- one account from one address: blocked after a few failures for the whole window;
- one address against any accounts: blocked after many failures (password spraying);
- one account from any addresses: only a short cooldown after many failures, so an
  attacker elsewhere delays the owner by a minute at most, never for the window.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from lms.auth.models import LoginFailure
from lms.extensions import db
from lms.models_base import utcnow


def _normalise(username):
    return (username or "").strip().lower()[:80]


def retry_after_seconds(username, ip_address, now=None):
    """Seconds until a sign-in attempt is allowed again, or 0 when allowed now."""
    config = current_app.config
    now = now or utcnow()
    window = timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    since = now - window
    username = _normalise(username)

    def failures(*conditions):
        row = db.session.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.created_at), func.max(LoginFailure.created_at))
            .where(LoginFailure.created_at > since, *conditions)
        ).one()
        return row

    count, oldest, _ = failures(LoginFailure.username == username, LoginFailure.ip_address == ip_address)
    if count >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS"]:
        return max(1, int((oldest + window - now).total_seconds()))
    count, oldest, _ = failures(LoginFailure.ip_address == ip_address)
    if count >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        return max(1, int((oldest + window - now).total_seconds()))
    count, _, newest = failures(LoginFailure.username == username)
    if count >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]:
        cooldown = timedelta(seconds=config["LOGIN_ACCOUNT_COOLDOWN_SECONDS"])
        remaining = (newest + cooldown - now).total_seconds()
        if remaining > 0:
            return max(1, int(remaining))
    return 0


def record_failure(username, ip_address):
    db.session.add(LoginFailure(username=_normalise(username), ip_address=ip_address))


def clear_failures(username, ip_address):
    """A successful sign-in forgets this address's failures for the account."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.username == _normalise(username), LoginFailure.ip_address == ip_address)
    )


def purge_old_failures(now=None) -> int:
    """Forget failures older than the window (they no longer count): how many went. Run by
    `flask schedule run`, so that the table does not grow with every failed sign-in."""
    since = (now or utcnow()) - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    old = select(func.count(LoginFailure.id)).where(LoginFailure.created_at <= since)
    count = db.session.execute(old).scalar_one()
    if count:
        db.session.execute(delete(LoginFailure).where(LoginFailure.created_at <= since))
    return count
