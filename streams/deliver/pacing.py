"""Per-endpoint request spacing (rate limit). Pure: the caller passes the clock."""

from __future__ import annotations


class Pacer:
    def __init__(self, per_second: float | None) -> None:
        self._interval = 1.0 / per_second if per_second else 0.0
        self._next = 0.0

    def delay(self, now: float) -> float:
        """Reserve the next start slot; return how long to wait for it."""
        if not self._interval:
            return 0.0
        start = max(now, self._next)
        self._next = start + self._interval
        return start - now
