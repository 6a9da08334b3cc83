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
from aiokafka import TopicPartition
from mode import Service
from prometheus_client import Gauge

from monitor.assignment import FeedPartitions
from monitor.digest import MAX_RECORD_BYTES, Digest, digest_document
from monitor.exceptions import FetchError, MonitorError, PublishError
from monitor.feeds import catalog
from monitor.fetch import FeedFetcher, FetchResult, Slots, open_session
from monitor.fulltext import FullTextFetcher
from monitor.normalise import ArticleNormaliser, StoryIndex
from monitor.publish import ArticlePublisher
from monitor.schedule import backoff_delay, cache_delay
from monitor.state import FeedState, staleness
from monitor.telegram import ChannelReader, ChannelResult, digest_channel
from monitor.websub import CallbackServer, Subscriptions
from tocsin.kafka import clients
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
    FEED_ITEMS_SKIPPED,
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
from tocsin.settings import FeedConfig, FeedSettings, GroupMembershipSettings

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
_PARSES = {parser: FEED_PARSES.labels(parser) for parser in ("fast", "fallback", "telegram")}
_EMPTY_DOCUMENTS = FEED_PARSES.labels("empty")


def _skip_kind(reason: str) -> str:
    """The metric label of a skip reason: its kind, never the free text."""
    return "too_large" if "too_large" in reason else "unreadable"


@dataclass
class Subscription:
    """A feed this poller owns right now."""

    feed_id: str
    config: FeedConfig  # the definition's, read at the edge (its interval filled in)
    partition: int
    state: FeedState
    normaliser: ArticleNormaliser
    due: float  # time.monotonic()
    task: asyncio.Task[None] | None = None
    publishing: bool = False
    saved_at: float = float("-inf")  # time.monotonic() of the last state record written
    push_interval: float | None = None  # while a WebSub subscription carries the feed: the safety-net interval

    @property
    def interval(self) -> float:
        return max(self.config.interval_seconds or 0.0, self.push_interval or 0.0)


