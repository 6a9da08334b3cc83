"""Consumer lag per topic and partition, for whichever consumer a process runs
(the Faust worker's or the deliverer's aiokafka consumer: the same calls), and
per consumer group over every partition (GroupWatch, which also tells whether
Kafka answers).

Only the partitions the consumer owns right now have a series, so after a
rebalance the new owner reports a partition and the old one stops; summing
over instances gives the group's lag without double counting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from aiokafka.errors import (
    IllegalStateError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NodeNotReadyError,
    RequestTimedOutError,
)
from mode import Service

from tocsin.kafka import clients
from tocsin.kafka.drain import Stage, partition_lag
from tocsin.observability.metrics import CONSUMER_GROUP_LAG, CONSUMER_LAG

log = structlog.get_logger(__name__)


class LagMeter:
    def __init__(self, topics: Iterable[str]) -> None:
        self._topics = frozenset(topics)
        self._exported: set[tuple[str, str]] = set()

    async def measure(self, consumer: Any) -> None:
        lag: dict[tuple[str, str], int] = {}
        for tp in consumer.assignment():
            if tp.topic not in self._topics:
                continue
            try:
                highwater, position = consumer.highwater(tp), await consumer.position(tp)
            except IllegalStateError:
                continue  # revoked while we looked
            if highwater is not None and position is not None:
                lag[(tp.topic, str(tp.partition))] = max(highwater - position, 0)
        for gone in self._exported - lag.keys():
            CONSUMER_LAG.remove(*gone)
        for labels, behind in lag.items():
            CONSUMER_LAG.labels(*labels).set(behind)
        self._exported = set(lag)


_UNREACHABLE = (KafkaConnectionError, NodeNotReadyError, RequestTimedOutError, KafkaTimeoutError, OSError, TimeoutError)
"""No answer at all: what makes a process unready (an answered error, such as a group
coordinator not yet available on a broker that has just started, does not)."""


class GroupWatch(Service):
    """Whether Kafka answers this process, and each consumer group's lag over every partition.

    Asked every few seconds with a short timeout: ``reachable`` is what readiness
    reports while the broker is away (the clients themselves only retry, and say so
    many times a second). The lag is the end offset minus the group's committed
    offset, for every partition of the group's topics: a partition stuck with a
    dead member, or whose consumer stopped committing (a stage held by its store),
    shows here although no live member reports it. Every member of a group
    exports the same series, so aggregate with ``max``, not ``sum``.
    """

    def __init__(self, bootstrap: list[str], stages: Sequence[Stage], *, interval: float = 5.0) -> None:
        super().__init__()
        self._bootstrap = bootstrap
        self._stages = tuple(stages)
        self._interval = interval
        self._exported: set[tuple[str, str, str]] = set()
        self.reachable = True

    async def on_start(self) -> None:
        # Each look is bounded by the interval (asyncio.wait_for), whatever the clients' own timeouts.
        self._admin = clients.admin(self._bootstrap, "watch")
        self._offsets = clients.consumer(self._bootstrap, "watch")
        await self._admin.start()
        await self._offsets.start()

    async def on_stop(self) -> None:
        await self._offsets.stop()
        await self._admin.close()

    @Service.task
    async def _watch(self) -> None:
        while not self.should_stop:
            try:
                lag = await asyncio.wait_for(self._measure(), self._interval)
            except _UNREACHABLE as exc:
                if self.reachable:
                    log.warning("kafka unreachable", error=repr(exc))
                self.reachable = False
            except KafkaError:
                pass  # Kafka answered, with an error it retries (a coordinator still loading): no verdict
            else:
                if not self.reachable:
                    log.warning("kafka reachable again")
                self.reachable = True
                self._export(lag)
            await self.sleep(self._interval)

    async def _measure(self) -> dict[tuple[str, str, str], int]:
        if not self._stages:
            await self._admin.describe_cluster()  # still ask Kafka something
            return {}
        lag = await partition_lag(self._admin, self._offsets, self._stages)
        return {(group, tp.topic, str(tp.partition)): behind for (group, tp), behind in lag.items()}

    def _export(self, lag: dict[tuple[str, str, str], int]) -> None:
        for gone in self._exported - lag.keys():
            CONSUMER_GROUP_LAG.remove(*gone)
        for labels, behind in lag.items():
            CONSUMER_GROUP_LAG.labels(*labels).set(behind)
        self._exported = set(lag)
