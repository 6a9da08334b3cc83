"""The merge stage's table value: an index of the open events of one attacker>target pair.

Only which events a night has (id, night, in the order they opened): the full
events live in the events table, so a report reads its own night's events (one,
nearly always), not every open one.
"""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict

from tocsin.records import AttackEvent, Record
from tocsin.records.base import Model

class OpenEvent(Model):
    # Version 2 entries also carried launch counts; matching now reads them from the event itself.
    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: str
    night_of: date

    @classmethod
    def of(cls, event: AttackEvent) -> OpenEvent:
        return cls(event_id=event.event_id, night_of=event.window.night_of)


class OpenEvents(Record):
    SCHEMA = "tocsin.merge.open_events"
    VERSION = 3
    READS_OLDER = (2,)

    events: tuple[OpenEvent, ...] = ()
