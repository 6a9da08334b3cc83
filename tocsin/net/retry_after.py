"""HTTP dates and Retry-After as seconds from now: read by the feed scheduler and the webhook deliverer."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime


def http_date_delay(value: str, now: datetime) -> float | None:
    """Seconds from ``now`` to an HTTP date (negative when past); None when unreadable or zoneless."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return (when - now).total_seconds()


def retry_after_delay(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    delay = http_date_delay(value, now)
    return max(delay, 0.0) if delay is not None else None
