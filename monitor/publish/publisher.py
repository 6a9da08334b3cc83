"""Articles and feed state → Kafka, acknowledged by every in-sync replica.

One idempotent producer (acks=all) for both, so producer retries never write
duplicates. ``publish`` returns only once Kafka acknowledged every article;
the caller writes the feed's state after that, never before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
import structlog
from aiokafka.errors import CorruptRecordException, KafkaError, MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError

from monitor.exceptions import PublishError
from monitor.state import FeedState
from tocsin.kafka import clients
from tocsin.observability.metrics import ARTICLES_PUBLISHED, FEED_ITEMS_SKIPPED, PUBLISH_SECONDS
from tocsin.records import Article

log = structlog.get_logger(__name__)

# Kafka refusing one record for what it is: that record's fault, not Kafka being down.
_RECORD_REFUSED = (MessageSizeTooLargeError, RecordTooLargeError, RecordListTooLargeError, CorruptRecordException)


class ArticlePublisher:
    def __init__(
        self, bootstrap: list[str], topic: str, state_topic: str | None = None, *, request_timeout_ms: int = 30_000, max_record_bytes: int
    ) -> None:
        self._bootstrap = bootstrap
        self._max_record_bytes = max_record_bytes
        self._topic = topic
        self._state_topic = state_topic
        self._request_timeout_ms = request_timeout_ms
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        self._producer = await self._started()

    async def _started(self) -> AIOKafkaProducer:
        producer = clients.producer(
            self._bootstrap,
            "poller",
            max_record_bytes=self._max_record_bytes,
            linger_ms=5,
            compression_type="lz4",
            # Large batches let the articles of many concurrent polls share one produce request:
            # with idempotence only one request per broker is in flight, so batch size is throughput.
            # Below the topics' max.message.bytes (kafka.max_record_bytes plus overhead) even before lz4.
            max_batch_size=min(512 * 1024, self._max_record_bytes),
            request_timeout_ms=self._request_timeout_ms,
        )
        try:
            await producer.start()
        except KafkaError as exc:
            await producer.stop()
            raise PublishError(f"cannot connect to Kafka: {exc}") from exc
        return producer

    async def _renewed(self) -> None:
        """A new idempotent producer session: after the broker refused a batch, the old session's
        sequence numbers for that partition are out of step and every later batch would be refused
        (OutOfOrderSequenceNumber). Sends still pending on the old one finish or fail on its stop."""
        old, self._producer = self._producer, await self._started()
        if old is not None:
            await old.stop()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()  # flushes what is pending (state records included)

    async def publish(self, articles: Sequence[Article]) -> set[str]:
        """Return once Kafka acknowledged every article it accepts, or raise PublishError.

        The ids of articles Kafka refused for themselves (too large, corrupt) are returned, logged
        and counted: retrying them would fail again, and they must not pause everyone's polling.
        """
        if not articles:
            return set()
        assert self._producer is not None, "start() first"
        started = time.perf_counter()
        refused: dict[str, BaseException] = {}
        pending: dict[str, asyncio.Future[object]] = {}
        try:
            for article in articles:
                try:
                    pending[article.id] = await self._producer.send(self._topic, key=article.id.encode(), value=article.to_bytes())
                except _RECORD_REFUSED as exc:
                    refused[article.id] = exc
            outcomes = await asyncio.gather(*pending.values(), return_exceptions=True)
        except KafkaError as exc:
            raise PublishError(f"publishing {len(articles)} articles failed: {exc!r}") from exc
        batch_refused = []
        for article, outcome in zip((a for a in articles if a.id in pending), outcomes, strict=True):
            if isinstance(outcome, _RECORD_REFUSED):
                batch_refused.append(article)
            elif isinstance(outcome, BaseException):
                raise PublishError(f"publishing {len(articles)} articles failed: {outcome!r}") from outcome
        # The broker refuses a whole batch for one record in it: the others get a batch of their own,
        # from a fresh producer session.
        if batch_refused:
            log.error("kafka refused a batch: the topic's max.message.bytes is below kafka.max_record_bytes?", topic=self._topic)
            await self._renewed()
        for article in batch_refused:
            try:
                await (await self._producer.send(self._topic, key=article.id.encode(), value=article.to_bytes()))
            except _RECORD_REFUSED as exc:
                refused[article.id] = exc
                await self._renewed()
            except KafkaError as exc:
                raise PublishError(f"publishing {article.id} failed: {exc!r}") from exc
        for article_id, exc in refused.items():
            log.error("article refused by kafka", article_id=article_id, error=repr(exc)[:200])
        if refused:
            FEED_ITEMS_SKIPPED.labels("refused").inc(len(refused))
        PUBLISH_SECONDS.observe(time.perf_counter() - started)
        ARTICLES_PUBLISHED.inc(len(articles) - len(refused))
        return set(refused)

    async def save_state(self, state: FeedState) -> None:
        """Queue the state record; the idempotent producer delivers it after the articles before it."""
        assert self._producer is not None and self._state_topic is not None
        try:
            await self._producer.send(self._state_topic, key=state.key, value=state.to_bytes())
        except KafkaError as exc:
            raise PublishError(f"saving state of {state.url} failed: {exc!r}") from exc

    async def flush(self) -> None:
        assert self._producer is not None
        await self._producer.flush()
