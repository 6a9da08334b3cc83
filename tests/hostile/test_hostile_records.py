"""Every record class refuses every hostile value with a RecordError (the one exception a
reader handles), and a dead letter stays small whatever it carries."""

from __future__ import annotations

import json

import pytest

from tocsin.records.feed import FeedDefinition
from monitor.state import FeedState
from tocsin.kafka.decode import decode_latest
from tocsin.observability.metrics import RECORDS_SKIPPED
from tocsin.records import (
    LARGEST_RECORD_BYTES, Alert, Article, AttackEvent, DeadLetter, Delivery, ExtractionReport, Record, RecordError,
)
from tocsin.records.dead_letter import EXCERPT_BYTES

RECORDS: list[type[Record]] = [Article, ExtractionReport, AttackEvent, Alert, Delivery, DeadLetter, FeedDefinition, FeedState]


def _hostile(schema: type[Record]) -> list[tuple[bytes | str, set[str]]]:
    envelope = f'{{"schema":"{schema.SCHEMA}","version":{schema.VERSION},'.encode()
    return [
        (b"[" * 100_000, {"too_deep"}),  # the standard library's parser
        (b'{"a":' + b"[" * 100_000, {"too_deep"}),
        (envelope + b'"x":' + b"[" * 100_000, {"bad_json"}),  # pydantic's parser (recursion limit)
        ("[" * 100_000, {"too_deep"}),
        (b"\xff\xfe\x00garbage", {"bad_json"}),
        (b" " * (LARGEST_RECORD_BYTES + 1), {"too_large"}),
        (json.dumps({"schema": schema.SCHEMA, "version": schema.VERSION + 1}).encode(), {"unsupported_version"}),
        (json.dumps({"schema": schema.SCHEMA, "version": {"a": [1] * 10}}).encode(), {"unsupported_version"}),
        (json.dumps({"schema": "x" * 10_000, "version": 1}).encode(), {"wrong_schema"}),
        (envelope + b'"unknown":1}', {"invalid"}),
        (b'"just a string"', {"bad_json"}),
        (b"", {"bad_json"}),
    ]


@pytest.mark.parametrize("schema", RECORDS, ids=lambda s: s.SCHEMA)
def test_every_hostile_value_is_a_record_error(schema: type[Record]) -> None:
    for raw, reasons in _hostile(schema):
        with pytest.raises(RecordError) as refused:
            schema.from_bytes(raw)
        assert refused.value.reason in reasons, (raw[:60], refused.value)
        assert len(str(refused.value)) < 400  # a detail, not a copy of the value


def test_a_dead_letter_keeps_a_bounded_excerpt() -> None:
    for value in (b"\xff" * (1024 * 1024), "ї" * 600_000, b"x" * 10):
        letter = DeadLetter.of(stage="s", reason="r", detail="d" * 100_000, topic="t", partition=0, offset=1,
                               key=b"k" * 1_000_000, value=value)
        assert len(letter.value.encode()) <= EXCERPT_BYTES
        assert letter.value_bytes == len(value if isinstance(value, bytes) else value.encode())
        assert len(letter.to_bytes()) < 100 * 1024
        assert DeadLetter.from_bytes(letter.to_bytes()) == letter


def test_compacted_snapshots_skip_what_they_cannot_read_and_count_it() -> None:
    good = FeedState(feed_id="feed_a", url="https://x.org/rss")
    before = RECORDS_SKIPPED.labels("test", "unsupported_version")._value.get()
    latest = {
        b"feed_a": good.to_bytes(),
        b"feed_b": json.dumps({"schema": FeedState.SCHEMA, "version": 2}).encode(),
        b"feed_c": None,  # a tombstone
    }
    assert decode_latest(FeedState, "test", "feed-state", latest) == {b"feed_a": good}
    assert RECORDS_SKIPPED.labels("test", "unsupported_version")._value.get() == before + 1
