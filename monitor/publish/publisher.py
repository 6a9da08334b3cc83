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
from aiokafka.errors import KafkaError

from monitor.exceptions import PublishError
from monitor.state import FeedState
from tocsin.observability.metrics import ARTICLES_PUBLISHED, PUBLISH_SECONDS
from tocsin.records import Article


class ArticlePublisher:
    def __init__(self, bootstrap: list[str], topic: str, state_topic: str | None = None, *, request_timeout_ms: int = 30_000) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._state_topic = state_topic
        self._request_timeout_ms = request_timeout_ms
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            enable_idempotence=True,  # implies acks=all
            linger_ms=5,
            compression_type="lz4",
            # Large batches let the articles of many concurrent polls share one produce request:
            # with idempotence only one request per broker is in flight, so batch size is throughput.
            # Below the broker's 1 MiB message.max.bytes even before lz4.
            max_batch_size=512 * 1024,
            max_request_size=4 * 1024 * 1024,
            request_timeout_ms=self._request_timeout_ms,
            client_id="tocsin-poller",
        )
        try:
            await self._producer.start()
        except KafkaError as exc:
            await self._producer.stop()
            raise PublishError(f"cannot connect to Kafka: {exc}") from exc

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()  # flushes what is pending (state records included)

    async def publish(self, articles: Sequence[Article]) -> None:
        """Return only once Kafka acknowledged every article, or raise PublishError."""
        if not articles:
            return
        assert self._producer is not None, "start() first"
        started = time.perf_counter()
        try:
            pending = [await self._producer.send(self._topic, key=a.id.encode(), value=a.to_bytes()) for a in articles]
            await asyncio.gather(*pending)
        except KafkaError as exc:
            raise PublishError(f"publishing {len(articles)} articles failed: {exc!r}") from exc
        PUBLISH_SECONDS.observe(time.perf_counter() - started)
        ARTICLES_PUBLISHED.inc(len(articles))

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
