"""The feeds topic as a catalogue: add, remove and list definitions (used by the CLI and at start)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer

from monitor.feeds.definitions import FeedDefinition, feed_id
from monitor.state import FeedState
from tocsin.kafka.compacted import read_records
from tocsin.settings import FeedConfig


async def upsert(bootstrap: list[str], topic: str, feeds: Iterable[FeedConfig]) -> list[FeedDefinition]:
    definitions = [FeedDefinition.of(f) for f in feeds]
    await _produce(bootstrap, topic, [(d.key, d.to_bytes()) for d in definitions])
    return definitions


async def remove(bootstrap: list[str], topic: str, urls: Iterable[str]) -> list[str]:
    ids = [feed_id(u) for u in urls]
    await _produce(bootstrap, topic, [(i.encode(), None) for i in ids])  # tombstones
    return ids


async def definitions(bootstrap: list[str], topic: str) -> list[FeedDefinition]:
    found = await read_records(bootstrap, topic, FeedDefinition, "feeds")
    return sorted(found.values(), key=lambda d: d.config.display_name)


async def states(bootstrap: list[str], topic: str) -> dict[str, FeedState]:
    return {k.decode(errors="replace"): state for k, state in (await read_records(bootstrap, topic, FeedState, "feeds")).items()}


async def _produce(bootstrap: list[str], topic: str, records: list[tuple[bytes, bytes | None]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, client_id="tocsin-feeds")
    await producer.start()
    try:
        acks = [await producer.send(topic, key=key, value=value) for key, value in records]
        await asyncio.gather(*acks)
    finally:
        await producer.stop()
