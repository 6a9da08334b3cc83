"""Dead letters: records a stage could not handle, kept with the reason."""

from __future__ import annotations

from typing import Self

from tocsin.records.base import Record, UtcDatetime, utc_now

EXCERPT_BYTES = 16 * 1024
"""What a dead letter keeps of the value: enough to see what it was, while the letter itself
(excerpt, detail and key bounded) stays a few tens of KB however large the value was."""
_DETAIL_CHARS = 2_000
_KEY_BYTES = 1_024


def _excerpt(raw: bytes | str | None, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8: an undecodable byte becomes U+FFFD (three bytes), so the
    text is cut again after decoding."""
    data = raw.encode(errors="replace") if isinstance(raw, str) else raw or b""
    text = data[:limit].decode(errors="replace")
    encoded = text.encode()
    return text if len(encoded) <= limit else encoded[:limit].decode(errors="ignore")


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
    value: str  # at most EXCERPT_BYTES of the value, undecodable bytes replaced
    value_bytes: int | None = None  # the whole value's size
    failed_at: UtcDatetime

    @classmethod
    def of(
        cls, *, stage: str, reason: str, detail: str, topic: str, partition: int | None, offset: int | None,
        key: bytes | str | None, value: bytes | str | None,
    ) -> Self:
        """The one way a dead letter is built: every part bounded."""
        size = len(value.encode(errors="replace") if isinstance(value, str) else value or b"")
        return cls(
            stage=stage, reason=reason, detail=detail[:_DETAIL_CHARS], topic=topic, partition=partition, offset=offset,
            key=None if key is None else _excerpt(key, _KEY_BYTES), value=_excerpt(value, EXCERPT_BYTES),
            value_bytes=size, failed_at=utc_now(),
        )

    @property
    def kafka_key(self) -> bytes | None:
        """The letter's key on the dead-letter topic: the record's (bounded) key."""
        return self.key.encode() if self.key is not None else None
