"""The deliverer: alerts topic → per-endpoint queues → webhooks, with every
delivery's state on the compacted deliveries topic.

Order of durability: each attempt's result (delivered, retrying with the
alert and the next time, or dead) is acknowledged by Kafka before the next
step, and an alert's offset is committed only once every delivery it started
has such a record; until then the uncommitted offset is the pending state. So
a crash at any point resumes from Kafka: an alert is never lost, and an alert
whose delivery was recorded is never sent to that endpoint again. (An attempt
cut off between the receiver's 2xx and our record of it is repeated once:
that is what the webhook-id is for.) The happy path costs one small record
per delivery.
"""

from __future__ import annotations

import asyncio

import structlog
from aiokafka import ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from aiokafka.structs import ConsumerRecord
from mode import Service

from streams.deliver.endpoint import EndpointQueue
from streams.deliver.filters import wants
from streams.deliver.offsets import CommitTracker
from streams.deliver.render import BodyCache, message_id
from streams.deliver.sender import Sender, new_session
from streams.deliver.state import pending
from streams.deliver.store import REPLAY_HEADER, DeliveryLog, read_partition
from tocsin.kafka import clients
from tocsin.kafka.topics import Topics, deliver_group
from tocsin.observability.lag import LagMeter
from tocsin.kafka.decode import decode_or_dead_letter
from tocsin.observability.metrics import ALERTS_DELIVERED, RECORDS_CONSUMED
from tocsin.records import Delivery, DeliveryStatus, delivery_key, utc_now
from tocsin.settings import Settings

log = structlog.get_logger(__name__)

STOP_GRACE_SECONDS = 5.0
COMMIT_INTERVAL_SECONDS = 0.2


