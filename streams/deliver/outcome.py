"""What one HTTP attempt's answer means for the delivery. Pure.

Retried: timeouts, connection errors, 408, 429 and 5xx. 410 Gone disables the
endpoint. Any other 4xx is final: the receiver refused this payload and will
refuse it again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tocsin.net.retry_after import retry_after_delay

_RETRIED_STATUSES = {408, 429}
_MAX_PAUSE_SECONDS = 24 * 3600.0


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"
    GONE = "gone"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    token: str  # bounded: http_503, timeout, connection, blocked
    status: int | None = None
    retry_after: float | None = None  # seconds the receiver asked us to wait
    pause: float | None = None  # seconds the whole endpoint must rest (rate limit exhausted)


def from_status(status: int, headers: Mapping[str, str], now: datetime) -> Outcome:
    token = f"http_{status}"
    if 200 <= status < 300:
        return Outcome(Verdict.DELIVERED, token, status, pause=_bucket_empty(headers))
    if status == 410:
        return Outcome(Verdict.GONE, token, status)
    if status in _RETRIED_STATUSES or status >= 500:
        wait = retry_after(headers, now)
        return Outcome(Verdict.RETRY, token, status, retry_after=wait, pause=wait if status == 429 else None)
    return Outcome(Verdict.REJECTED, token, status)


def from_error(token: str) -> Outcome:
    return Outcome(Verdict.RETRY, token)


def retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds from ``Retry-After`` (delta-seconds or HTTP date), else Discord's
    ``X-RateLimit-Reset-After``; capped so a hostile answer cannot park us for ever."""
    seconds = retry_after_delay(_header(headers, "Retry-After"), now)
    if seconds is None:
        seconds = _float(_header(headers, "X-RateLimit-Reset-After"))
    return None if seconds is None else min(max(seconds, 0.0), _MAX_PAUSE_SECONDS)


def _bucket_empty(headers: Mapping[str, str]) -> float | None:
    # Discord announces an exhausted bucket on the last accepted request; waiting
    # out the reset avoids a 429 (and Cloudflare bans for repeated 429s).
    if _header(headers, "X-RateLimit-Remaining") != "0":
        return None
    seconds = _float(_header(headers, "X-RateLimit-Reset-After"))
    return None if seconds is None else min(max(seconds, 0.0), _MAX_PAUSE_SECONDS)


def _float(value: str | None) -> float | None:
    """A finite number of seconds, or None: a receiver's "nan" or "inf" must not become a wait."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # aiohttp's CIMultiDict is case-insensitive already; plain dicts (tests) may not be.
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)
