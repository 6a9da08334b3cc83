"""Record history of one (scope, metric), and the record check. Pure.

The history is kept as its "record ladder": the marks that were the highest
up to their night (sorted by night, strictly increasing in value). A mark
that a bigger, earlier-or-same-night mark dominates can never be anyone's
previous record, so it is dropped; the ladder stays a few dozen entries long
however many events the scope has. A mark is per event: a revision replaces
its event's mark (keeping the higher value: records are never revised down).
Inserting the same mark twice changes nothing, which makes backfill and
redelivery idempotent.
"""

from __future__ import annotations

from datetime import date

from tocsin.records import PreviousRecord, Record
from tocsin.records.base import Model


class Mark(Model):
    value: float
    event_id: str
    night_of: date


class RecordLadder(Record):
    SCHEMA = "tocsin.detect.record_ladder"
    VERSION = 1

    marks: tuple[Mark, ...] = ()

    def previous(self, event_id: str, night_of: date) -> Mark | None:
        """The highest mark of any other event up to that night."""
        earlier = [m for m in self.marks if m.event_id != event_id and m.night_of <= night_of]
        return max(earlier, key=lambda m: m.value, default=None)

    def with_mark(self, mark: Mark) -> RecordLadder:
        own = next((m for m in self.marks if m.event_id == mark.event_id), None)
        if own is not None and own.value >= mark.value:
            return self
        others = [m for m in self.marks if m.event_id != mark.event_id]
        if any(m.night_of <= mark.night_of and m.value >= mark.value for m in others):
            kept = others  # dominated: it is nobody's previous record
        else:
            kept = [m for m in others if not (m.night_of >= mark.night_of and m.value <= mark.value)] + [mark]
        return RecordLadder(marks=tuple(sorted(kept, key=lambda m: (m.night_of, m.value))))


def broken_record(ladder: RecordLadder, mark: Mark) -> PreviousRecord | None:
    """The record this mark breaks, or None. With no earlier history there is no record to break."""
    previous = ladder.previous(mark.event_id, mark.night_of)
    if previous is None or mark.value <= previous.value:
        return None
    return PreviousRecord(value=previous.value, event_id=previous.event_id, night_of=previous.night_of)
