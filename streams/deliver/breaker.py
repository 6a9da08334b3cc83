"""Per-endpoint circuit breaker. Pure: the caller passes the monotonic clock.

Closed: everything goes. After ``threshold`` consecutive failures it opens for
a cooldown; then one probe is let through (half-open). The probe's success
closes it; its failure re-opens it with the cooldown doubled, up to a cap.
"""

from __future__ import annotations

from enum import IntEnum


class BreakerState(IntEnum):
    # Values are the gauge's: tocsin_webhook_breaker_state.
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2
    DISABLED = 3


class CircuitBreaker:
    def __init__(self, threshold: int, cooldown: float, max_cooldown: float) -> None:
        self._threshold = threshold
        self._base_cooldown = cooldown
        self._max_cooldown = max_cooldown
        self._cooldown = cooldown
        self._failures = 0
        self._opened_at: float | None = None
        self.state = BreakerState.CLOSED

    def wait(self, now: float) -> float:
        """Seconds until a request may go; 0 means now (and, after a cooldown, makes it the probe)."""
        if self.state is BreakerState.OPEN:
            assert self._opened_at is not None
            remaining = self._opened_at + self._cooldown - now
            if remaining > 0:
                return remaining
            self.state = BreakerState.HALF_OPEN
        return 0.0

    @property
    def probing(self) -> bool:
        return self.state is BreakerState.HALF_OPEN

    def succeeded(self) -> None:
        if self.state is BreakerState.DISABLED:
            return
        self._failures = 0
        self._cooldown = self._base_cooldown
        self.state = BreakerState.CLOSED

    def failed(self, now: float) -> None:
        if self.state is BreakerState.DISABLED:
            return
        self._failures += 1
        if self.state is BreakerState.HALF_OPEN:
            self._cooldown = min(self._cooldown * 2, self._max_cooldown)
            self._open(now)
        elif self._failures >= self._threshold:
            self._open(now)

    def disable(self) -> None:
        self.state = BreakerState.DISABLED

    def _open(self, now: float) -> None:
        self.state = BreakerState.OPEN
        self._opened_at = now
