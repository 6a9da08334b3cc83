from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.feeds import FeedDefinition, definition_of
from monitor.state import FeedState, Validators
from tocsin.records import AlertKind, Article, ArticleSource, RecordError, SourceKind, alert_id
from tocsin.settings import FeedConfig

SOURCE = ArticleSource(feed_url="http://feeds.example/x", feed_name="x")


def article(**overrides: object) -> Article:
    fields: dict[str, object] = {"id": "art_1", "url": None, "title": "t", "fetched_at": datetime.now(UTC), "sources": (SOURCE,)}
    return Article(**(fields | overrides))


def test_round_trip_carries_schema_and_version() -> None:
    original = article(published_at=datetime(2025, 7, 4, 9, tzinfo=timezone(timedelta(hours=3))))
    raw = original.to_bytes()
    envelope = json.loads(raw)
    assert envelope["schema"] == "tocsin.article" and envelope["version"] == 1
    decoded = Article.from_bytes(raw)
    assert decoded == original
    assert decoded.published_at == datetime(2025, 7, 4, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{nope", "bad_json"),
        (b"[1]", "bad_json"),
        (b'{"schema":"tocsin.alert","version":1}', "wrong_schema"),
        (b'{"schema":"tocsin.article","version":2}', "unsupported_version"),
        (b'{"schema":"tocsin.article","version":1,"id":"a"}', "invalid"),
        (b'{"schema":"tocsin.article","version":1,"id":"a",', "bad_json"),
        (b'{"schema":"tocsin.article","version":1,"id":7}', "invalid"),
        (b'{"version":1,"schema":"tocsin.article","id":"a"}', "invalid"),
        (None, "empty"),
    ],
)
def test_undecodable_records_say_why(raw: bytes | None, reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        Article.from_bytes(raw)
    assert caught.value.reason == reason


def test_records_as_written_decode_as_any_json_reader_would() -> None:
    """to_bytes's own layout is parsed by pydantic directly; any other layout through json.loads: the same record."""
    sample = article(summary="NaN-free text", published_at=datetime(2025, 7, 4, 6, tzinfo=UTC), language="uk")
    written = sample.to_bytes()
    reordered = json.dumps({**json.loads(written), "schema": "tocsin.article", "version": 1}, indent=1).encode()
    assert not reordered.startswith(written[:30])
    assert Article.from_bytes(written) == Article.from_bytes(reordered) == Article.from_bytes(written.decode()) == sample


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        article(fetched_at=datetime(2025, 7, 4, 6))


def test_alert_ids_are_deterministic_and_distinct() -> None:
    first = alert_id("evt_1", AlertKind.THRESHOLD, "big")
    assert first == alert_id("evt_1", AlertKind.THRESHOLD, "big")
    assert len({first, alert_id("evt_2", AlertKind.THRESHOLD, "big"), alert_id("evt_1", AlertKind.RECORD, "big")}) == 3


def _json_dumps_encoding(record: Article | FeedState) -> bytes:
    """How records were encoded before pydantic's own encoder took over (the format on the topics)."""
    envelope = {"schema": record.SCHEMA, "version": record.VERSION, **record.model_dump(mode="json")}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def test_encoding_is_byte_for_byte_the_json_dumps_format() -> None:
    syndicated = ArticleSource(feed_url="http://feeds.example/y?a=1&b=2", feed_name='Укрінформ "Y"', kind=SourceKind.AIR_FORCE)
    sample = article(
        url="http://news.example/a?b=1",
        title="Нічна атака: 93 дрони 🚀 \u2028 'quoted' \"twice\"",
        summary="Tabs\tand\nlines, a backslash \\ and a control \x01 char",
        body="é" * 300,
        language="uk",
        published_at=datetime(2025, 7, 4, 6, 0, 0, 123456, tzinfo=UTC),
        sources=(SOURCE, syndicated),
    )
    state = FeedState(feed_id="feed_1", url="http://feeds.example/x", seen=["art_1"], ttl_minutes=15).polled(
        datetime(2025, 7, 4, 6, tzinfo=UTC), datetime(2025, 7, 4, 7, tzinfo=UTC), 200, Validators(etag='W/"v1"'), "art_1 art_2", 2, 15
    )
    for record in (sample, state, FeedState(feed_id="feed_2", url="http://feeds.example/z")):
        assert record.to_bytes() == _json_dumps_encoding(record)
        assert type(record).from_bytes(record.to_bytes()) == record


def test_a_feed_definition_is_its_config_in_the_same_shape_and_ignores_keys_it_does_not_know() -> None:
    config = FeedConfig(url="https://example.org/feed.xml", name="Example", interval_seconds=60.0, tags=["a"])
    definition = definition_of(config)
    assert json.loads(definition.to_bytes())["config"] == config.model_dump(mode="json")
    # A newer poller's record: one config key this build does not know.
    newer = json.loads(definition.to_bytes())
    newer["config"]["polite_hours"] = [1, 5]
    read = FeedDefinition.from_bytes(json.dumps(newer).encode())
    assert read.config.feed_config() == config


def test_a_feed_definition_is_refused_when_its_config_breaks_the_settings_rules() -> None:
    raw = json.loads(definition_of(FeedConfig(url="https://example.org/feed.xml")).to_bytes())
    raw["config"]["type"] = "telegram"  # not a t.me/s/ URL
    with pytest.raises(RecordError):
        FeedDefinition.from_bytes(json.dumps(raw).encode())
