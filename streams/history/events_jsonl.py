"""Historical events from a JSONL of ``tocsin.event`` records (e.g. a dump of the events topic)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from streams.history.exceptions import HistoryError, count, past_night
from tocsin.records import AttackEvent, RecordError


def events_from_jsonl(lines: Iterable[str]) -> Iterator[AttackEvent]:
    """Raises HistoryError naming the line on one that is not an event."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                event = AttackEvent.from_bytes(line)
            except RecordError as exc:
                raise HistoryError(number, str(exc)) from exc
            past_night(event.window.night_of, number)
            for figure in event.figures:
                count(figure.value, number, figure.metric.value)
            for weapon in event.weapons:
                count(weapon.value, number, weapon.model)
            yield event.model_copy(update={"historical": True})
