"""What the API reads from Kafka besides its own tables: recent alerts and feed state.

Both are read with the compacted-topic reader (no consumer group, up to the
current end) and cached for a few seconds, so a page or a feed reader polling
often costs Kafka one read per interval, not one per request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from aiokafka.errors import KafkaError

from streams.api.page import FeedHealth
from tocsin.kafka import feed_catalog
from tocsin.kafka.compacted import read_records
from tocsin.kafka.topics import Topics
from tocsin.records import Alert, utc_now
from tocsin.records.feed_state import staleness
from tocsin.settings import FeedSettings

T = TypeVar("T")
CACHE_SECONDS = 5.0


class SourceUnavailable(Exception):
    """Kafka did not answer the read; the message says why."""


class Cached(Generic[T]):
    def __init__(self, read: Callable[[], Awaitable[T]], seconds: float = CACHE_SECONDS) -> None:
        self._read = read
        self._seconds = seconds
        self._value: T | None = None
        self._at = -float("inf")
        self._lock = asyncio.Lock()

    async def get(self) -> T:
        async with self._lock:  # one read in flight, however many requests wait for it
            if self._value is None or time.monotonic() - self._at > self._seconds:
                try:
                    self._value = await self._read()
                except (KafkaError, OSError) as exc:  # OSError: refused connections and timeouts
                    raise SourceUnavailable(f"{type(exc).__name__}: {exc}") from exc
                self._at = time.monotonic()
            return self._value


class KafkaSources:
    def __init__(self, bootstrap: list[str], topics: Topics, feeds: FeedSettings) -> None:
        self._bootstrap = bootstrap
        self._topics = topics
        self._feed_settings = feeds
        self.alerts: Cached[list[Alert]] = Cached(self._read_alerts)
        self.feeds: Cached[list[FeedHealth]] = Cached(self._read_feeds)

    async def _read_alerts(self) -> list[Alert]:
        # An unreadable alert is the deliverer's to dead-letter; the feeds just leave it out.
        return list((await read_records(self._bootstrap, self._topics.alerts, "api")).values())

    async def _read_feeds(self) -> list[FeedHealth]:
        definitions = await feed_catalog.definitions(self._bootstrap, self._topics.feeds)
        states = await feed_catalog.states(self._bootstrap, self._topics.feed_state)
        now = utc_now()
        rows = []
        for definition in definitions:
            state = states.get(definition.feed_id)
            if state is None:
                rows.append(FeedHealth(definition.config.display_name, definition.config.url, None, None, None, 0, False))
                continue
            health = state.health
            interval = definition.config.interval_seconds or self._feed_settings.interval_seconds
            _, stale = staleness(health, interval, now)
            rows.append(
                FeedHealth(
                    definition.config.display_name, definition.config.url, health.last_success,
                    health.last_error, health.last_error_at, health.consecutive_errors, stale,
                )
            )
        return rows
