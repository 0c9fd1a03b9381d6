"""Time helpers: aware UTC in storage, Asia/Shanghai on screen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    """The current instant as an aware UTC datetime."""
    return datetime.now(UTC)


def today_local() -> date:
    """Today's date in China (deadlines and expiry are counted in local days)."""
    return datetime.now(SHANGHAI).date()


def as_utc(value: datetime) -> datetime:
    """Coerce a datetime read back from a backend without time zones (SQLite) to aware UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    """Show an instant in Asia/Shanghai."""
    return as_utc(value).astimezone(SHANGHAI)


def seconds_until_local_midnight() -> int:
    """Seconds until the date changes in China (at least 1)."""
    return seconds_until_local_date(datetime.now(SHANGHAI).date() + timedelta(days=1))


def seconds_until_local_date(day: date) -> int:
    """Seconds until ``day`` begins in China (at least 1)."""
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return max(1, int((start - datetime.now(SHANGHAI)).total_seconds()))
