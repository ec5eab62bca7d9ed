"""API clients' tokens: created (shown once, only the SHA-256 kept), verified by a lookup of
that hash, revoked. No Flask request state here: the views pass the actor and the clock.

A token is "lms_" and 43 URL-safe characters (secrets.token_urlsafe(32), 256 random bits);
its first 12 characters are kept in clear as the prefix that tells tokens apart in the list."""
import hashlib
import re
import secrets
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.audit.services import record
from lms.extensions import db
from lms.localtime import LOCAL_TIMEZONE, local_today
from lms.messages import N_, MessageError
from lms.models_base import utcnow
from lms.reports.models import ApiClient
from lms.scope import Scope

TOKEN_PREFIX = "lms_"
TOKEN_PATTERN = re.compile(r"^lms_[A-Za-z0-9_-]{43}$")
SHOWN_PREFIX_LENGTH = 12
DEFAULT_YEARS, MAX_YEARS = 1, 2
# Writing last_used_at on every call would turn each read into a write; once a minute is enough
# to tell an administrator whether a client is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"
STATES = {ACTIVE: N_("Đang hiệu lực"), EXPIRED: N_("Đã hết hạn"), REVOKED: N_("Đã thu hồi")}


class ApiClientError(MessageError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_expiry(today: Optional[date] = None) -> date:
    return _years_after(today or local_today(), DEFAULT_YEARS)


def latest_expiry(today: Optional[date] = None) -> date:
    return _years_after(today or local_today(), MAX_YEARS)


def expiry_moment(last_day: date) -> datetime:
    """A token chosen to last until `last_day` works through that whole day in Hanoi."""
    return datetime.combine(last_day + timedelta(days=1), time.min, LOCAL_TIMEZONE).astimezone(timezone.utc)


def last_valid_day(client: ApiClient) -> date:
    return local_today(client.expires_at - timedelta(microseconds=1))


def state(client: ApiClient, now: Optional[datetime] = None) -> str:
    if client.revoked_at is not None:
        return REVOKED
    return ACTIVE if client.usable(now or utcnow()) else EXPIRED


def create_client(name, unit, last_day, created_by=None, today=None):
    """A new client and its token (the only time the token exists in clear)."""
    today = today or local_today()
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ApiClientError(N_("Tên hệ thống phải có từ 1 đến 200 ký tự."))
    if not today < last_day <= latest_expiry(today):
        raise ApiClientError(N_("Ngày hết hạn phải sau hôm nay và không quá %(years)s năm (muộn nhất %(day)s)."),
                             years=MAX_YEARS, day=latest_expiry(today).strftime("%d/%m/%Y"))
    if unit is not None and unit.status != "active":
        raise ApiClientError(N_("Đơn vị %(code)s đã giải thể hoặc sáp nhập."), code=unit.code)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = ApiClient(name=name, token_hash=hash_token(token), token_prefix=token[:SHOWN_PREFIX_LENGTH],
                       unit_id=unit.id if unit else None, expires_at=expiry_moment(last_day),
                       created_by_id=created_by.id if created_by else None, created_at=utcnow())
    db.session.add(client)
    db.session.flush()
    record("api_client.create", target=f"{client.id} {name}", actor=created_by, prefix=client.token_prefix,
           unit=unit.code if unit else "", last_day=last_day.isoformat())
    return client, token


def revoke_client(client: ApiClient, actor=None, now=None) -> bool:
    """Revoke `client`; False when it already was (nothing written)."""
    if client.revoked_at is not None:
        return False
    client.revoked_at = now or utcnow()
    record("api_client.revoke", target=f"{client.id} {client.name}", actor=actor, prefix=client.token_prefix)
    return True


def authenticate(token: Optional[str], now: Optional[datetime] = None) -> Optional[ApiClient]:
    """The usable client holding `token`, or None, whatever the reason (missing, malformed,
    unknown, expired, revoked): callers answer all of them alike."""
    if not token or not TOKEN_PATTERN.match(token):
        return None
    client = db.session.execute(
        select(ApiClient).where(ApiClient.token_hash == hash_token(token)).options(joinedload(ApiClient.unit))
    ).scalar_one_or_none()
    now = now or utcnow()
    if client is None or not client.usable(now):
        return None
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
        client.last_used_at = now
    return client


def bearer_token(header: Optional[str]) -> Optional[str]:
    """The token of an "Authorization: Bearer <token>" header (the scheme is case-insensitive)."""
    scheme, _space, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def client_scope(client: ApiClient) -> Scope:
    return Scope([client.unit.path]) if client.unit_id is not None else Scope.city()
