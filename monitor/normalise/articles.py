"""Feed entries → Article records: canonical URL, stable id, clean text.

Ids come from the raw entry, so the entries a feed already showed are
recognised before any HTML is turned into text: an unchanged 30-item feed
costs 30 hashes, not 30 HTML parses.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from monitor.parse import Entry
from monitor.normalise.language import detect_language
from monitor.normalise.text import html_to_text
from monitor.normalise.urls import article_url
from tocsin.records import Article, ArticleSource
from tocsin.settings import FeedConfig
from tocsin.timezones import aware

# Dates a feed may claim: before the epoch or later than a day after arrival (clocks drift, zones
# confuse) is a broken date (year 0001, 9999), replaced by the arrival time and flagged.
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_AHEAD = timedelta(days=1)


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def is_story(entry: Entry) -> bool:
    """An item with no id, link, title or text (an <item> holding only an author, say) tells a reader
    nothing: it is no story, and as one it would take the content-hash id every other such item takes."""
    return bool(entry.guid or entry.link or entry.title.strip() or entry.summary_html.strip() or entry.content_html.strip())


class Candidate(NamedTuple):
    """An entry with its stable id, before the expensive text work. (A named tuple: one per entry
    of every changed document, cheaper to build than a frozen dataclass.)"""

    id: str
    entry: Entry


class ArticleNormaliser:
    """Builds the articles of one feed."""

    def __init__(self, feed: FeedConfig) -> None:
        self._feed = feed
        self._source = ArticleSource(feed_url=feed.url, feed_name=feed.display_name, kind=feed.kind)

    @property
    def source(self) -> ArticleSource:
        return self._source

    def candidates(self, entries: tuple[Entry, ...]) -> list[Candidate]:
        """Stable ids: the GUID (scoped to the feed), else the canonical link, else a content hash.
        A GUID (or, without GUIDs, a link) repeated inside one feed is disambiguated by content instead of
        swallowing items: only items the same in id, link and every text are one story."""
        guid_counts = Counter(e.guid for e in entries if e.guid)
        urls = [None if e.guid else article_url(e.link) for e in entries]
        url_counts = Counter(u for u in urls if u)
        out: dict[str, Candidate] = {}
        for entry, url in zip(entries, urls, strict=True):
            # The content hash (of kilobytes of HTML) only where it is part of the identity.
            if entry.guid:
                repeated = guid_counts[entry.guid] > 1
                identity = digest(self._feed.url, entry.guid, self._content(entry) + (entry.link or "") if repeated else "")
            elif url:
                # Items without GUIDs sharing one link (a live page's daily posts) are told apart by their text.
                identity = digest(url, self._content(entry)) if url_counts[url] > 1 else digest(url)
            else:
                identity = self._content(entry)
            out.setdefault(f"art_{identity}", Candidate(f"art_{identity}", entry))
        return list(out.values())

    @staticmethod
    def _content(entry: Entry) -> str:
        return digest(entry.title, entry.summary_html, entry.content_html)

    def article(self, candidate: Candidate, fetched_at: datetime, feed_language: str | None = None) -> Article:
        entry = candidate.entry
        title = html_to_text(entry.title)
        summary = html_to_text(entry.summary_html)
        body = html_to_text(entry.content_html) if entry.content_html else ""
        language = self._feed.language or entry.language or feed_language or detect_language(title, summary or body)
        published, clamped = self._published(entry.published, language, fetched_at)
        return Article(
            id=candidate.id,
            url=article_url(entry.link),
            title=title,
            summary=summary if summary != body else "",
            body=body,
            language=language,
            published_at=published,
            published_clamped=clamped,
            fetched_at=fetched_at,
            sources=(self._source,),
        )

    def _published(self, moment: datetime | None, language: str | None, fetched_at: datetime) -> tuple[datetime | None, bool]:
        if moment is None:
            return None, False
        try:
            moment = aware(moment, self._feed.timezone, language).astimezone(UTC)
        except (OverflowError, ValueError):  # year 1 in a zone east of UTC
            return fetched_at, True
        if moment < _EARLIEST or moment > fetched_at + _AHEAD:
            return fetched_at, True
        return moment, False

    def articles(self, entries: tuple[Entry, ...], fetched_at: datetime) -> list[Article]:
        return [self.article(c, fetched_at) for c in self.candidates(entries)]
