"""The latest value per key of a compacted topic's partitions, read up to their current end."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition


async def read_latest(bootstrap: list[str], topic: str, partitions: Iterable[int] | None = None) -> dict[bytes, bytes | None]:
    """Key → latest value (None for a tombstone) of the given partitions (all when None).

    No consumer group: this reads, it does not own anything.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="tocsin-snapshot")
    await consumer.start()
    try:
        if partitions is None:
            await consumer.topics()  # refreshes the cluster metadata
            partitions = sorted(consumer.partitions_for_topic(topic) or ())
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
