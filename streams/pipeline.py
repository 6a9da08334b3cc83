"""What every stage's agent is wired with: the app, topics, tables, dead letters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import faust
import structlog
from aiokafka.errors import KafkaError
from faust.exceptions import ProducerSendError
from faust.streams import current_event
from faust.types import AgentT, EventT, StreamT

from streams.dead_letters import DeadLetters
from streams.store import StateStoreError
from tocsin.kafka.decode import decode_or_dead_letter
from tocsin.kafka.topics import TopicSpec, Topics
from tocsin.observability.metrics import RECORDS_CONSUMED
from tocsin.records import Record
from tocsin.settings import Settings

log = structlog.get_logger(__name__)

R = TypeVar("R", bound=Record)
T = TypeVar("T")

STORE_RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
"""Pauses between tries of a table step the store refused, or of output Kafka refused
(the last repeats): a fault that cleared is noticed within seconds, one that lasts
costs a try every few seconds."""

_MIB = 1024 * 1024
_STORE_OPTIONS = {"write_buffer_size": 4 * _MIB, "max_write_buffer_number": 2, "block_cache_size": 8 * _MIB}
"""RocksDB per table partition. Faust's defaults (3 × 64 MiB memtables and a 2 GiB block
cache per partition store: 6 tables × 6 partitions here) let RSS grow for a long time;
the tables hold small values, so a few MiB each bound memory without costing reads."""


@dataclass(frozen=True)
class Pipeline:
    app: faust.App
    settings: Settings
    articles: faust.TopicT
    reports: faust.TopicT
    events: faust.TopicT
    alerts: faust.TopicT
    dead_letters: DeadLetters

    @classmethod
    def create(cls, app: faust.App, settings: Settings, topics: Topics) -> Pipeline:
        def topic(spec: TopicSpec) -> faust.TopicT:
            # Raw bytes in and out: the stages decode with the versioned record schemas themselves.
            return app.topic(spec.name, key_serializer="raw", value_serializer="raw", partitions=spec.partitions)

        return cls(
            app=app,
            settings=settings,
            articles=topic(topics.articles),
            reports=topic(topics.reports),
            events=topic(topics.events),
            alerts=topic(topics.alerts),
            dead_letters=DeadLetters(topic(topics.dead_letters)),
        )

    def table(self, name: str, value_serializer: str, default: type | None = None) -> faust.Table:
        """A changelog-backed table, partitioned like the topics so it co-partitions with its stream."""
        schema = faust.Schema(key_type=str, key_serializer="json", value_serializer=value_serializer)
        # The schema covers the changelog; the persistent store picks its codec from
        # value_type instead (bytes → raw, anything else → json).
        return self.app.Table(
            name,
            default=default,
            schema=schema,
            key_type=str,
            value_type=bytes if value_serializer == "raw" else None,
            partitions=self.settings.kafka.topics.partitions,
            options=dict(_STORE_OPTIONS),  # Faust's store pops keys from it: one copy per table
        )

    @staticmethod
    async def each(stream: StreamT) -> AsyncIterator[EventT]:
        """The stream's events, each acked only once the agent asks for the next one.

        Faust acks an event as soon as the agent's body leaves it, by an exception too,
        and commits past it: a message whose state write failed would count as done.
        Here an event is acked only when its body ran to the end (``continue``
        included); a crash, a stop or a rebalance in the middle leaves it unacked, to
        be read again. Correct only with concurrency 1, like every agent here.
        """
        manual = stream.noack()
        async for event in manual.events():
            yield event
            await manual.ack(event)

    async def durably(self, stage: str, step: Callable[[], T]) -> T:
        """Run a step that reads or writes tables until the store lets it finish.

        The agent waits here, on its message, while the store fails (a full disk):
        nothing behind it is processed or acked, the worker reports itself not ready
        (``streams.store``), and the step runs again until it goes through. Steps are
        idempotent: reads, or writes of values computed before the step.
        """

        async def run() -> T:
            return step()

        return await _until_through(stage, run, (StateStoreError,), "its table store", "table store writable again")

    async def publish(self, stage: str, topic: faust.TopicT, records: Sequence[tuple[bytes, bytes, int | None]]) -> None:
        """Send (key, value, partition) records and return once Kafka acknowledged all of them.

        Sent again while Kafka refuses them (a broker away for longer than the producer's
        own retries): the stage waits on its message, as for a refused table write. The
        ids are deterministic, so a record sent twice is the same record.
        """

        async def send() -> None:
            sent = [await topic.send(key=key, value=value, partition=partition) for key, value, partition in records]
            await asyncio.gather(*sent)

        await _until_through(stage, send, (KafkaError, ProducerSendError), "Kafka to take its output", "Kafka took its output")

    async def stage_failed(self, agent: AgentT, exc: BaseException) -> None:
        """An agent raised what no stage expects (a bug): its message goes to the dead letters with
        the error, and is acked, so that the partition's offsets move on past it (Faust restarts
        the agent). Left unacked (``each``), it would stop that partition's commits for good."""
        event = current_event()
        if event is None or isinstance(exc, asyncio.CancelledError):
            return
        log.error("stage failed on a message", stage=agent.name, topic=event.message.topic, offset=event.message.offset, error=repr(exc))
        await self.dead_letters.send(agent.name, event, "stage_failed", f"{type(exc).__name__}: {exc}")
        event.ack()

    async def decode(self, stage: str, event: EventT, schema: type[R]) -> R | None:
        """The record, or None after dead-lettering what does not decode (tocsin.kafka.decode)."""
        RECORDS_CONSUMED.labels(stage).inc()
        return await decode_or_dead_letter(schema, stage, event.message, self.dead_letters.sink)

    async def records(self, stage: str, events: AsyncIterator[EventT], schema: type[R]) -> AsyncIterator[tuple[EventT, R]]:
        """Each event with its decoded record; what does not decode is dead-lettered and skipped
        (and, read through ``each``, acked like any other event the agent is done with)."""
        async for event in events:
            if (record := await self.decode(stage, event, schema)) is not None:
                yield event, record


async def _until_through(
    stage: str, attempt: Callable[[], Awaitable[T]], refusals: tuple[type[Exception], ...], waits_for: str, resumed: str
) -> T:
    """Try until ``attempt`` does not raise one of ``refusals``, pausing between tries; one log
    line when the stage starts waiting, one when it goes on."""
    tries = 0
    while True:
        try:
            result = await attempt()
        except refusals as exc:
            if not tries:
                log.error(f"stage waits for {waits_for}", stage=stage, error=repr(exc))
            await asyncio.sleep(STORE_RETRY_SECONDS[min(tries, len(STORE_RETRY_SECONDS) - 1)])
            tries += 1
            continue
        if tries:
            log.warning(f"stage resumed, {resumed}", stage=stage, tries=tries + 1)
        return result
