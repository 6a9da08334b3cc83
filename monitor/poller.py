"""The polling service: owns the feeds of its Kafka partitions, decides when each is due,
and runs fetch → parse → normalise → publish, writing the feed's state only after Kafka
acknowledged its articles."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from mode import Service
from prometheus_client import Gauge

from monitor.assignment import FeedPartitions
from monitor.exceptions import FetchError, MonitorError, PublishError
from monitor.feeds import FeedDefinition
from monitor.feeds import catalog
from monitor.fetch import FeedFetcher, FetchResult, Slots, open_session
from monitor.fulltext import FullTextFetcher
from monitor.normalise import ArticleNormaliser, StoryIndex
from monitor.parse import parse_feed
from monitor.publish import ArticlePublisher
from monitor.schedule import backoff_delay, cache_delay
from monitor.state import FeedState, staleness
from tocsin.kafka.compacted import read_records
from tocsin.kafka.decode import decode_or_skip
from tocsin.kafka.topics import Topics
from tocsin.observability.metrics import (
    ARTICLES_FETCHED,
    FEED_FETCH_BYTES,
    FEED_FETCH_SECONDS,
    FEED_FETCHES,
    FEED_CONSECUTIVE_ERRORS,
    FEED_ITEMS,
    FEED_MAX_STALENESS,
    FEED_PARSES,
    FEED_STALENESS,
    FEEDS_ASSIGNED,
    FEEDS_BACKING_OFF,
    FEEDS_STALE,
    HOSTS_BACKING_OFF,
    POLLING_PAUSED,
)
from tocsin.records import Article, utc_now
from tocsin.settings import FeedSettings, GroupMembershipSettings

log = structlog.get_logger(__name__)

_DEFERRED = frozenset({"host_backoff"})  # not the feed's failure: try again when the host allows
_MAX_PAUSE_SECONDS = 30.0
# An unchanged feed's state (a 304 with the same validators) is rewritten only this often: at
# thousands of polls a second, a state record per 304 would cost more than the poll itself. Only
# health (last success, next poll) lags by up to this much; a restart merely polls such a feed early.
_UNCHANGED_STATE_EVERY_SECONDS = 300.0
# Changed documents parsed and published at once. Parsing is one thread and Kafka batches the
# articles of concurrent polls, so a few dozen keep both busy; more would only hold parsed
# documents and unacknowledged articles in memory (hundreds of them were most of the RSS).
_DIGESTING = 32
# The series every poll counts, looked up once rather than per poll and per article.
_NOT_MODIFIED = FEED_FETCHES.labels("not_modified", "304")
_FETCHED = FEED_FETCHES.labels("ok", "200")
_SEEN_ITEMS, _NEW_ITEMS, _DUPLICATE_ITEMS = (FEED_ITEMS.labels(kind) for kind in ("seen", "new", "duplicate"))
_PARSES = {parser: FEED_PARSES.labels(parser) for parser in ("fast", "fallback")}


@dataclass
class Subscription:
    """A feed this poller owns right now."""

    definition: FeedDefinition
    partition: int
    state: FeedState
    normaliser: ArticleNormaliser
    due: float  # time.monotonic()
    task: asyncio.Task[None] | None = None
    publishing: bool = False
    saved_at: float = float("-inf")  # time.monotonic() of the last state record written

    @property
    def interval(self) -> float:
        return self.definition.config.interval_seconds or 0.0


@dataclass(frozen=True, slots=True)
class Digest:
    """What a poll keeps of its parsed document while Kafka acknowledges: not the entries, which
    would otherwise live (and be walked by the collector) until then."""

    parser: str
    ttl_minutes: int | None
    current_ids: list[str]
    new: list[Article]


class Poller(Service):
    """Polls the feeds of the partitions Kafka assigns to this process."""

    def __init__(
        self, settings: FeedSettings, bootstrap: list[str], topics: Topics, *, group_id: str,
        membership: GroupMembershipSettings = GroupMembershipSettings(),
    ) -> None:
        super().__init__()
        self._membership = membership
        self._settings = settings
        self._bootstrap = bootstrap
        self._topics = topics
        self._group_id = group_id
        self._publisher = ArticlePublisher(
            bootstrap, topics.articles.name, topics.feed_state.name, request_timeout_ms=int(settings.publish_timeout_seconds * 1000)
        )
        self._subs: dict[str, Subscription] = {}
        self._parked: dict[str, FeedState] = {}  # restored state of owned partitions' feeds not (yet) defined
        self._owned: set[int] = set()
        self._due: list[tuple[float, str]] = []
        self._stories = StoryIndex()
        self._cpu = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tocsin-parse")
        self._paused_until = 0.0
        self._pause = 0.0
        self._stalled = 0  # polls whose articles Kafka has not acknowledged within publish_timeout_seconds
        self._wakeup = asyncio.Event()
        # Polls in flight (fetching, parsing or publishing). Bounded so that a burst of due feeds
        # queues in the schedule, not as thousands of publishes; a few times the fetch concurrency
        # so that a slow host's queued polls cannot starve the others.
        self._in_flight = 0
        self._max_in_flight = 4 * settings.concurrency
        # Polls holding a fetched body until Kafka acknowledged its articles: when parsing or Kafka
        # falls behind, no new polls start (backpressure) instead of fetching bodies to buffer.
        self._holding = 0
        self._digesting = Slots(_DIGESTING)
        self._stale_series: set[str] = set()  # feeds with a series in FEED_STALENESS
        self._error_series: set[str] = set()  # and in FEED_CONSECUTIVE_ERRORS

    # -- lifecycle -----------------------------------------------------------------

    async def on_start(self) -> None:
        await self._publisher.start()
        if self._settings.sources:
            # Config feeds are upserted; runtime ones (`tocsin feeds add`) are already on the topic.
            await catalog.upsert(self._bootstrap, self._topics.feeds.name, self._settings.sources)
        self._session = open_session(self._settings)
        self._fetcher = FeedFetcher(self._session, self._settings)
        self._full_text = FullTextFetcher(self._fetcher, self._settings.full_text_concurrency)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self._group_id,
            enable_auto_commit=False,  # definitions are re-read from the start on every assignment
            auto_offset_reset="earliest",
            client_id="tocsin-poller",
            **self._membership.consumer_options(),
        )
        await self._consumer.start()
        self._consumer.subscribe([self._topics.feeds.name], listener=FeedPartitions(self._assigned, self._revoked))
        log.info("poller started", group=self._group_id, config_feeds=len(self._settings.sources))

    async def on_stop(self) -> None:
        await self._consumer.stop()  # revokes: in-flight polls finish and their state is flushed
        await self._release(set(self._owned))
        await self._session.close()
        await self._publisher.stop()
        self._cpu.shutdown(wait=False, cancel_futures=True)

    # -- ownership -------------------------------------------------------------------

    async def _assigned(self, partitions: set[int]) -> None:
        states = await read_records(self._bootstrap, self._topics.feed_state.name, FeedState, "poll", partitions)
        for state in states.values():
            self._parked[state.feed_id] = state
        self._owned |= partitions
        tps = [TopicPartition(self._topics.feeds.name, p) for p in partitions]
        if tps:
            await self._consumer.seek_to_beginning(*tps)
        log.info("feed partitions assigned", partitions=sorted(partitions), states_restored=len(states))

    async def _revoked(self, partitions: set[int]) -> None:
        await self._release(partitions)
        log.info("feed partitions revoked", partitions=sorted(partitions))

    async def _release(self, partitions: set[int]) -> None:
        leaving = [s for s in self._subs.values() if s.partition in partitions]
        for sub in leaving:
            if sub.task and not sub.publishing:
                sub.task.cancel()  # nothing published yet: the next owner simply polls again
        await asyncio.gather(*(s.task for s in leaving if s.task), return_exceptions=True)
        await self._publisher.flush()  # the next owner must read the state we wrote
        for sub in leaving:
            del self._subs[sub.definition.feed_id]
        self._parked = {k: v for k, v in self._parked.items() if k in self._subs}
        self._owned -= partitions
        FEEDS_ASSIGNED.set(len(self._subs))

    @Service.task
    async def _follow_definitions(self) -> None:
        while not self.should_stop:
            batches = await self._consumer.getmany(timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    if record.key is not None and tp.partition in self._owned:
                        self._define(record.key.decode(errors="replace"), tp.partition, record.value)
            FEEDS_ASSIGNED.set(len(self._subs))

    def _define(self, key: str, partition: int, value: bytes | None) -> None:
        sub = self._subs.get(key)
        if value is None:  # tombstone: `tocsin feeds remove`
            if sub is not None:
                if sub.task:
                    sub.task.cancel()
                self._parked[key] = sub.state
                del self._subs[key]
            return
        definition = decode_or_skip(FeedDefinition, "poll", self._topics.feeds.name, key.encode(), value)
        if definition is None:
            return  # a definition this build cannot read: the feed keeps what it had, if anything
        interval = definition.config.interval_seconds or self._settings.interval_seconds
        definition = definition.model_copy(update={"config": definition.config.model_copy(update={"interval_seconds": interval})})
        if sub is not None:
            sub.definition, sub.normaliser = definition, ArticleNormaliser(definition.config)
            return
        state = self._parked.pop(key, None) or FeedState(feed_id=key, url=definition.config.url)
        next_poll = state.health.next_poll
        wait = (next_poll - utc_now()).total_seconds() if next_poll else random.uniform(0.0, min(interval, 10.0))
        sub = Subscription(definition, partition, state, ArticleNormaliser(definition.config), time.monotonic() + max(wait, 0.0))
        self._subs[key] = sub
        heapq.heappush(self._due, (sub.due, key))
        self._wakeup.set()

    # -- scheduling ------------------------------------------------------------------

    @Service.task
    async def _schedule(self) -> None:
        while not self.should_stop:
            now = time.monotonic()
            if now < self._paused_until or self._stalled:
                await self.sleep(max(self._paused_until - now, 0.1))
                continue
            POLLING_PAUSED.set(0)
            while self._due and self._due[0][0] <= now and self._in_flight < self._max_in_flight and self._holding < 2 * _DIGESTING:
                due, key = heapq.heappop(self._due)
                sub = self._subs.get(key)
                if sub is None or sub.due != due or sub.task is not None:
                    continue  # removed, rescheduled, or already polling
                self._in_flight += 1
                sub.task = asyncio.create_task(self._poll(sub))
            self._wakeup.clear()
            wait = min(self._due[0][0] - now, 1.0) if self._due else 1.0
            # A timeout scope, not wait_for: that wraps the wait in a new task, and this runs after every poll.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(wait, 0.005)):
                    await self._wakeup.wait()

    def _reschedule(self, sub: Subscription, delay: float) -> None:
        sub.due = time.monotonic() + delay
        heapq.heappush(self._due, (sub.due, sub.definition.feed_id))

    @Service.timer(5.0)
    async def _gauges(self) -> None:
        now = utc_now()
        ages = [self._staleness(s, now) for s in self._subs.values()]
        FEED_MAX_STALENESS.set(max((age for age, _ in ages), default=0.0))
        FEEDS_STALE.set(sum(1 for _, stale in ages if stale))
        FEEDS_BACKING_OFF.set(sum(1 for s in self._subs.values() if s.state.health.consecutive_errors))
        HOSTS_BACKING_OFF.set(self._fetcher.gate.hosts_backing_off)
        stale_ages: dict[str, float] = {}
        errors: dict[str, float] = {}
        for sub, (age, stale) in zip(self._subs.values(), ages, strict=True):
            name = sub.definition.config.display_name
            if stale and sub.state.health.last_success is not None:
                stale_ages[name] = age
            if count := sub.state.health.consecutive_errors:
                errors[name] = count
        self._stale_series = _per_feed_series(FEED_STALENESS, self._stale_series, stale_ages)
        self._error_series = _per_feed_series(FEED_CONSECUTIVE_ERRORS, self._error_series, errors)

    @property
    def kafka_available(self) -> bool:
        """False while polling is paused because Kafka stopped acknowledging."""
        return time.monotonic() >= self._paused_until and not self._stalled

    @staticmethod
    def _staleness(sub: Subscription, now: datetime) -> tuple[float, bool]:
        return staleness(sub.state.health, sub.interval, now)

    # -- one poll ---------------------------------------------------------------------

    async def _poll(self, sub: Subscription) -> None:
        config = sub.definition.config
        started = time.perf_counter()
        try:
            result = await self._fetcher.fetch(config.url, sub.state.validators)
            FEED_FETCH_SECONDS.observe(time.perf_counter() - started)
            if result.not_modified:
                await self._advance(sub, result, None, started)
                _NOT_MODIFIED.inc()
                return
            assert result.body is not None
            FEED_FETCH_BYTES.inc(result.wire_bytes)
            self._holding += 1
            try:
                async with self._digesting:
                    digest = await asyncio.get_running_loop().run_in_executor(self._cpu, self._digest, sub, result.body, result.url)
                    _PARSES[digest.parser].inc()
                    await self._advance(sub, result, digest, started)
            finally:
                self._holding -= 1
            _FETCHED.inc()
        except PublishError as exc:
            self._kafka_unavailable(sub, exc)
        except FetchError as exc:
            FEED_FETCHES.labels(exc.reason, str(exc.status or "none")).inc()
            if exc.reason in _DEFERRED:
                self._reschedule(sub, exc.retry_after or sub.interval)
            else:
                await self._failed(sub, exc.reason, str(exc), exc.status, exc.retry_after)
        except MonitorError as exc:
            FEED_FETCHES.labels("parse_error", "200").inc()
            await self._failed(sub, "parse_error", str(exc), 200, None)
        finally:
            sub.task = None
            sub.publishing = False
            self._in_flight -= 1
            self._wakeup.set()

    def _digest(self, sub: Subscription, body: bytes, url: str) -> Digest:
        """CPU work, on the parse thread: parse, id every entry, build only the unseen articles."""
        parsed = parse_feed(body, url)
        ARTICLES_FETCHED.inc(len(parsed.entries))
        candidates = sub.normaliser.candidates(parsed.entries)
        fetched_at = utc_now()
        # Built per poll, not kept per feed: a few microseconds here, against ~8 KB for each of 10,000 feeds.
        seen = set(sub.state.seen_ids)
        new = [sub.normaliser.article(c, fetched_at, parsed.language) for c in candidates if c.id not in seen]
        new.sort(key=lambda a: a.published_at or fetched_at)  # oldest first (feeds list newest first): nights in order
        return Digest(parsed.parser, parsed.ttl_minutes, [c.id for c in candidates], new)

    async def _advance(self, sub: Subscription, result: FetchResult, digest: Digest | None, started: float) -> None:
        now = utc_now()
        seen = sub.state.seen
        published = 0
        if digest is not None:
            _SEEN_ITEMS.inc(len(digest.current_ids) - len(digest.new))
            outgoing = await self._outgoing(sub, digest.new)
            sub.publishing = True
            await self._publish(outgoing)
            for article in outgoing:  # the start of an article's trail through the logs (article_id)
                log.info("article published", feed=sub.definition.config.display_name, article_id=article.id)
            published = len(digest.new)
            seen = sub.state.with_seen(digest.current_ids, [a.id for a in digest.new])
        ttl = digest.ttl_minutes if digest else sub.state.ttl_minutes  # a 304 has no body to read it from
        delay = cache_delay(result.headers, interval=sub.interval, ttl_minutes=ttl, now=now, cap=self._settings.max_interval_seconds)
        unchanged = digest is None and result.validators == sub.state.validators and not sub.state.health.consecutive_errors
        sub.state = sub.state.polled(now, now + timedelta(seconds=delay), result.status, result.validators, seen, published, ttl)
        if not unchanged or time.monotonic() - sub.saved_at >= _UNCHANGED_STATE_EVERY_SECONDS:
            await self._save(sub)
        self._reschedule(sub, delay)
        self._pause = 0.0
        if published:
            log.info(
                "feed polled", feed=sub.definition.config.display_name, entries=len(digest.current_ids) if digest else 0,
                new=published, duration_s=round(time.perf_counter() - started, 4),
            )

    async def _publish(self, articles: list[Article]) -> None:
        """Publish; while Kafka takes longer than publish_timeout_seconds to acknowledge, pause polling.

        The articles stay with the producer, which retries until Kafka is back, so this poll keeps
        waiting for that acknowledgement rather than giving up and fetching them again: memory stays
        bounded by the polls already in flight, and nothing is published twice or lost.
        """
        publishing = asyncio.ensure_future(self._publisher.publish(articles))
        done, _ = await asyncio.wait({publishing}, timeout=self._settings.publish_timeout_seconds)
        if done:
            return publishing.result()
        self._stalled += 1
        if self._stalled == 1:
            POLLING_PAUSED.set(1)
            log.warning("kafka not acknowledging, polling paused", waited_s=self._settings.publish_timeout_seconds)
        try:
            await publishing
        finally:
            self._stalled -= 1
        if not self._stalled:
            log.info("kafka acknowledged again, polling resumes")

    async def _outgoing(self, sub: Subscription, new: list[Article]) -> list[Article]:
        """New articles, enriched with full text if asked, with cross-feed duplicates folded into the earlier article."""
        if sub.definition.config.full_text:
            new = list(await asyncio.gather(*(self._full_text.enrich(a) for a in new)))
        outgoing: dict[str, Article] = {}
        for article in new:
            # Remembered before the publish is acknowledged, so a concurrent poll of another feed
            # already folds into it; a failed publish is retried with the same content anyway.
            folded = self._stories.fold(article)
            (_DUPLICATE_ITEMS if folded.duplicate else _NEW_ITEMS).inc()
            if folded.publish is not None:  # new, or the same article id again now naming both sources
                outgoing[folded.publish.id] = folded.publish
        return list(outgoing.values())

    async def _failed(self, sub: Subscription, reason: str, detail: str, status: int | None, retry_after: float | None) -> None:
        errors = sub.state.health.consecutive_errors + 1
        delay = max(backoff_delay(sub.interval, errors, cap=self._settings.max_backoff_seconds), retry_after or 0.0)
        now = utc_now()
        sub.state = sub.state.failed(now, now + timedelta(seconds=delay), f"{reason}: {detail}"[:500], status)
        self._reschedule(sub, delay)
        log.warning("feed poll failed", feed=sub.definition.config.display_name, reason=reason, status=status, consecutive_errors=errors, retry_in=round(delay, 1))
        try:
            await self._save(sub)
        except PublishError as exc:
            self._kafka_unavailable(sub, exc)

    async def _save(self, sub: Subscription) -> None:
        await self._publisher.save_state(sub.state)
        sub.saved_at = time.monotonic()

    def _kafka_unavailable(self, sub: Subscription, exc: PublishError) -> None:
        # Nothing is buffered: the feed's state did not advance, so its next poll fetches the
        # same items again. Polling pauses, so memory stays bounded by the polls in flight.
        now = time.monotonic()
        if now >= self._paused_until:  # the polls in flight fail together: one pause, one log line
            self._pause = min(max(self._pause * 2, 1.0), _MAX_PAUSE_SECONDS)
            self._paused_until = now + self._pause
            POLLING_PAUSED.set(1)
            log.warning("kafka unavailable, polling paused", error=str(exc), pause_seconds=self._pause)
        self._reschedule(sub, self._paused_until - now + random.uniform(0.0, 1.0))


def _per_feed_series(gauge: Gauge, before: set[str], values: dict[str, float]) -> set[str]:
    """Sets a per-feed gauge to ``values`` and removes the series of feeds no longer in them (recovered,
    left or removed). Updated in place, not cleared and rebuilt: with thousands of stale feeds, creating
    every series anew each time cost more CPU than polling them."""
    for name in before - values.keys():
        gauge.remove(name)
    for name, value in values.items():
        gauge.labels(name).set(value)
    return set(values)
