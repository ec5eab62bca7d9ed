"""Local time in Hanoi. Times are stored in UTC; people read and type them in local time.
Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact. Pure Python."""
from datetime import date, datetime, timedelta, timezone
from typing import Optional

LOCAL_TIMEZONE = timezone(timedelta(hours=7))
DATE_TIME = "%H:%M %d/%m/%Y"


def local_today(now: Optional[datetime] = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(LOCAL_TIMEZONE).date()


def local_date(value):
    """A stored moment as the Hanoi day it fell on; a date (or None) as it is."""
    if isinstance(value, datetime):
        return (value.astimezone(LOCAL_TIMEZONE) if value.tzinfo else value).date()
    return value


def to_local(moment: Optional[datetime]) -> Optional[datetime]:
    """An aware UTC time → the naive local time a form field shows."""
    return moment.astimezone(LOCAL_TIMEZONE).replace(tzinfo=None) if moment else None


def from_local(value: Optional[datetime]) -> Optional[datetime]:
    """A naive local time typed in a form → aware UTC."""
    return value.replace(tzinfo=LOCAL_TIMEZONE).astimezone(timezone.utc) if value else None


def format_local(moment: Optional[datetime], pattern: str = DATE_TIME) -> str:
    return moment.astimezone(LOCAL_TIMEZONE).strftime(pattern) if moment else ""
