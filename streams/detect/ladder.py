"""Record history of one (scope, metric), and the record check. Pure.

The history is kept as its "record ladder": the marks that were the highest
up to their night (sorted by night, strictly increasing in value). A mark
that a bigger, earlier-or-same-night mark dominates can never be anyone's
previous record, so it is dropped; the ladder stays a few dozen entries long
however many events the scope has. A mark is per event: a revision replaces
its event's mark, lower too (a misreading outlet's figure that the air force's
replaced is not the record a later night breaks). Inserting the same mark
twice changes nothing, which makes backfill and redelivery idempotent.

Marks arrive in any night order (a backlog, a late report of an earlier
night). A mark is judged against the marks of earlier nights only, whenever it
arrives; and ``outranked`` tells which record alerts of *later* nights an
earlier-night mark invalidates, so they can be updated rather than left wrong.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from tocsin.records import PreviousRecord, Record
from tocsin.records.base import Model


class Mark(Model):
    value: float
    event_id: str
    night_of: date
    # The record alert this mark raised: a later-arriving mark that outranks it supersedes that alert.
    alert_id: str | None = None

    def record(self) -> PreviousRecord:
        return PreviousRecord(value=self.value, event_id=self.event_id, night_of=self.night_of)


class RecordLadder(Record):
    SCHEMA = "tocsin.detect.record_ladder"
    VERSION = 2
    READS_OLDER = (1,)  # v1 marks had no alert_id

    marks: tuple[Mark, ...] = ()

    def previous(self, event_id: str, night_of: date) -> Mark | None:
        """The highest mark of any other event up to that night."""
        earlier = [m for m in self.marks if m.event_id != event_id and m.night_of <= night_of]
        return max(earlier, key=lambda m: m.value, default=None)

    def with_mark(self, mark: Mark) -> RecordLadder:
        own = next((m for m in self.marks if m.event_id == mark.event_id), None)
        if own is not None and mark.alert_id is None:
            mark = mark.model_copy(update={"alert_id": own.alert_id})
        if own == mark:
            return self
        others = [m for m in self.marks if m.event_id != mark.event_id]
        if any(m.night_of <= mark.night_of and m.value >= mark.value for m in others):
            kept = others  # dominated: it is nobody's previous record
        else:
            kept = [m for m in others if not (m.night_of >= mark.night_of and m.value <= mark.value)] + [mark]
        return RecordLadder(marks=tuple(sorted(kept, key=lambda m: (m.night_of, m.value))))


    def without(self, event_ids: Collection[str]) -> RecordLadder:
        """Without these events' marks (an event's aliases: its own mark stands for them)."""
        kept = tuple(m for m in self.marks if m.event_id not in event_ids)
        return self if len(kept) == len(self.marks) else RecordLadder(marks=kept)


def outranked(before: RecordLadder, after: RecordLadder, mark: Mark) -> tuple[list[Mark], Mark | None]:
    """What inserting ``mark`` (``before`` → ``after``) did to other events' record alerts: the alerted
    marks it dominates, which are records no longer (their alerts are superseded); and the alerted mark
    right after it, still a record but now of a different previous record (``mark``)."""
    kept = set(after.marks)
    dropped = [m for m in before.marks if m.alert_id and m.event_id != mark.event_id and m not in kept]
    placed = next((i for i, m in enumerate(after.marks) if m.event_id == mark.event_id), None)
    if placed is None or placed + 1 == len(after.marks):
        return dropped, None
    successor = after.marks[placed + 1]
    was = before.previous(successor.event_id, successor.night_of)
    changed = was is None or (was.value, was.event_id) != (mark.value, mark.event_id)
    return dropped, successor if successor.alert_id and changed else None


def broken_record(ladder: RecordLadder, mark: Mark) -> PreviousRecord | None:
    """The record this mark breaks, or None. With no earlier history there is no record to break."""
    previous = ladder.previous(mark.event_id, mark.night_of)
    if previous is None or mark.value <= previous.value:
        return None
    return previous.record()
