"""Which feeds this poller owns: Kafka's consumer-group partition assignment on the feeds topic.

No home-made coordinator: N pollers join one group; each partition (and so each
feed, keyed by feed id) belongs to exactly one member at a time, and the
partitions of a poller that dies move to the others after its session times out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiokafka import ConsumerRebalanceListener, TopicPartition

PartitionsHandler = Callable[[set[int]], Awaitable[None]]


class FeedPartitions(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, on_assigned: PartitionsHandler, on_revoked: PartitionsHandler) -> None:
        self._on_assigned = on_assigned
        self._on_revoked = on_revoked

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        # Awaited by the group before anyone else gets these partitions: in-flight polls finish here.
        await self._on_revoked({tp.partition for tp in revoked})

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        await self._on_assigned({tp.partition for tp in assigned})
