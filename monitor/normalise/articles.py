"""Feed entries → Article records: canonical URL, stable id, clean text.

Ids come from the raw entry, so the entries a feed already showed are
recognised before any HTML is turned into text: an unchanged 30-item feed
costs 30 hashes, not 30 HTML parses.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from typing import NamedTuple

from monitor.parse import FeedEntry
from monitor.normalise.text import html_to_text
from monitor.normalise.urls import canonical_url
from tocsin.records import Article, ArticleSource
from tocsin.settings import FeedConfig


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class Candidate(NamedTuple):
    """An entry with its stable id, before the expensive text work. (A named tuple: one per entry
    of every changed document, cheaper to build than a frozen dataclass.)"""

    id: str
    entry: FeedEntry


class ArticleNormaliser:
    """Builds the articles of one feed."""

    def __init__(self, feed: FeedConfig) -> None:
        self._feed = feed
        self._source = ArticleSource(feed_url=feed.url, feed_name=feed.display_name, kind=feed.kind)

    @property
    def source(self) -> ArticleSource:
        return self._source

    def candidates(self, entries: tuple[FeedEntry, ...]) -> list[Candidate]:
        """Stable ids: the GUID (scoped to the feed), else the canonical link, else a content hash.
        A GUID repeated inside one feed is disambiguated by content instead of swallowing items."""
        guid_counts = Counter(e.guid for e in entries if e.guid)
        out: dict[str, Candidate] = {}
        for entry in entries:
            # The content hash (of kilobytes of HTML) only where it is part of the identity.
            if entry.guid:
                repeated = guid_counts[entry.guid] > 1
                identity = digest(self._feed.url, entry.guid, self._content(entry) if repeated else "")
            elif entry.link:
                identity = digest(canonical_url(entry.link))
            else:
                identity = self._content(entry)
            out.setdefault(f"art_{identity}", Candidate(f"art_{identity}", entry))
        return list(out.values())

    @staticmethod
    def _content(entry: FeedEntry) -> str:
        return digest(entry.title, entry.summary_html, entry.content_html)

    def article(self, candidate: Candidate, fetched_at: datetime, feed_language: str | None = None) -> Article:
        entry = candidate.entry
        title = html_to_text(entry.title)
        summary = html_to_text(entry.summary_html)
        body = html_to_text(entry.content_html) if entry.content_html else ""
        return Article(
            id=candidate.id,
            url=canonical_url(entry.link) if entry.link else None,
            title=title,
            summary=summary if summary != body else "",
            body=body,
            language=self._feed.language or entry.language or feed_language,
            published_at=entry.published,
            fetched_at=fetched_at,
            sources=(self._source,),
        )

    def articles(self, entries: tuple[FeedEntry, ...], fetched_at: datetime) -> list[Article]:
        return [self.article(c, fetched_at) for c in self.candidates(entries)]
