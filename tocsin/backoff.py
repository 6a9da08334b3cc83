"""The one backoff: how long to wait after failures, for feeds, hosts and webhook deliveries. Pure
(the random source is passed in, so tests choose it)."""

from __future__ import annotations

import random

_MAX_EXPONENT = 30  # 2**30 intervals is past any cap; keeps the float finite


def backoff_delay(first: float, failures: int, *, cap: float, rng: random.Random = random._inst) -> float:
    """Jittered exponential backoff: less and less often, never dropped (the cap is a delay, not a limit)."""
    exponent = min(max(failures, 1), _MAX_EXPONENT)
    ceiling = min(first * 2.0 ** (exponent - 1), cap)
    # "Equal jitter": at least half the delay, so a storm of failures cannot resynchronise.
    return ceiling / 2.0 + rng.uniform(0.0, ceiling / 2.0)


def jittered(delay: float, spread: float, rng: random.Random) -> float:
    """``delay`` moved by up to ``spread`` of itself either way, so retries after one outage do not arrive in lockstep."""
    return delay * rng.uniform(1 - spread, 1 + spread)
