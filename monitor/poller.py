"""The polling loop: decides when each feed is due and runs its stages in order."""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import aiohttp
import structlog
from mode import Service

from monitor.exceptions import MonitorError
from monitor.fetch import FeedFetcher, Validators
from monitor.normalise import ArticleNormaliser
from monitor.parse import parse_feed
from monitor.publish import ArticlePublisher
from tocsin.observability.metrics import ARTICLES_FETCHED, FEED_FETCHES
from tocsin.records import utc_now
from tocsin.settings import FeedConfig, FeedSettings

log = structlog.get_logger(__name__)

_SEEN_PER_FEED = 5_000  # comfortably above any feed's item count
_MAX_BACKOFF_SECONDS = 6 * 3600.0


@dataclass
class FeedState:
    feed: FeedConfig
    interval: float
    normaliser: ArticleNormaliser
    validators: Validators = Validators()
    next_due: float = 0.0
    consecutive_errors: int = 0
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def remember(self, ids: list[str]) -> None:
        for article_id in ids:
            self.seen[article_id] = None
        while len(self.seen) > _SEEN_PER_FEED:
            self.seen.popitem(last=False)

    def succeeded(self, now: float, ttl_minutes: int | None) -> None:
        self.consecutive_errors = 0
        self.next_due = now + max(self.interval, (ttl_minutes or 0) * 60.0)

    def failed(self, now: float) -> None:
        # A failing feed is retried less and less often, but never dropped.
        self.consecutive_errors += 1
        backoff = min(self.interval * 2 ** min(self.consecutive_errors, 16), _MAX_BACKOFF_SECONDS)
        self.next_due = now + backoff * random.uniform(0.5, 1.0)


class Poller(Service):
    """Polls every configured feed and publishes its new articles."""

    def __init__(self, settings: FeedSettings, publisher: ArticlePublisher, *, concurrency: int = 64) -> None:
        super().__init__()
        self._settings = settings
        self._publisher = publisher
        self._slots = asyncio.Semaphore(concurrency)
        self._states = [
            FeedState(feed=f, interval=f.interval_seconds or settings.interval_seconds, normaliser=ArticleNormaliser(f))
            for f in settings.sources
        ]
        self._in_flight: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    async def on_start(self) -> None:
        await self._publisher.start()
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": self._settings.user_agent},
            connector=aiohttp.TCPConnector(limit=0, limit_per_host=4, ttl_dns_cache=300),
        )
        self._fetcher = FeedFetcher(self._session, self._settings)
        log.info("poller started", feeds=len(self._states))

    async def on_stop(self) -> None:
        for task in self._in_flight:
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        await self._publisher.stop()

    @Service.task
    async def _schedule(self) -> None:
        polling: set[int] = set()
        while not self.should_stop:
            now = time.monotonic()
            for index, state in enumerate(self._states):
                if state.next_due <= now and index not in polling:
                    polling.add(index)
                    task = asyncio.create_task(self._poll(state))
                    self._in_flight.add(task)
                    task.add_done_callback(lambda t, i=index: (self._in_flight.discard(t), polling.discard(i)))
            upcoming = min((s.next_due for s in self._states), default=now + 1.0)
            await self.sleep(min(max(upcoming - now, 0.05), 1.0))

    async def _poll(self, state: FeedState) -> None:
        url = state.feed.url
        async with self._slots:
            try:
                result = await self._fetcher.fetch(url, state.validators)
                if result.not_modified:
                    state.validators = result.validators
                    state.succeeded(time.monotonic(), None)
                    FEED_FETCHES.labels("not_modified").inc()
                    return
                assert result.body is not None
                parsed = await asyncio.get_running_loop().run_in_executor(None, parse_feed, result.body, url)
                ARTICLES_FETCHED.inc(len(parsed.entries))
                articles = [a for a in state.normaliser.articles(parsed.entries, utc_now()) if a.id not in state.seen]
                if articles:
                    await self._publisher.publish(articles)
                # Only after Kafka acknowledged: a failed publish refetches and retries.
                state.remember([a.id for a in articles])
                state.validators = result.validators
                state.succeeded(time.monotonic(), parsed.ttl_minutes)
                FEED_FETCHES.labels("ok").inc()
                log.info("feed polled", feed=state.feed.display_name, entries=len(parsed.entries), new=len(articles))
            except MonitorError as exc:
                state.failed(time.monotonic())
                FEED_FETCHES.labels("error").inc()
                log.warning("feed poll failed", feed=state.feed.display_name, error=str(exc), consecutive_errors=state.consecutive_errors)
