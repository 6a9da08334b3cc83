"""Publishing files of records to the pipeline's topics, for backfill and replay."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from tocsin.kafka import clients


MAX_REQUEST_BYTES = 1024 * 1024
"""The largest record the producer below sends (aiokafka's default max_request_size): a larger
one would fail the whole run in the middle, so files are checked against it first."""


@dataclass(frozen=True)
class Outgoing:
    key: bytes
    value: bytes
    partition: int | None = None


async def _publish(bootstrap: list[str], topic: str, records: Sequence[Outgoing], what: str) -> None:
    producer = clients.producer(bootstrap, "cli", linger_ms=5)
    await producer.start()
    try:
        # Sequential per partition (idempotent producer keeps order); acknowledged before returning.
        with tqdm(total=len(records), unit=what, desc=f"→ {topic}") as bar:
            pending = []
            for record in records:
                pending.append(await producer.send(topic, key=record.key, value=record.value, partition=record.partition))
                if len(pending) >= 500:
                    await asyncio.gather(*pending)
                    bar.update(len(pending))
                    pending.clear()
            await asyncio.gather(*pending)
            bar.update(len(pending))
    finally:
        await producer.stop()


def publish(bootstrap: list[str], topic: str, records: Sequence[Outgoing], what: str) -> None:
    asyncio.run(_publish(bootstrap, topic, records, what))
