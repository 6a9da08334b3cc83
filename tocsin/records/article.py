"""Raw articles, as the poller publishes them."""

from __future__ import annotations

from enum import StrEnum

from tocsin.records.base import Model, Record, UtcDatetime, WebUrl


class SourceKind(StrEnum):
    """Who speaks: the merge stage trusts an air force over the press."""

    AIR_FORCE = "air_force"
    OFFICIAL = "official"
    MEDIA = "media"


class ArticleSource(Model):
    """One feed an article was seen in (a syndicated story has several)."""

    feed_url: str
    feed_name: str
    kind: SourceKind = SourceKind.MEDIA


class Article(Record):
    SCHEMA = "tocsin.article"
    VERSION = 1

    id: str
    url: WebUrl
    title: str
    summary: str = ""
    body: str = ""
    language: str | None = None
    published_at: UtcDatetime | None = None
    # The feed's date was outside the sane range (before 1970 or later than a day after arrival):
    # published_at is then the arrival time, not the feed's word.
    published_clamped: bool = False
    fetched_at: UtcDatetime
    sources: tuple[ArticleSource, ...]
