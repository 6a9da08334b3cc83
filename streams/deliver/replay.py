"""`tocsin webhooks replay`: ask the deliverer to deliver alerts to one endpoint again.

A replay request is the alert itself, re-published on the alerts topic to its
own partition with a header naming the endpoint: the running deliverer (or
the next one to start) treats it like any alert, so the same ids are used and
an alert already delivered to that endpoint is still never sent twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiokafka import TopicPartition

from streams.deliver.store import REPLAY_HEADER, read_all
from tocsin.kafka import clients
from tocsin.kafka.topics import Topics
from tocsin.records import DeliveryStatus


async def replay_dead(bootstrap: list[str], topics: Topics, endpoint: str) -> int:
    """Re-request every delivery to ``endpoint`` that ended dead-lettered."""
    states = await read_all(bootstrap, topics.deliveries)
    dead = [(p, d) for p, d in states if d.endpoint == endpoint and d.status is DeliveryStatus.DEAD and d.alert is not None]
    requests = [(p, d.alert.alert_id.encode(), d.alert.to_bytes()) for p, d in dead if d.alert is not None]
    return await _request(bootstrap, topics.alerts.name, endpoint, requests)


async def replay_range(bootstrap: list[str], topics: Topics, endpoint: str, since: datetime, until: datetime) -> int:
    """Re-request every alert published on the alerts topic between ``since`` and ``until``."""
    consumer = clients.consumer(bootstrap, "replay")
    await consumer.start()
    requests: list[tuple[int, bytes | None, bytes]] = []
    try:
        tps = [TopicPartition(topics.alerts.name, p) for p in range(topics.alerts.partitions)]
        consumer.assign(tps)
        starts = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
        ends = await consumer.end_offsets(tps)
        until_ms = int(until.timestamp() * 1000)
        seen: set[bytes | None] = set()
        for tp in tps:
            if starts[tp] is None:
                continue  # nothing that recent in this partition
            consumer.seek(tp, starts[tp].offset)
            while await consumer.position(tp) < ends[tp]:
                for message in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
                    is_request = any(name == REPLAY_HEADER for name, _ in message.headers or ())
                    if message.timestamp <= until_ms and not is_request and message.key not in seen:
                        seen.add(message.key)
                        requests.append((tp.partition, message.key, message.value))
    finally:
        await consumer.stop()
    return await _request(bootstrap, topics.alerts.name, endpoint, requests)


async def _request(bootstrap: list[str], topic: str, endpoint: str, requests: list[tuple[int, bytes | None, bytes]]) -> int:
    producer = clients.producer(bootstrap, "replay")
    await producer.start()
    try:
        header = [(REPLAY_HEADER, endpoint.encode())]
        sent = [await producer.send(topic, key=key, value=value, partition=partition, headers=header) for partition, key, value in requests]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return len(requests)
