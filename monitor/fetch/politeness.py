"""Per-host manners: a concurrency limit so one slow publisher cannot stall the others,
and a back-off window after a 429 or 503 that every feed of that host respects."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

from monitor.schedule import backoff_delay


class Slots:
    """A first-come-first-served limit on concurrent holders. A freed slot goes straight to the
    next waiter, so taking and freeing one is O(1) however many wait: Python 3.11's
    asyncio.Semaphore rescans its waiters on every release, which with hundreds of polls queued
    behind the limits took several per cent of a busy poller's CPU."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def __aenter__(self) -> None:
        if self._free:  # free slots exist only while nobody waits
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._hand_on()  # cancelled just after being given the slot: give it to the next
            raise  # a waiter cancelled before that stays queued, done, and is skipped

    async def __aexit__(self, *exc: object) -> None:
        self._hand_on()

    def _hand_on(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class HostGate:
    def __init__(self, per_host: int, *, total: int, base_backoff: float, max_backoff: float) -> None:
        self._per_host = per_host
        self._total = Slots(total)
        self._slots: dict[str, Slots] = defaultdict(lambda: Slots(self._per_host))
        self._blocked_until: dict[str, float] = {}
        self._strikes: dict[str, int] = {}
        self._base = base_backoff
        self._max = max_backoff

    def blocked_for(self, host: str) -> float:
        """Seconds this host still asked us to wait (0 when free)."""
        until = self._blocked_until.get(host)
        if until is None:
            return 0.0
        left = until - time.monotonic()
        if left <= 0:
            del self._blocked_until[host]
            return 0.0
        return left

    @property
    def hosts_backing_off(self) -> int:
        now = time.monotonic()
        return sum(1 for until in self._blocked_until.values() if until > now)

    def throttled(self, host: str, retry_after: float | None) -> float:
        """Record a 429/503; returns how long the host is now left alone."""
        strikes = self._strikes.get(host, 0) + 1
        self._strikes[host] = strikes
        delay = max(retry_after or 0.0, backoff_delay(self._base, strikes, cap=self._max))
        self._blocked_until[host] = max(self._blocked_until.get(host, 0.0), time.monotonic() + delay)
        return delay

    def answered(self, host: str) -> None:
        self._strikes.pop(host, None)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        # Host first, then the global slot: a queue behind one slow host holds no global slot.
        async with self._slots[host], self._total:
            yield
