"""Helpers for tests that run a poller against the real broker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY

from monitor.poller import Poller
from tocsin.records import Article


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def fetches(outcome: str, status: str) -> float:
    return sample("tocsin_feed_fetches_total", outcome=outcome, status=status)


async def wait_for(condition: Callable[[], bool], timeout: float, poller: Poller) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        assert not poller.crashed
        await asyncio.sleep(0.1)


async def read_articles(bootstrap: str, topic: str, until: Callable[[list[Article]], bool], timeout: float = 60.0) -> list[Article]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    got: list[Article] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not until(got) and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                got += [Article.from_bytes(r.value) for r in records]
        return got
    finally:
        await consumer.stop()
