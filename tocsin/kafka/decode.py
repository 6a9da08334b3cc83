"""Decoding what a consumer reads: the one place where an unreadable record is handled.

A record on a stream topic that does not decode (bad JSON, nested too deeply, too
large, an unknown version, invalid) is dead-lettered with the reason and the
consumer moves on. A record on a compacted topic is read again at every start, so
one that does not decode is skipped, counted and logged instead: dead-lettering it
would repeat the letter on every start, and it stays on the topic anyway until a
build that reads it (or a tombstone) comes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol, TypeVar

import structlog

from tocsin.observability.metrics import DEAD_LETTERS, RECORDS_SKIPPED
from tocsin.records import DeadLetter, Record, RecordError

log = structlog.get_logger(__name__)

R = TypeVar("R", bound=Record)


class Received(Protocol):
    """Where a value came from: aiokafka's ConsumerRecord and Faust's Message both fit."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


DeadLetterSink = Callable[[bytes | None, bytes], Awaitable[object]]
"""Sends (key, value) to the dead-letter topic and returns once it is handed to the producer."""


def letter_for(stage: str, received: Received, reason: str, detail: str) -> DeadLetter:
    return DeadLetter.of(
        stage=stage, reason=reason, detail=detail, topic=received.topic, partition=received.partition,
        offset=received.offset, key=received.key, value=received.value,
    )


async def dead_letter(sink: DeadLetterSink, letter: DeadLetter) -> None:
    """Sends the letter, counts it and logs it: the one way onto the dead-letter topic."""
    await sink(letter.kafka_key, letter.to_bytes())
    DEAD_LETTERS.labels(letter.stage, letter.reason).inc()
    log.warning("dead letter", stage=letter.stage, reason=letter.reason, detail=letter.detail, topic=letter.topic,
                partition=letter.partition, offset=letter.offset, value_bytes=letter.value_bytes)


async def decode_or_dead_letter(schema: type[R], stage: str, received: Received, sink: DeadLetterSink) -> R | None:
    """The record, or None once what does not decode is on the dead-letter topic."""
    try:
        return schema.from_bytes(received.value)
    except RecordError as exc:
        await dead_letter(sink, letter_for(stage, received, exc.reason, exc.detail))
        return None


def decode_or_skip(schema: type[R], stage: str, topic: str, key: bytes, value: bytes) -> R | None:
    """A compacted topic's latest value for a key, or None (counted and logged) when this build cannot read it."""
    try:
        return schema.from_bytes(value)
    except RecordError as exc:
        RECORDS_SKIPPED.labels(stage, exc.reason).inc()
        log.error("unreadable record skipped", stage=stage, topic=topic, key=key[:200].decode(errors="replace"),
                  reason=exc.reason, detail=exc.detail[:500])
        return None


def decode_latest(schema: type[R], stage: str, topic: str, latest: Mapping[bytes, bytes | None]) -> dict[bytes, R]:
    """Key → record of a compacted topic's snapshot: tombstones left out, unreadable values skipped."""
    decoded = {}
    for key, value in latest.items():
        if value is not None and (record := decode_or_skip(schema, stage, topic, key, value)) is not None:
            decoded[key] = record
    return decoded
