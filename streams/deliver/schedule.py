"""When the next attempt is due. Pure (the random source is passed in)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tocsin.backoff import jittered
from tocsin.settings import WebhookSettings


@dataclass(frozen=True)
class RetrySchedule:
    delays: tuple[float, ...]
    jitter: float
    max_attempts: int

    @classmethod
    def from_settings(cls, settings: WebhookSettings) -> RetrySchedule:
        return cls(tuple(settings.retry_schedule_seconds), settings.retry_jitter, settings.max_attempts)

    def exhausted(self, attempts_made: int) -> bool:
        return attempts_made >= self.max_attempts

    def delay_after(self, attempts_made: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempts_made + 1``: the schedule's
        entry (the last repeats), jittered so that retries to a recovering
        receiver do not arrive in lockstep, but never sooner than Retry-After."""
        base = self.delays[min(attempts_made, len(self.delays) - 1)]
        return max(jittered(base, self.jitter, rng), retry_after or 0.0)
