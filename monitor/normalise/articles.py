"""Feed entries → Article records: canonical URL, stable id, clean text."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import datetime

import lxml.html
from lxml.etree import ParserError
from w3lib.url import canonicalize_url, url_query_cleaner

from monitor.parse import FeedEntry
from tocsin.records import Article, ArticleSource
from tocsin.settings import FeedConfig

# Parameters that identify a campaign or a click, never the article.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|ref|ref_src|cmpid|ocid)$")
_BLANKS = re.compile(r"[ \t\u00a0]+")
_NEWLINES = re.compile(r"\s*\n\s*(\n\s*)+")


def canonical_url(url: str) -> str:
    stripped = url_query_cleaner(url, [], remove=True, unique=False, keep_fragments=False)
    params = [p for p in stripped.partition("?")[2].split("&") if p and not _TRACKING.match(p.partition("=")[0])]
    base = stripped.partition("?")[0]
    return canonicalize_url(f"{base}?{'&'.join(params)}" if params else base)


def html_to_text(html: str) -> str:
    if "<" not in html:
        return _tidy(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return _tidy(html)
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"):
        block.tail = "\n\n" + (block.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = (_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class ArticleNormaliser:
    """Builds the articles of one fetched feed."""

    def __init__(self, feed: FeedConfig) -> None:
        self._feed = feed
        self._source = ArticleSource(feed_url=feed.url, feed_name=feed.display_name, kind=feed.kind)

    def articles(self, entries: tuple[FeedEntry, ...], fetched_at: datetime) -> list[Article]:
        # A GUID repeated inside one feed must not swallow distinct items.
        guid_counts = Counter(e.guid for e in entries if e.guid)
        return [self._article(e, fetched_at, repeated=guid_counts[e.guid] > 1) for e in entries]

    def _article(self, entry: FeedEntry, fetched_at: datetime, *, repeated: bool) -> Article:
        url = canonical_url(entry.link) if entry.link else None
        title = html_to_text(entry.title)
        summary = html_to_text(entry.summary_html)
        body = html_to_text(entry.content_html) if entry.content_html else ""
        content = _digest(title, summary, body)
        if entry.guid:
            identity = _digest(self._feed.url, entry.guid, content if repeated else "")
        elif url:
            identity = _digest(url)
        else:
            identity = content
        return Article(
            id=f"art_{identity}",
            url=url,
            title=title,
            summary=summary if summary != body else "",
            body=body,
            language=self._feed.language or entry.language,
            published_at=entry.published,
            fetched_at=fetched_at,
            sources=(self._source,),
        )
