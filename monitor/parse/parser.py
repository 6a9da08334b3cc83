"""Feed bytes → entries. Pure and synchronous: the poller runs it off the event loop.

Bytes are decoded once by the documented charset precedence (charset.py), the DOCTYPE is dropped
(sanitize.py), and the UTF-8 text goes to lxml (xmlfeed.py, ~20× feedparser) or, for JSON, to
jsonfeed.py. feedparser (forgiving with broken feeds) reads what lxml rejects as ill-formed or does
not know. A valid document without items is an empty feed, not an error.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time
from typing import Literal

import feedparser
from lxml import etree

from monitor.exceptions import ParseError
from monitor.parse.charset import decode
from monitor.parse.dates import parse_date
from monitor.parse.entry import Entry, FeedEntry
from monitor.parse.jsonfeed import parse_json
from monitor.parse.sanitize import utf8_document, without_doctype
from monitor.parse.xmlfeed import NotThisFormat, parse_xml

# What feedparser's bozo flag may say about a document that is still a feed.
_BENIGN = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    language: str | None
    ttl_minutes: int | None
    entries: tuple[Entry, ...]
    parser: Literal["fast", "fallback"] = "fast"
    skipped: tuple[str, ...] = ()  # items that could not be read, each with its reason
    encoding: str = "utf-8"


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    text, encoding = decode(body, content_type)
    text = without_doctype(text.lstrip("\ufeff"))
    if text.lstrip()[:1] in ("{", "["):
        feed = parse_json(text, url)
        return ParsedFeed(feed.language, None, feed.entries, "fast", feed.skipped, encoding)
    document = utf8_document(text)
    try:
        xml = parse_xml(document, url)
    except (etree.XMLSyntaxError, NotThisFormat, ValueError):
        return _fallback(document, url, encoding)
    return ParsedFeed(xml.language, xml.ttl_minutes, xml.entries, "fast", xml.skipped, encoding)


def _fallback(document: bytes, url: str, encoding: str) -> ParsedFeed:
    headers = {"content-location": url, "content-type": "application/xml; charset=utf-8"}
    parsed = feedparser.parse(document, sanitize_html=True, resolve_relative_uris=True, response_headers=headers)
    benign = not parsed.bozo or isinstance(parsed.get("bozo_exception"), _BENIGN)
    if not parsed.entries and not (benign and parsed.get("version")):
        raise ParseError(f"{url}: not a feed: {parsed.get('bozo_exception')!r}")
    language = parsed.feed.get("language") or None
    ttl = str(parsed.feed.get("ttl") or "").strip()
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    for n, entry in enumerate(parsed.entries):
        try:
            entries.append(_feedparser_entry(entry, language))
        except Exception as exc:  # noqa: BLE001 - one unreadable item must not lose the others
            skipped.append(f"item {n}: {exc!r}"[:200])
    return ParsedFeed(language, int(ttl) if ttl.isdigit() and len(ttl) < 7 else None, tuple(entries), "fallback", tuple(skipped), encoding)


def _feedparser_entry(entry: feedparser.FeedParserDict, feed_language: str | None) -> FeedEntry:
    content = entry.get("content") or []
    # The raw date string first: feedparser reads a time without an offset as UTC, our rule may not.
    raw = entry.get("published") or entry.get("updated")
    return FeedEntry(
        guid=str(entry.get("id")) if entry.get("id") else None,
        link=entry.get("link") or None,
        title=_html(entry.get("title_detail"), entry.get("title", "")),
        summary_html=_html(entry.get("summary_detail"), entry.get("summary", "")),
        content_html=_html(content[0], content[0].get("value", "")) if content else "",
        published=parse_date(raw) or _struct_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        language=(content[0].get("language") if content else None) or feed_language,
    )


def _html(detail: object, value: str) -> str:
    kind = getattr(detail, "get", lambda *_: None)("type") or "text/html"
    return value if "html" in kind else value.replace("&", "&amp;").replace("<", "&lt;")


def _struct_utc(parsed: struct_time | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (OverflowError, ValueError, OSError):
        return None
