"""Per-endpoint circuit breaker. Pure: the caller passes the monotonic clock.

Closed: everything goes. After ``threshold`` consecutive failures it opens for
a cooldown; then one probe is let through (half-open). The probe's success
closes it; its failure re-opens it with the cooldown doubled, up to a cap.
The cap bounds how long a receiver that is back waits to be noticed, however
long it was away: the probe is due then whether or not a retry is.
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
        self._max_cooldown = max(max_cooldown, cooldown)
        self._cooldown = cooldown
        self._failures = 0
        self._opened_at: float | None = None
        self.state = BreakerState.CLOSED

    def wait(self, now: float) -> float:
        """Seconds until a request may go; 0 means now (and, after a cooldown, makes it the probe)."""
        if self.state is BreakerState.OPEN:
            remaining = self.probe_at() - now
            if remaining > 0:
                return remaining
            self.state = BreakerState.HALF_OPEN
        return 0.0

    def probe_at(self) -> float:
        """When an open breaker lets its probe go (monotonic)."""
        assert self._opened_at is not None
        return self._opened_at + self._cooldown

    @property
    def probing(self) -> bool:
        return self.state is BreakerState.HALF_OPEN

    def succeeded(self) -> bool:
        """Record a success; True when it closes a breaker that was open (the receiver is back)."""
        if self.state is BreakerState.DISABLED:
            return False
        reopened = self.state is not BreakerState.CLOSED
        self._failures = 0
        self._cooldown = self._base_cooldown
        self.state = BreakerState.CLOSED
        return reopened

    def failed(self, now: float) -> bool:
        """Record a failure; True when it opens a closed breaker."""
        if self.state is BreakerState.DISABLED:
            return False
        self._failures += 1
        if self.state is BreakerState.HALF_OPEN:
            self._cooldown = min(self._cooldown * 2, self._max_cooldown)
            self._open(now)
        elif self.state is BreakerState.CLOSED and self._failures >= self._threshold:
            self._open(now)
            return True
        return False

    def disable(self) -> None:
        self.state = BreakerState.DISABLED

    def _open(self, now: float) -> None:
        self.state = BreakerState.OPEN
        self._opened_at = now
