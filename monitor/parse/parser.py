"""Feed bytes → entries. Pure and synchronous: the poller runs it off the event loop."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time

import feedparser

from monitor.exceptions import ParseError


@dataclass(frozen=True, slots=True)
class FeedEntry:
    guid: str | None
    link: str | None
    title: str
    summary_html: str
    content_html: str
    published: datetime | None
    language: str | None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    language: str | None
    ttl_minutes: int | None
    entries: tuple[FeedEntry, ...]


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=True, response_headers={"content-location": url})
    if parsed.bozo and not parsed.entries:
        raise ParseError(f"{url}: not a feed: {parsed.get('bozo_exception')!r}")
    feed_language = parsed.feed.get("language")
    ttl = parsed.feed.get("ttl")
    return ParsedFeed(
        language=feed_language,
        ttl_minutes=int(ttl) if isinstance(ttl, str) and ttl.isdigit() else None,
        entries=tuple(_entry(e, feed_language) for e in parsed.entries),
    )


def _entry(entry: feedparser.FeedParserDict, feed_language: str | None) -> FeedEntry:
    content = entry.get("content") or []
    return FeedEntry(
        guid=entry.get("id") or None,
        link=entry.get("link") or None,
        title=entry.get("title", ""),
        summary_html=entry.get("summary", ""),
        content_html=content[0].get("value", "") if content else "",
        published=_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        language=(content[0].get("language") if content else None) or feed_language,
    )


def _utc(parsed: struct_time | None) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
