"""Historical events from a JSONL of ``tocsin.event`` records (e.g. a dump of the events topic)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tocsin.records import AttackEvent


def events_from_jsonl(lines: Iterable[str]) -> Iterator[AttackEvent]:
    """Raises RecordError (with the reason) on a line that is not an event."""
    for line in lines:
        if line.strip():
            yield AttackEvent.from_bytes(line).model_copy(update={"historical": True})
