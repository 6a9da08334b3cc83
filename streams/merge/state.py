"""The merge stage's table value: an index of the open events of one attacker>target pair.

Only what matching needs (id, night, launch counts): the full events live in
the events table, so a report reads and writes one event, not every open one.
"""

from __future__ import annotations

from datetime import date

from tocsin.records import AttackEvent, Metric, Record
from tocsin.records.base import Model

SIZE_METRICS = (Metric.DRONES_LAUNCHED, Metric.MISSILES_LAUNCHED, Metric.AERIAL_WEAPONS_LAUNCHED)


class OpenEvent(Model):
    event_id: str
    night_of: date
    sizes: dict[Metric, float] = {}

    @classmethod
    def of(cls, event: AttackEvent) -> OpenEvent:
        sizes = {m: v for m in SIZE_METRICS if (v := event.value(m)) is not None}
        return cls(event_id=event.event_id, night_of=event.window.night_of, sizes=sizes)


class OpenEvents(Record):
    SCHEMA = "tocsin.merge.open_events"
    VERSION = 2

    events: tuple[OpenEvent, ...] = ()