class Poller(Service):
    """Polls the feeds of the partitions Kafka assigns to this process."""

    def __init__(
        self, settings: FeedSettings, bootstrap: list[str], topics: Topics, *, group_id: str,
        max_record_bytes: int = MAX_RECORD_BYTES, membership: GroupMembershipSettings = GroupMembershipSettings(),
    ) -> None:
        super().__init__()
        self._membership = membership
        self._settings = settings
        self._bootstrap = bootstrap
        self._topics = topics
        self._group_id = group_id
        self._max_record_bytes = max_record_bytes
        self._publisher = ArticlePublisher(
            bootstrap,
            topics.articles.name,
            topics.feed_state.name,
            request_timeout_ms=int(settings.publish_timeout_seconds * 1000),
            max_record_bytes=max_record_bytes,
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
        self._pushes: set[asyncio.Task[None]] = set()  # WebSub pushes waiting for their feed's poll to finish
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
        self._channels = ChannelReader(self._fetcher, self._settings.telegram, self._cpu)
        self._websub: Subscriptions | None = None
        if (websub := self._settings.websub).callback_url:
            self._websub = Subscriptions(
                websub, self._session, allow_private_addresses=self._settings.allow_private_addresses, push=self.push, changed=self._push_changed
            )
            self._callbacks = CallbackServer(self._websub, websub.host, websub.port, max_body_bytes=self._settings.max_body_bytes)
            await self._callbacks.start()
            self._websub.start()
        # No offsets kept: definitions are re-read from the start on every assignment.
        self._consumer = clients.consumer(self._bootstrap, "poller", group_id=self._group_id, **self._membership.consumer_options())
        await self._consumer.start()
        self._consumer.subscribe([self._topics.feeds.name], listener=FeedPartitions(self._assigned, self._revoked))
        log.info("poller started", group=self._group_id, config_feeds=len(self._settings.sources))

    async def on_stop(self) -> None:
        if self._websub is not None:  # first: no pushes while the feeds are let go
            await self._callbacks.stop()
            await self._websub.stop()
        for push in self._pushes:
            push.cancel()
        await self._consumer.stop()  # revokes: in-flight polls finish and their state is flushed
        await self._release(set(self._owned))
        await self._session.close()
        await self._publisher.stop()
        self._cpu.shutdown(wait=False, cancel_futures=True)

    # -- ownership -------------------------------------------------------------------

    async def _assigned(self, partitions: set[int]) -> None:
        states = await read_records(self._bootstrap, self._topics.feed_state, "poll", partitions)
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
            del self._subs[sub.feed_id]
            if self._websub is not None:
                self._websub.drop(sub.feed_id)
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
                if self._websub is not None:
                    self._websub.drop(key)
            return
        definition = decode_or_skip(self._topics.feeds.record, "poll", self._topics.feeds.name, key.encode(), value)
        if definition is None:
            return  # a definition this build cannot read: the feed keeps what it had, if anything
        config = definition.config.feed_config()
        interval = config.interval_seconds or self._settings.interval_seconds
        config = config.model_copy(update={"interval_seconds": interval})
        if sub is not None:
            sub.config, sub.normaliser = config, ArticleNormaliser(config)
            return
        state = self._parked.pop(key, None) or FeedState(feed_id=key, url=config.url)
        next_poll = state.health.next_poll
        wait = (next_poll - utc_now()).total_seconds() if next_poll else random.uniform(0.0, min(interval, 10.0))
        sub = Subscription(key, config, partition, state, ArticleNormaliser(config), time.monotonic() + max(wait, 0.0))
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
        heapq.heappush(self._due, (sub.due, sub.feed_id))

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
            name = sub.config.display_name
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

    async def _poll(self, sub: Subscription, pushed: FetchResult | None = None) -> None:
        """Fetch (or take the pushed document) → digest → publish → state: one at a time per feed."""
        config = sub.config
        started = time.perf_counter()
        try:
            if pushed is not None:
                result = pushed
            elif config.type == "telegram":
                result = await self._channels.fetch(config, sub.state)
            else:
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
                    digest = await asyncio.get_running_loop().run_in_executor(self._cpu, self._digest, sub, result)
                    _PARSES[digest.parser].inc()
                    await self._advance(sub, result, digest, started)
            finally:
                self._holding -= 1
            _FETCHED.inc()
            if self._websub is not None and pushed is None and config.type == "feed":
                self._websub.offer(sub.feed_id, result)
        except PublishError as exc:
            self._kafka_unavailable(sub, exc)
        except FetchError as exc:
            FEED_FETCHES.labels(exc.reason, str(exc.status or "none")).inc()
            if exc.reason in _DEFERRED:
                self._reschedule(sub, exc.retry_after or sub.interval)
            else:
                await self._failed(sub, exc.reason, str(exc), exc.status, exc.retry_after)
        except MonitorError as exc:
            reason = getattr(exc, "reason", "parse")
            reason = "parse_error" if reason == "parse" else reason
            FEED_FETCHES.labels(reason, "200").inc()
            await self._failed(sub, reason, str(exc), 200, None)
        except Exception as exc:  # noqa: BLE001 - no input may stop a feed: a bug becomes a logged, backed-off failure
            log.exception("feed poll crashed", feed=config.display_name)
            FEED_FETCHES.labels("internal_error", "none").inc()
            with contextlib.suppress(Exception):
                await self._failed(sub, "internal_error", repr(exc)[:300], None, None)
            if sub.due < time.monotonic():  # not rescheduled by _failed: never leave a feed unscheduled
                self._reschedule(sub, backoff_delay(sub.interval, sub.state.health.consecutive_errors + 1, cap=self._settings.max_backoff_seconds))
        finally:
            sub.task = None
            sub.publishing = False
            self._in_flight -= 1
            self._wakeup.set()

    def _digest(self, sub: Subscription, result: FetchResult) -> Digest:
        """CPU work, on the parse thread: parse, id every entry, build only the unseen articles."""
        # The seen set is built per poll, not kept per feed: a few microseconds here, against ~8 KB for each of 10,000 feeds.
        read = digest_channel if isinstance(result, ChannelResult) else digest_document
        digest = read(result, sub.normaliser, set(sub.state.seen_ids), utc_now(), max_record_bytes=self._max_record_bytes)
        ARTICLES_FETCHED.inc(len(digest.current_ids) + len(digest.skipped))
        return digest

    async def _advance(self, sub: Subscription, result: FetchResult, digest: Digest | None, started: float) -> None:
        now = utc_now()
        seen = sub.state.seen
        published = 0
        if digest is not None:
            name = sub.config.display_name
            _SEEN_ITEMS.inc(len(digest.current_ids) - len(digest.new))
            self._count_oddities(name, digest)
            outgoing = await self._outgoing(sub, digest.new)
            sub.publishing = True
            rejected = await self._publish(outgoing)
            for article in outgoing:  # the start of an article's trail through the logs (article_id)
                if article.id not in rejected:
                    log.info("article published", feed=name, article_id=article.id)
            published = len(digest.new) - len(rejected)
            seen = sub.state.with_seen(digest.current_ids, digest.seen_new)
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
                "feed polled", feed=sub.config.display_name, entries=len(digest.current_ids) if digest else 0,
                new=published, duration_s=round(time.perf_counter() - started, 4),
            )

    @staticmethod
    def _count_oddities(feed: str, digest: Digest) -> None:
        if digest.empty:
            _EMPTY_DOCUMENTS.inc()
        for reason in digest.skipped:
            FEED_ITEMS_SKIPPED.labels(_skip_kind(reason)).inc()
            log.warning("feed item skipped", feed=feed, reason=reason)
        if digest.shortened:
            FEED_ITEMS_SKIPPED.labels("shortened").inc(digest.shortened)
            log.warning("feed items shortened to fit a record", feed=feed, count=digest.shortened)

    async def _publish(self, articles: list[Article]) -> set[str]:
        """Publish; while Kafka takes longer than publish_timeout_seconds to acknowledge, pause polling.
        Returns the ids of the articles Kafka refused for themselves (too large): logged, counted, not retried.

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
            rejected = await publishing
        finally:
            self._stalled -= 1
        if not self._stalled:
            log.info("kafka acknowledged again, polling resumes")
        return rejected

    async def _outgoing(self, sub: Subscription, new: list[Article]) -> list[Article]:
        """New articles, enriched with full text if asked, with cross-feed duplicates folded into the earlier article."""
        if sub.config.full_text:
            new = list(await asyncio.gather(*(self._full_text.enrich(a) for a in new)))
        outgoing: dict[str, Article] = {}
        for article in new:
            # Remembered before the publish is acknowledged, so a concurrent poll of another feed
            # already folds into it; a failed publish is retried with the same content anyway.
            folded = self._stories.fold(article)
            (_DUPLICATE_ITEMS if folded.duplicate else _NEW_ITEMS).inc()
            if folded.duplicate:  # users must be able to see what was not published as its own article
                log.info(
                    "story folded", feed=sub.config.display_name, article_id=article.id,
                    duplicate_of=folded.kept, kept=folded.kept, matched=folded.kind, republished=folded.publish is not None,
                )
            if folded.publish is not None:  # new, or the same article id again now naming both sources
                outgoing[folded.publish.id] = folded.publish
        return list(outgoing.values())

    # -- WebSub ---------------------------------------------------------------------------

    def push(self, feed_id: str, body: bytes, content_type: str | None) -> bool:
        """A hub's verified push, digested and published like a poll's document once any poll under way for
        the feed is done (the hub is answered at once). False when this poller does not own the feed."""
        sub = self._subs.get(feed_id)
        if sub is None:
            return False
        # Validators stay the last GET's: the pushed body is not that resource's current representation.
        result = FetchResult(200, body, sub.state.validators, content_type, sub.config.url, {}, len(body))
        task = asyncio.create_task(self._take_push(sub, result))
        self._pushes.add(task)
        task.add_done_callback(self._pushes.discard)
        return True

    async def _take_push(self, sub: Subscription, result: FetchResult) -> None:
        while sub.task is not None:
            await asyncio.wait({sub.task})
        if self._subs.get(sub.feed_id) is not sub:
            return  # removed or revoked meanwhile: the feed's next owner polls it
        FEED_FETCH_BYTES.inc(result.wire_bytes)
        self._in_flight += 1
        sub.task = asyncio.create_task(self._poll(sub, result))

    def _push_changed(self, feed_id: str, pushed: bool) -> None:
        sub = self._subs.get(feed_id)
        if sub is None:
            return
        sub.push_interval = self._settings.websub.subscribed_interval_seconds if pushed else None
        if not pushed:  # back to polling: at once, for what the hub may not have delivered
            self._reschedule(sub, 0.0)
            self._wakeup.set()

    async def _failed(self, sub: Subscription, reason: str, detail: str, status: int | None, retry_after: float | None) -> None:
        errors = sub.state.health.consecutive_errors + 1
        delay = max(backoff_delay(sub.interval, errors, cap=self._settings.max_backoff_seconds), retry_after or 0.0)
        now = utc_now()
        sub.state = sub.state.failed(now, now + timedelta(seconds=delay), f"{reason}: {detail}"[:500], status)
        self._reschedule(sub, delay)
        log.warning("feed poll failed", feed=sub.config.display_name, reason=reason, status=status, consecutive_errors=errors, retry_in=round(delay, 1))
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
