"""Waiting until a pipeline has processed everything on its topics (``tocsin replay --wait``).

Done means: every consumer group's committed offsets are at the end offsets of
the topics it reads, on every partition (not only the ones some process owns).
The committed offsets are read *before* the end offsets: every stage commits
its input only after flushing what it produced from it, so when a group's
committed offsets were already at ends read later, nothing it processed can
still be on its way to a downstream topic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tocsin.kafka import clients
from tocsin.kafka.exceptions import NotDrained


@dataclass(frozen=True)
class Stage:
    """A consumer group and the topics it reads; ``optional``: waited for only if the group exists."""

    group: str
    topics: tuple[str, ...]
    optional: bool = False


async def end_offsets(bootstrap: list[str], topics: Iterable[str]) -> dict[TopicPartition, int]:
    admin = clients.admin(bootstrap, "drain")
    consumer = clients.consumer(bootstrap, "drain")
    await admin.start()
    await consumer.start()
    try:
        return await _ends(consumer, await _partitions(admin, topics))
    finally:
        await consumer.stop()
        await admin.close()


async def backlog(bootstrap: list[str], stages: Sequence[Stage]) -> dict[tuple[str, str], int]:
    """Records not yet committed, per (group, topic), summed over every partition of the topic."""
    admin = clients.admin(bootstrap, "drain")
    consumer = clients.consumer(bootstrap, "drain")
    await admin.start()
    await consumer.start()
    try:
        left: dict[tuple[str, str], int] = {}
        for (group, tp), behind in (await partition_lag(admin, consumer, stages)).items():
            left[(group, tp.topic)] = left.get((group, tp.topic), 0) + behind
        return left
    finally:
        await consumer.stop()
        await admin.close()


async def partition_lag(
    admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, stages: Sequence[Stage]
) -> dict[tuple[str, TopicPartition], int]:
    """Records not yet committed, per (group, partition), over every partition of each stage's topics;
    an optional stage whose group does not exist is left out."""
    groups = {group for group, *_ in await admin.list_consumer_groups()}
    waited = [s for s in stages if not s.optional or s.group in groups]
    partitions = await _partitions(admin, {t for s in waited for t in s.topics})
    committed = {s.group: await admin.list_consumer_group_offsets(s.group, partitions=partitions) for s in waited}
    ends = await _ends(consumer, partitions)
    starts = await consumer.beginning_offsets(partitions) if partitions else {}
    lag: dict[tuple[str, TopicPartition], int] = {}
    for stage in waited:
        for tp in (tp for tp in partitions if tp.topic in stage.topics):
            found = committed[stage.group].get(tp)
            done = found.offset if found is not None and found.offset >= 0 else starts[tp]
            lag[(stage.group, tp)] = max(ends[tp] - done, 0)
    return lag


async def wait_drained(bootstrap: list[str], stages: Sequence[Stage], timeout: float, interval: float = 0.5) -> None:
    """Return once no stage has a record left; NotDrained (naming what is left) after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = await backlog(bootstrap, stages)
        if not any(left.values()):
            return
        if loop.time() > deadline:
            behind = ", ".join(f"{group} on {topic}: {n}" for (group, topic), n in left.items() if n)
            raise NotDrained(f"the pipeline still had records to process after {timeout:g} s ({behind})")
        await asyncio.sleep(interval)


async def read_from(bootstrap: list[str], starts: Mapping[TopicPartition, int]) -> list[ConsumerRecord]:
    """Every record from ``starts`` up to each partition's current end."""
    consumer = clients.consumer(bootstrap, "drain")
    await consumer.start()
    try:
        partitions = list(starts)
        consumer.assign(partitions)
        ends = await _ends(consumer, partitions)
        for tp, offset in starts.items():
            consumer.seek(tp, offset)
        out: list[ConsumerRecord] = []
        waiting = {tp for tp in partitions if starts[tp] < ends[tp]}
        while waiting:
            for tp, records in (await consumer.getmany(*waiting, timeout_ms=1000)).items():
                out += [r for r in records if r.offset < ends[tp]]
            waiting = {tp for tp in waiting if await consumer.position(tp) < ends[tp]}
        return out
    finally:
        await consumer.stop()


async def _ends(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    return await consumer.end_offsets(partitions) if partitions else {}


async def _partitions(admin: AIOKafkaAdminClient, topics: Iterable[str]) -> list[TopicPartition]:
    # The admin client, not consumer.topics(): that fetches metadata without keeping it.
    described = await admin.describe_topics(sorted(set(topics)))
    return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
