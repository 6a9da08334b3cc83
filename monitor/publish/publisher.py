"""Articles → the raw topic, acknowledged by every in-sync replica."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from monitor.exceptions import PublishError
from tocsin.observability.metrics import ARTICLES_PUBLISHED
from tocsin.records import Article


class ArticlePublisher:
    def __init__(self, bootstrap: list[str], topic: str) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        # Idempotence (implies acks=all) keeps producer retries from writing duplicates.
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            enable_idempotence=True,
            linger_ms=5,
            compression_type="lz4",
            client_id="tocsin-poller",
        )
        try:
            await self._producer.start()
        except KafkaError as exc:
            raise PublishError(f"cannot connect to Kafka: {exc}") from exc

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()

    async def publish(self, articles: Sequence[Article]) -> None:
        """Return only once Kafka acknowledged every article, or raise."""
        assert self._producer is not None, "start() first"
        try:
            pending = [
                await self._producer.send(self._topic, key=a.id.encode(), value=a.to_bytes()) for a in articles
            ]
            await asyncio.gather(*pending)
        except KafkaError as exc:
            raise PublishError(f"publishing {len(articles)} articles failed: {exc}") from exc
        ARTICLES_PUBLISHED.inc(len(articles))
