"""One rule for times without an offset, in the poller and in the extractor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.normalise import ArticleNormaliser
from monitor.parse import FeedEntry
from monitor.normalise.articles import Candidate
from streams.extract.articles import article_from_mapping
from tocsin.settings import ConfigError, FeedConfig, Settings
from tocsin.timezones import KYIV, aware, zone_for

NAIVE = datetime(2025, 7, 4, 9, 0)


@pytest.mark.parametrize(
    ("timezone", "language", "utc_hour"),
    [("Asia/Tokyo", "uk", 0), (None, "uk", 6), (None, "ru-RU", 6), (None, "en", 9), (None, None, 9), (None, "pl", 9)],
)
def test_the_configured_zone_else_the_languages_else_utc(timezone: str | None, language: str | None, utc_hour: int) -> None:
    assert aware(NAIVE, timezone, language).astimezone(UTC).hour == utc_hour


def test_a_time_with_an_offset_is_never_reinterpreted() -> None:
    moment = datetime(2025, 7, 4, 9, 0, tzinfo=UTC)
    assert aware(moment, "Asia/Tokyo", "uk") is moment and zone_for(None, "uk") is KYIV


def test_the_poller_and_the_extractor_read_a_zone_less_time_alike() -> None:
    fetched = datetime(2025, 7, 5, tzinfo=UTC)
    for language in ("uk", "en"):
        entry = FeedEntry("g", None, "t", "", "", NAIVE, None)
        polled = ArticleNormaliser(FeedConfig(url="http://x/feed", language=language)).article(Candidate("art_1", entry), fetched)
        extracted = article_from_mapping({"title": "t", "published": NAIVE.isoformat(), "language": language}, "a1")
        assert polled.published_at == extracted.published_at


def test_an_unknown_zone_is_a_config_error() -> None:
    with pytest.raises((ConfigError, ValueError), match="Mars/Olympus"):
        Settings.model_validate({"feeds": {"sources": [{"url": "http://x/feed", "timezone": "Mars/Olympus"}]}})
