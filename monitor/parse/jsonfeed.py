"""JSON Feed 1.0/1.1 → entries. A field of the wrong type loses that field only; an item that is
not an object is skipped and named; a document that is not a JSON Feed is a ParseError."""

from __future__ import annotations

import html
import json
from typing import Any, NamedTuple
from urllib.parse import urljoin

from monitor.exceptions import ParseError
from monitor.parse.dates import parse_date
from monitor.parse.entry import Entry, FeedEntry


class JsonFeed(NamedTuple):
    language: str | None
    entries: tuple[Entry, ...]
    skipped: tuple[str, ...]


def _string(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # ids written as numbers
        return str(value)
    return None


def parse_json(text: str, url: str) -> JsonFeed:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"{url}: not JSON: {str(exc)[:120]}") from exc
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise ParseError(f"{url}: JSON, but not a JSON Feed (no jsonfeed.org version)")
    language = _string(document.get("language"))
    base = _string(document.get("home_page_url")) or url
    items = document.get("items")
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    for n, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            skipped.append(f"item {n}: not an object but {type(item).__name__}")
            continue
        entries.append(_entry(item, base, language))
    return JsonFeed(language.lower() if language else None, tuple(entries), tuple(skipped))


def _entry(item: dict[str, Any], base: str, feed_language: str | None) -> FeedEntry:
    link = _string(item.get("url")) or _string(item.get("external_url"))
    if link:
        try:
            link = urljoin(base, link)
        except ValueError:
            pass  # kept as written: the normaliser decides
    content = _string(item.get("content_html"))
    if content is None and (plain := _string(item.get("content_text"))):
        content = html.escape(plain, quote=False)
    return FeedEntry(
        guid=_string(item.get("id")) or None,
        link=link or None,
        title=html.escape(_string(item.get("title")) or "", quote=False),
        summary_html=html.escape(_string(item.get("summary")) or "", quote=False),
        content_html=content or "",
        published=parse_date(item.get("date_published")) or parse_date(item.get("date_modified")),
        language=_string(item.get("language")) or feed_language,
    )
