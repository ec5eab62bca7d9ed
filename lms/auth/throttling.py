"""Throttling of failed sign-ins, kept in the database so that every worker sees it.

No lockout, only a backoff: past a few free failures, each further failure doubles the wait
before the next attempt (1 s, 2 s, 4 s … up to a cap), counted from the newest failure of
the window, in three dimensions:
- one account from one address: the cap is a few minutes (a guesser at one machine);
- one address against any accounts: only a very high count (password spraying; an exam
  room of 40 shares one address);
- one account from several addresses (a distributed guesser): a short cap only, and only
  once the failures come from several addresses, so that a storm from one address never
  delays the owner signing in from another.
A refused (throttled) attempt is not a failure: retrying early never lengthens the wait.
A proctor of the candidate's session (or an administrator) lifts the throttling of an
account (`release`): its failures up to then stop counting, in every dimension.

The same backoff, on the same tables, guards other secrets typed by a signed-in person: each
has its `scope` (EXAM_CODE: an exam session's access code, keyed by the candidate), counted
apart from the sign-ins, so that mistakes of one kind never delay the other. A failure is
recorded so that it outlives the refusal of its request (lms.transactions.leave_trace).
"""
import math
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, func, select

from lms.auth.models import LoginFailure, LoginRelease
from lms.extensions import db
from lms.models_base import utcnow
from lms.transactions import leave_trace

LOGIN = "login"
EXAM_CODE = "exam_code"


def _normalise(username):
    return (username or "").strip().lower()[:80]


def backoff_seconds(failures, free, cap, base=1):
    """The wait after the newest of `failures` recent failures: none for the first `free`,
    then base, 2·base, 4·base … never more than `cap`."""
    if failures <= free:
        return 0
    return min(cap, base * 2 ** min(failures - free - 1, 40))


def _remaining(newest, wait, now):
    if not wait or newest is None:
        return 0.0
    return max(0.0, (newest + timedelta(seconds=wait) - now).total_seconds())


def _window_start(now):
    return now - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])


def _counted_since(username, now, scope):
    """Failures after this moment count against the account: the window's start, or the
    latest release of the account when it is later."""
    since = _window_start(now)
    released = db.session.execute(
        select(func.max(LoginRelease.released_at))
        .where(LoginRelease.scope == scope, LoginRelease.username == username, LoginRelease.released_at > since)
    ).scalar_one()
    return max(since, released) if released is not None else since


def retry_after_seconds(username, ip_address, now=None, scope=LOGIN):
    """Seconds until a sign-in attempt (of `scope`) is allowed again, or 0 when allowed now."""
    config = current_app.config
    now = now or utcnow()
    username = _normalise(username)
    here = and_(LoginFailure.username == username, LoginFailure.ip_address == ip_address)
    mine = LoginFailure.username == username
    from_address = LoginFailure.ip_address == ip_address

    def count(condition):
        return func.count(case((condition, LoginFailure.id)))

    def newest(condition):
        return func.max(case((condition, LoginFailure.created_at)))

    # One statement over the rows of this account or this address.
    row = db.session.execute(
        select(count(here), newest(here), count(from_address), newest(from_address), count(mine), newest(mine),
               func.count(func.distinct(case((mine, LoginFailure.ip_address)))))
        .where(LoginFailure.scope == scope, (mine | from_address), LoginFailure.created_at > _counted_since(username, now, scope))
    ).one()
    here_count, here_newest, address_count, address_newest, account_count, account_newest, addresses = row
    base = config["LOGIN_BACKOFF_BASE_SECONDS"]
    waits = [
        _remaining(here_newest, backoff_seconds(here_count, config["LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS"],
                                                config["LOGIN_MAX_DELAY_ACCOUNT_ADDRESS_SECONDS"], base), now),
        _remaining(address_newest, backoff_seconds(address_count, config["LOGIN_FREE_FAILURES_PER_ADDRESS"],
                                                   config["LOGIN_MAX_DELAY_ADDRESS_SECONDS"], base), now),
    ]
    if addresses >= config["LOGIN_ACCOUNT_MIN_ADDRESSES"]:
        waits.append(_remaining(account_newest, backoff_seconds(account_count, config["LOGIN_FREE_FAILURES_PER_ACCOUNT"],
                                                                config["LOGIN_MAX_DELAY_ACCOUNT_SECONDS"], base), now))
    return math.ceil(max(waits))


def record_failure(username, ip_address, now=None, scope=LOGIN):
    leave_trace(LoginFailure.__table__, {"scope": scope, "username": _normalise(username), "ip_address": ip_address,
                                         "created_at": now or utcnow()})


def clear_failures(username, ip_address, scope=LOGIN):
    """A successful sign-in forgets this address's failures for the account."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.scope == scope, LoginFailure.username == _normalise(username),
                                   LoginFailure.ip_address == ip_address)
    )


def release(username, actor, now=None, scope=LOGIN):
    """Lift the account's throttling: its failures so far stop counting against it (the rows
    stay, for the other accounts of the address and for the record). How many were lifted."""
    now = now or utcnow()
    username = _normalise(username)
    counts = recent_failures([username], now, scope)
    db.session.add(LoginRelease(scope=scope, username=username, released_at=now, released_by_id=actor.id if actor is not None else None))
    db.session.flush()
    return counts.get(username, 0)


def counted_failures(usernames, now=None, scope=LOGIN):
    """A subquery (username, failures) of the failures that still count against each of
    `usernames` (a list, or a select of names): those of the window after the latest release."""
    since = _window_start(now or utcnow())
    released = (
        select(LoginRelease.username, func.max(LoginRelease.released_at).label("released_at"))
        .where(LoginRelease.scope == scope, LoginRelease.username.in_(usernames), LoginRelease.released_at > since)
        .group_by(LoginRelease.username)
        .subquery()
    )
    return (
        select(LoginFailure.username, func.count(LoginFailure.id).label("failures"))
        .outerjoin(released, released.c.username == LoginFailure.username)
        .where(LoginFailure.scope == scope, LoginFailure.username.in_(usernames), LoginFailure.created_at > since,
               (released.c.released_at.is_(None)) | (LoginFailure.created_at > released.c.released_at))
        .group_by(LoginFailure.username)
        .subquery()
    )


def recent_failures(usernames, now=None, scope=LOGIN):
    """{username: failures that still count against the account} for these accounts."""
    names = sorted({_normalise(name) for name in usernames if name})
    if not names:
        return {}
    counted = counted_failures(names, now, scope)
    return dict(db.session.execute(select(counted.c.username, counted.c.failures)).all())


def purge_old_failures(now=None) -> int:
    """Forget failures older than the window (they no longer count), and the releases they
    made moot: how many failures went. Run by `flask schedule run`, so that the table does
    not grow with every failed sign-in."""
    since = _window_start(now or utcnow())
    old = select(func.count(LoginFailure.id)).where(LoginFailure.created_at <= since)
    count = db.session.execute(old).scalar_one()
    if count:
        db.session.execute(delete(LoginFailure).where(LoginFailure.created_at <= since))
    db.session.execute(delete(LoginRelease).where(LoginRelease.released_at <= since))
    return count


def throttled_message(wait):
    """What the sign-in page says to someone who must wait `wait` seconds."""
    if wait < 60:
        text = _("Đăng nhập sai nhiều lần. Vui lòng thử lại sau %(s)d giây.", s=wait)
    else:
        text = _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(m)d phút.", m=max(1, (wait + 59) // 60))
    return text + " " + _("Nếu bạn đang dự thi, hãy báo cán bộ coi thi mở khóa đăng nhập.")
