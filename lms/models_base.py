"""Column helpers shared by every area's models."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, TypeDecorator


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use lms.models_base.utcnow()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def label_of(field: str, labels: dict):
    """A read-only property: the label (an N_ message) of the row's `field` value, or the value
    itself when the labels do not know it."""
    return property(lambda row: labels.get(getattr(row, field), getattr(row, field)))
