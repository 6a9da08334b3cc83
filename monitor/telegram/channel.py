"""Reading a channel's preview: only what is newer than the posts already seen, and edits of those
still on the first page.

Each poll reads the first page (the latest posts, so an edit of a recent post shows). Only when even
its oldest post is newer than the newest one already seen, more posts arrived than a page holds:
older pages (``?before=``) are read until the gap closes, at most ``telegram.max_pages``. A channel
seen for the first time is read from its first page only, never back through its history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from html import escape

from monitor.digest import MAX_RECORD_BYTES, Digest, new_articles
from monitor.fetch import FeedFetcher, FetchResult
from monitor.normalise import ArticleNormaliser, Candidate, digest, html_to_text
from monitor.parse import FeedEntry
from monitor.state import FeedState, Validators
from monitor.telegram.page import ChannelPage, Post, parse_page
from tocsin.observability.metrics import TELEGRAM_PAGES, TELEGRAM_POSTS
from tocsin.records import SourceKind
from tocsin.settings import TELEGRAM_URL, FeedConfig, TelegramSettings

# Every series from the start, so that rate() sees the first post and the dashboard has rows to show.
for _kind in SourceKind:
    for _verdict in ("new", "edited", "seen"):
        TELEGRAM_POSTS.labels(_kind.value, _verdict)

_KEY_PREFIX = "tg"  # seen keys of a channel: tg<post id>~<hash of its text>, so an edit is a new key


@dataclass(frozen=True)
class ChannelResult(FetchResult):
    """The first page's answer, with the posts of every page read."""

    posts: tuple[Post, ...] = ()
    pages: int = 1


def channel_of(url: str) -> str:
    match = TELEGRAM_URL.match(url)
    if match is None:
        raise ValueError(f"not a Telegram channel preview URL: {url!r}")
    return match.group(1)


def newest_seen(seen: Collection[str]) -> int | None:
    ids = [int(key[len(_KEY_PREFIX) :].partition("~")[0]) for key in seen if key.startswith(_KEY_PREFIX)]
    return max(ids, default=None)


class ChannelReader:
    """Fetches previews through the poller's one fetcher (same guard, politeness and limits)."""

    def __init__(self, fetcher: FeedFetcher, settings: TelegramSettings, cpu: Executor | None = None) -> None:
        self._fetcher = fetcher
        self._origin = settings.origin.rstrip("/")
        self._max_pages = settings.max_pages
        self._cpu = cpu

    def page_url(self, channel: str, before: int | None = None) -> str:
        return f"{self._origin}/s/{channel}" + (f"?before={before}" if before is not None else "")

    async def fetch(self, config: FeedConfig, state: FeedState) -> FetchResult:
        channel = channel_of(config.url)
        first = await self._fetcher.fetch(self.page_url(channel), state.validators)
        TELEGRAM_PAGES.inc()
        if first.not_modified:
            return first
        assert first.body is not None
        page = await self._parse(first)
        posts = list(page.posts)
        known = newest_seen(state.seen_ids)
        pages = 1
        # More new posts than one page shows: read back until the newest known post (or a deleted gap) is reached.
        while known is not None and page.before is not None and (page.oldest or 0) > known and pages < self._max_pages:
            older = await self._fetcher.fetch(self.page_url(channel, page.before), Validators())
            TELEGRAM_PAGES.inc()
            if older.body is None:
                break  # an unconditional GET answered 304: nothing to read there
            page = await self._parse(older)
            posts[:0] = page.posts
            pages += 1
        unique = tuple({p.id: p for p in posts}.values())
        return ChannelResult(
            first.status, first.body, first.validators, first.content_type, first.url, first.headers, first.wire_bytes, unique, pages
        )

    async def _parse(self, result: FetchResult) -> ChannelPage:
        assert result.body is not None
        return await asyncio.get_running_loop().run_in_executor(self._cpu, parse_page, result.body, result.content_type)


def entry_of(post: Post) -> FeedEntry:
    """A post as a feed entry, for the one normaliser: the permalink is its id and link, its first line the title."""
    text = html_to_text(post.text_html)
    title = next((line for line in text.splitlines() if line.strip()), "")
    links = "".join(f'<p><a href="{escape(link)}">{escape(link)}</a></p>' for link in post.links)
    return FeedEntry(
        guid=post.permalink, link=post.permalink, title=escape(title), summary_html=post.text_html + links, content_html="",
        published=post.published, language=None,
    )


def seen_key(candidate: Candidate, post: Post) -> str:
    entry = candidate.entry
    return f"{_KEY_PREFIX}{post.id}~{digest(entry.title, entry.summary_html)[:12]}"


def digest_channel(
    result: FetchResult, normaliser: ArticleNormaliser, seen: Collection[str], fetched_at: datetime, *,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Digest:
    """The posts not seen in this version: new posts, and edited ones again under their article id."""
    assert isinstance(result, ChannelResult)
    posts = {p.permalink: p for p in result.posts}
    candidates = normaliser.candidates(tuple(entry_of(p) for p in result.posts))
    keys = {c.id: seen_key(c, posts[c.entry.guid or ""]) for c in candidates}
    known_ids = {key.partition("~")[0] for key in seen}
    unseen = [c for c in candidates if keys[c.id] not in seen]
    edited = sum(1 for c in unseen if keys[c.id].partition("~")[0] in known_ids)
    kind = normaliser.source.kind.value
    TELEGRAM_POSTS.labels(kind, "seen").inc(len(candidates) - len(unseen))
    TELEGRAM_POSTS.labels(kind, "edited").inc(edited)
    TELEGRAM_POSTS.labels(kind, "new").inc(len(unseen) - edited)
    new, skipped, shortened = new_articles(unseen, normaliser, fetched_at, None, max_record_bytes)
    published = {a.id for a in new}
    return Digest(
        "telegram", None, [keys[c.id] for c in candidates], new, tuple(skipped), shortened,
        new_keys=tuple(keys[c.id] for c in unseen if c.id in published),
    )
