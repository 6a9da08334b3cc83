"""Dead letters: records a stage could not handle, kept with the reason."""

from __future__ import annotations

from tocsin.records.base import Record, UtcDatetime


class DeadLetter(Record):
    SCHEMA = "tocsin.dead_letter"
    VERSION = 1

    stage: str
    reason: str
    detail: str
    topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    value: str
    failed_at: UtcDatetime
