"""Historical events from a JSONL of ``tocsin.event`` records (e.g. a dump of the events topic)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from streams.history.exceptions import HistoryError
from tocsin.records import AttackEvent, RecordError


def events_from_jsonl(lines: Iterable[str]) -> Iterator[AttackEvent]:
    """Raises HistoryError naming the line on one that is not an event."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                event = AttackEvent.from_bytes(line)
            except RecordError as exc:
                raise HistoryError(f"line {number}: {exc}") from exc
            yield event.model_copy(update={"historical": True})
