"""The deliverer's Kafka edge: delivery state on the compacted deliveries
topic (partition = the alert's partition on the alerts topic, so whoever owns
an alert partition owns its deliveries), and dead letters."""

from __future__ import annotations

import asyncio
import json

from aiokafka import AIOKafkaProducer

from tocsin.kafka.compacted import read_records
from tocsin.kafka.topics import TopicSpec
from tocsin.kafka.decode import dead_letter
from tocsin.records import DeadLetter, Delivery

REPLAY_HEADER = "tocsin-replay-endpoint"


async def read_partition(bootstrap: list[str], topic: TopicSpec[Delivery], partition: int) -> dict[str, Delivery]:
    """Every delivery's latest state in one partition, read from the start to the end."""
    found = await read_records(bootstrap, topic, "deliver", [partition])
    return {delivery.key: delivery for delivery in found.values()}


async def read_all(bootstrap: list[str], topic: TopicSpec[Delivery]) -> list[tuple[int, Delivery]]:
    loaded = await asyncio.gather(*(read_partition(bootstrap, topic, p) for p in range(topic.partitions)))
    return [(p, d) for p, states in enumerate(loaded) for d in states.values()]


class DeliveryLog:
    def __init__(self, producer: AIOKafkaProducer, deliveries_topic: str, alerts_topic: str, dead_letters_topic: str) -> None:
        self._producer = producer
        self._deliveries = deliveries_topic
        self._alerts = alerts_topic
        self._dead_letters = dead_letters_topic

    async def write(self, partition: int, delivery: Delivery) -> asyncio.Future[object]:
        """Queue the state for sending; the returned future resolves on acknowledgement."""
        return await self._producer.send(self._deliveries, key=delivery.key.encode(), value=delivery.to_bytes(), partition=partition)

    async def dead_letter(self, partition: int, delivery: Delivery) -> None:
        assert delivery.alert is not None
        attempts = [a.model_dump(mode="json") for a in delivery.attempts]
        letter = DeadLetter.of(
            stage="deliver",
            reason=f"delivery_{delivery.reason}",
            detail=json.dumps({"endpoint": delivery.endpoint, "message_id": delivery.message_id, "attempts": attempts}),
            topic=self._alerts,
            partition=partition,
            offset=None,
            key=delivery.alert.alert_id,
            value=delivery.alert.to_bytes(),
        )
        await dead_letter(self.send_dead_letter, letter)

    async def send_dead_letter(self, key: bytes | None, value: bytes) -> None:
        await (await self._producer.send(self._dead_letters, key=key, value=value))
