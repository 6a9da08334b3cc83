"""Routing what a stage cannot handle to the dead-letter topic, with the reason."""

from __future__ import annotations

import structlog
from faust.types import EventT, TopicT

from tocsin.observability.metrics import DEAD_LETTERS
from tocsin.records import DeadLetter, utc_now

log = structlog.get_logger(__name__)


class DeadLetters:
    def __init__(self, topic: TopicT) -> None:
        self._topic = topic

    async def send(self, stage: str, event: EventT, reason: str, detail: str) -> None:
        message = event.message
        raw = event.value if isinstance(event.value, bytes) else str(event.value).encode()
        letter = DeadLetter(
            stage=stage,
            reason=reason,
            detail=detail,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key.decode(errors="replace") if isinstance(message.key, bytes) else None,
            value=raw.decode(errors="replace"),
            failed_at=utc_now(),
        )
        await self._topic.send(key=message.key, value=letter.to_bytes())
        DEAD_LETTERS.labels(stage, reason).inc()
        log.warning("dead letter", stage=stage, reason=reason, detail=detail, topic=message.topic, offset=message.offset)
