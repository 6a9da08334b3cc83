"""Consumer lag per topic and partition, for whichever consumer a process runs
(the Faust worker's or the deliverer's aiokafka consumer: the same calls).

Only the partitions the consumer owns right now have a series, so after a
rebalance the new owner reports a partition and the old one stops; summing
over instances gives the group's lag without double counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiokafka.errors import IllegalStateError

from tocsin.observability.metrics import CONSUMER_LAG


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
