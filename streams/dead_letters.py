"""The worker's way onto the dead-letter topic (through its Faust topic), for tocsin.kafka.decode."""

from __future__ import annotations

from faust.types import EventT, TopicT

from tocsin.kafka.decode import dead_letter, letter_for


class DeadLetters:
    def __init__(self, topic: TopicT) -> None:
        self._topic = topic

    async def sink(self, key: bytes | None, value: bytes) -> None:
        await self._topic.send(key=key, value=value)

    async def send(self, stage: str, event: EventT, reason: str, detail: str) -> None:
        await dead_letter(self.sink, letter_for(stage, event.message, reason, detail))
