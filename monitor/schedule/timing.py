"""Next-poll delays from HTTP caching headers and from failures (the one backoff, from the ground). No I/O, no clock of its own."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from tocsin.backoff import backoff_delay
from tocsin.net.retry_after import http_date_delay, retry_after_delay

__all__ = ["backoff_delay", "cache_delay", "retry_after_delay"]

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def cache_delay(
    headers: Mapping[str, str], *, interval: float, ttl_minutes: int | None, now: datetime, cap: float
) -> float:
    """The longest of the feed's interval, RSS ttl, max-age, Expires and Retry-After, capped.

    The cap keeps a publisher's year-long Expires from silencing a feed; it never
    shortens the configured interval.
    """
    candidates = [float(ttl_minutes) * 60.0 if ttl_minutes else 0.0]
    if match := _MAX_AGE.search(headers.get("Cache-Control", "")):
        candidates.append(float(match.group(1)))
    elif expires := headers.get("Expires"):  # max-age wins over Expires (RFC 9111 5.3)
        candidates.append(http_date_delay(expires, now) or 0.0)
    candidates.append(retry_after_delay(headers.get("Retry-After"), now) or 0.0)
    return max(interval, min(max(candidates), cap))
