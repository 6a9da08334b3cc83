"""The feeds topic as a catalogue: add, remove and list definitions (used by the CLI and at start)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


from monitor.feeds.definitions import definition_of, feed_id
from tocsin.kafka import clients
from tocsin.kafka.feed_catalog import definitions, states
from tocsin.records.feed import FeedDefinition
from tocsin.settings import FeedConfig

__all__ = ["definitions", "remove", "states", "upsert"]


async def upsert(bootstrap: list[str], topic: str, feeds: Iterable[FeedConfig]) -> list[FeedDefinition]:
    made = [definition_of(f) for f in feeds]
    await _produce(bootstrap, topic, [(d.key, d.to_bytes()) for d in made])
    return made


async def remove(bootstrap: list[str], topic: str, urls: Iterable[str]) -> list[str]:
    ids = [feed_id(u) for u in urls]
    await _produce(bootstrap, topic, [(i.encode(), None) for i in ids])  # tombstones
    return ids


async def _produce(bootstrap: list[str], topic: str, records: list[tuple[bytes, bytes | None]]) -> None:
    producer = clients.producer(bootstrap, "feeds")
    await producer.start()
    try:
        acks = [await producer.send(topic, key=key, value=value) for key, value in records]
        await asyncio.gather(*acks)
    finally:
        await producer.stop()