class Deliverer(Service):
    def __init__(self, settings: Settings, bootstrap: list[str], topics: Topics) -> None:
        super().__init__()
        self._settings = settings
        self._bootstrap = bootstrap
        self._topics = topics
        self._states: dict[int, dict[str, Delivery]] = {}
        # One load of the partition's delivery state, shared by whoever needs it first:
        # aiokafka may hand out a new partition's alerts before its listener returns.
        self._loading: dict[int, asyncio.Task[None]] = {}
        self._queues: dict[str, EndpointQueue] = {}
        self._consuming: asyncio.Task[None] | None = None
        self._committing: asyncio.Task[None] | None = None
        self._offsets = CommitTracker()
        self._lag = LagMeter([self._topics.alerts.name])
        self.joined = False  # given its share of the alert partitions (possibly none) at least once

    async def on_start(self) -> None:
        webhooks = self._settings.webhooks
        self._producer = clients.producer(
            self._bootstrap, "deliver", linger_ms=2,
            # Pending states carry the alert (a few KB): with the default 16 KB batches a
            # burst of them makes every send wait for a drain, which costs more than the HTTP.
            max_batch_size=min(512 * 1024, self._settings.kafka.max_record_bytes),
            max_record_bytes=self._settings.kafka.max_record_bytes,  # the one record-size limit (topics.py)
        )
        await self._producer.start()
        self._log = DeliveryLog(self._producer, self._topics.deliveries.name, self._topics.alerts.name, self._topics.dead_letters.name)
        self._session = new_session(webhooks.allow_private_addresses)
        sender = Sender(self._session, allow_private=webhooks.allow_private_addresses)
        bodies = BodyCache()
        self._queues = {
            e.name: EndpointQueue(e, webhooks, sender, bodies, self._record) for e in webhooks.endpoints if e.enabled
        }
        for queue in self._queues.values():
            queue.start()
        self._consumer = clients.consumer(
            self._bootstrap, "deliver", group_id=deliver_group(self._settings.kafka), **self._settings.kafka.membership.consumer_options()
        )
        await self._consumer.start()
        self._consumer.subscribe([self._topics.alerts.name], listener=_Rebalance(self))
        self._consuming = asyncio.create_task(self._consume(), name="deliver:alerts")
        self._committing = asyncio.create_task(self._commit_periodically(), name="deliver:commits")
        log.info("deliverer started", endpoints=list(self._queues))

    async def on_stop(self) -> None:
        for task in (self._consuming, self._committing):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await asyncio.gather(*(q.stop(STOP_GRACE_SECONDS) for q in self._queues.values()))
        await self._commit()
        await self._consumer.stop()
        await self._producer.stop()
        await self._session.close()

    async def _consume(self) -> None:
        try:
            while True:
                batch = await self._consumer.getmany(timeout_ms=500, max_records=500)
                for tp, messages in batch.items():
                    if tp not in self._consumer.assignment():
                        continue  # revoked meanwhile: its new owner reads these again
                    await self._claim({tp.partition})
                    for message in messages:
                        self._offsets.consumed(tp.partition, message.offset, await self._on_alert(tp.partition, message))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("deliverer stopped: cannot read alerts or write delivery state")
            await self.crash(exc)

    @Service.timer(5.0)
    async def _measure_lag(self) -> None:
        await self._lag.measure(self._consumer)

    async def _commit_periodically(self) -> None:
        while True:
            await asyncio.sleep(COMMIT_INTERVAL_SECONDS)
            await self._commit()

    async def _commit(self) -> None:
        ready = self._offsets.committable()
        if not ready:
            return
        try:
            await self._consumer.commit({TopicPartition(self._topics.alerts.name, p): o for p, o in ready.items()})
            self._offsets.committed(ready)
        except (CommitFailedError, IllegalStateError, KafkaError) as exc:
            # A rebalance took the partition away (its next owner re-reads the alerts and
            # finds their states), or Kafka is away: the next round tries again.
            log.warning("alert offsets not committed", error=str(exc))

    async def _on_alert(self, partition: int, message: ConsumerRecord) -> int:
        """Queue the alert's deliveries; return how many were started."""
        RECORDS_CONSUMED.labels("deliver").inc()
        alert = await decode_or_dead_letter(self._topics.alerts.record, "deliver", message, self._log.send_dead_letter)
        if alert is None:
            return 0
        replay_to = dict(message.headers or ()).get(REPLAY_HEADER)
        if replay_to is not None:
            queues = [q for name, q in self._queues.items() if name == replay_to.decode(errors="replace")]
        else:
            queues = [q for q in self._queues.values() if wants(q.endpoint.filters, alert)]
        mid, now, states = message_id(alert), utc_now(), self._states[partition]
        started = 0
        for queue in queues:
            key = delivery_key(mid, queue.endpoint.name)
            current = states.get(key)
            if current is None:
                delivery = pending(mid, alert, queue.endpoint.name, now)
            elif current.status is DeliveryStatus.DEAD and replay_to is not None:
                delivery = pending(mid, alert, queue.endpoint.name, now, replays=current.replays + 1)
            else:
                continue  # delivered (never again), under way, or dead and not asked for
            states[key] = delivery  # under way: a repeat of the alert is not queued twice
            queue.submit(partition, delivery, ticket=message.offset)
            started += 1
        return started

    async def _record(self, partition: int, delivery: Delivery, ticket: int | None) -> None:
        if partition in self._states:
            self._states[partition][delivery.key] = delivery
        await (await self._log.write(partition, delivery))
        if ticket is not None:
            self._offsets.recorded(partition, ticket)
        if delivery.status is DeliveryStatus.DEAD:
            ALERTS_DELIVERED.labels(delivery.endpoint, "dead").inc()
            await self._log.dead_letter(partition, delivery)
            log.warning(
                "delivery dead-lettered", endpoint=delivery.endpoint, message_id=delivery.message_id,
                alert_id=delivery.alert.alert_id if delivery.alert else None,
                reason=delivery.reason, attempts=[a.outcome for a in delivery.attempts],
            )

    async def _claim(self, partitions: set[int]) -> None:
        for partition in partitions:
            if partition not in self._loading:
                self._loading[partition] = asyncio.create_task(self._load(partition))
        await asyncio.gather(*(self._loading[p] for p in partitions))

    async def _load(self, partition: int) -> None:
        states = await read_partition(self._bootstrap, self._topics.deliveries, partition)
        self._states[partition] = states
        resumed = 0
        for delivery in states.values():
            queue = self._queues.get(delivery.endpoint)
            if queue is not None and not delivery.status.final:
                queue.submit(partition, delivery)
                resumed += 1
        log.info("delivery state loaded", partition=partition, deliveries=len(states), resumed=resumed)

    async def _release(self, partitions: set[int]) -> None:
        loads = [self._loading.pop(p) for p in partitions if p in self._loading]
        for load in loads:
            load.cancel()
        await asyncio.gather(*loads, return_exceptions=True)
        await asyncio.gather(*(q.drop(partitions) for q in self._queues.values()))
        await self._producer.flush()
        await self._commit()  # what is on record, so the next owner re-reads less
        self._offsets.forget(partitions)
        for partition in partitions:
            self._states.pop(partition, None)


class _Rebalance(ConsumerRebalanceListener):
    """Whoever owns an alerts partition owns the deliveries of that partition."""

    def __init__(self, deliverer: Deliverer) -> None:
        self._deliverer = deliverer

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._deliverer._release({tp.partition for tp in revoked})

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        await self._deliverer._claim({tp.partition for tp in assigned})
        self._deliverer.joined = True
