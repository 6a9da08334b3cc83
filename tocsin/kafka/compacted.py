"""The one reader of compacted topics (feeds, feed state, deliveries): the latest value per key
of some partitions, read up to their current end."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from aiokafka import TopicPartition

from tocsin.kafka import clients

from tocsin.kafka.decode import decode_latest
from tocsin.kafka.topics import TopicSpec
from tocsin.records import Record

R = TypeVar("R", bound=Record)


async def read_latest(bootstrap: list[str], topic: str, partitions: Iterable[int] | None = None) -> dict[bytes, bytes | None]:
    """Key → latest value (None for a tombstone) of the given partitions (all when None).

    No consumer group: this reads, it does not own anything.
    """
    if partitions is None:
        partitions = await _all_partitions(bootstrap, topic)
    consumer = clients.consumer(bootstrap, "snapshot")
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in partitions]
        if not assigned:
            return {}
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        latest: dict[bytes, bytes | None] = {}
        waiting = {tp for tp in assigned if ends[tp] > 0}
        while waiting:
            batches = await consumer.getmany(*waiting, timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    if record.key is not None:
                        latest[record.key] = record.value
            waiting = {tp for tp in waiting if await consumer.position(tp) < ends[tp]}
        return latest
    finally:
        await consumer.stop()


async def _all_partitions(bootstrap: list[str], topic: str) -> list[int]:
    # The admin client, not consumer.topics(): that fetches metadata without keeping it, so the
    # consumer's partitions_for_topic() stays None and the snapshot would silently read nothing.
    admin = clients.admin(bootstrap, "snapshot")
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for t in described for p in t["partitions"])


async def read_records(
    bootstrap: list[str], topic: TopicSpec[R], stage: str, partitions: Iterable[int] | None = None
) -> dict[bytes, R]:
    """Key → latest record (of the topic's record class), tombstones left out and values this
    build cannot read skipped (counted, logged)."""
    if topic.record is None:
        raise TypeError(f"{topic.name} names no record class to decode with")
    return decode_latest(topic.record, stage, topic.name, await read_latest(bootstrap, topic.name, partitions))
