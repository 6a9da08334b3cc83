"""The deliverer's Kafka edge: delivery state on the compacted deliveries
topic (partition = the alert's partition on the alerts topic, so whoever owns
an alert partition owns its deliveries), and dead letters."""

from __future__ import annotations

import asyncio
import json

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from tocsin.observability.metrics import DEAD_LETTERS
from tocsin.records import DeadLetter, Delivery, RecordError, utc_now

log = structlog.get_logger(__name__)

REPLAY_HEADER = "tocsin-replay-endpoint"


async def read_partition(bootstrap: list[str], topic: str, partition: int) -> dict[str, Delivery]:
    """Every delivery's latest state in one partition, read from the start to the end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="tocsin-deliver-state")
    await consumer.start()
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        states: dict[str, Delivery] = {}
        while await consumer.position(tp) < end:
            for message in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
                try:
                    delivery = Delivery.from_bytes(message.value)
                except RecordError as exc:
                    log.error("unreadable delivery state skipped", partition=partition, offset=message.offset, error=str(exc))
                    continue
                states[delivery.key] = delivery
        return states
    finally:
        await consumer.stop()


async def read_all(bootstrap: list[str], topic: str, partitions: int) -> list[tuple[int, Delivery]]:
    loaded = await asyncio.gather(*(read_partition(bootstrap, topic, p) for p in range(partitions)))
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
        letter = DeadLetter(
            stage="deliver",
            reason=f"delivery_{delivery.reason}",
            detail=json.dumps({"endpoint": delivery.endpoint, "message_id": delivery.message_id, "attempts": attempts}),
            topic=self._alerts,
            partition=partition,
            key=delivery.alert.alert_id,
            value=delivery.alert.to_bytes().decode(),
            failed_at=utc_now(),
        )
        await (await self._producer.send(self._dead_letters, key=delivery.alert.alert_id.encode(), value=letter.to_bytes()))
        DEAD_LETTERS.labels("deliver", letter.reason).inc()
