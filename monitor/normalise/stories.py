"""Cross-feed de-duplication inside one poller: the same story seen in a second feed
(same canonical URL, or a syndicated copy with the same headline and similar text, close in
time) is not a new article; the first article is re-emitted under its own id with both sources.

What is never folded: items of one feed with distinct ids (GUIDs), unless their text says they are
the same item; and anything published further apart than the window. A feed that reuses a generic
headline ("Live updates: …") every day publishes every day's item.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Literal, NamedTuple

import cramjam

from tocsin.records import Article, ArticleSource

_WORD = re.compile(r"\w+")
_MIN_HEADLINE_WORDS = 6  # "Live updates" or "News in brief" are not stories
# Copies of one story appear within hours of each other; two days allows for slow feeds and zones.
WINDOW_SECONDS = 48 * 3600.0
# Word-set overlap (Jaccard) of summary and body: syndicated copies are edited a little, a
# re-issued item of the same feed hardly at all.
SIMILAR_COPY = 0.5
SAME_ITEM = 0.9
_TEXT_WORDS = 400  # enough words to tell texts apart, bounded whatever the article's size

Kind = Literal["url", "headline"]


def headline_key(title: str) -> str | None:
    words = _WORD.findall(title.casefold())
    if len(words) < _MIN_HEADLINE_WORDS:
        return None
    return "t:" + " ".join(words)


def url_key(url: str | None) -> str | None:
    return "u:" + url if url else None


def story_keys(article: Article) -> tuple[tuple[Kind, str], ...]:
    keys: list[tuple[Kind, str]] = []
    if key := url_key(article.url):
        keys.append(("url", key))
    if key := headline_key(article.title):
        keys.append(("headline", key))
    return tuple(keys)


def _fingerprint(key: str) -> int:
    # The index lives in one process, so its (SipHash, 64-bit) str hash serves: a false match
    # among the index's ~20,000 keys has odds of about 1e-11, and an int costs a fraction
    # of the key string it stands for.
    return hash(key)


def _moment(article: Article) -> float:
    return (article.published_at or article.fetched_at).timestamp()


def _words(article: Article) -> frozenset[str]:
    text = f"{article.summary} {article.body}".casefold()
    return frozenset(_WORD.findall(text[: 12 * _TEXT_WORDS])[:_TEXT_WORDS])


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def same_story(kind: Kind, article: Article, known: Article, same_feed: bool) -> bool:
    """Whether a key match (same URL or same headline, within the window) is the same story."""
    ours, theirs = _words(article), _words(known)
    if same_feed:  # distinct ids from one feed: only if the text says it is the same item again
        return similarity(ours, theirs) >= SAME_ITEM
    if kind == "url":
        return True
    # A syndicated copy may carry no text at all; when both do, it must be like the original's.
    return not ours or not theirs or similarity(ours, theirs) >= SIMILAR_COPY


class _Story(NamedTuple):
    # The article as first seen, kept as LZ4-compressed JSON (about 2 µs to pack): duplicates are
    # rare, so decoding one on a match is cheaper than holding thousands of parsed articles (a
    # pydantic Article costs about three times its JSON) while they stay in the index.
    packed: bytes
    sources: tuple[ArticleSource, ...]  # every feed it has been seen in so far
    fingerprints: tuple[int, ...]
    moment: float  # published (else fetched), epoch seconds
    folded: tuple[str, ...] = ()  # ids of the articles folded into it: seen again, they are repeats


class Folded(NamedTuple):
    duplicate: bool  # the story was already known
    publish: Article | None  # the new article, or the earlier one now naming a new feed; None for a repeat
    kept: str | None = None  # for a duplicate: the id of the earlier article it was folded into
    kind: Kind | None = None  # and what matched


class StoryIndex:
    """Recent stories by canonical URL and by headline, least recently seen evicted first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._stories: OrderedDict[str, _Story] = OrderedDict()  # article id → its story
        self._ids: dict[int, str] = {}  # url/headline fingerprint → article id (the latest with it)

    def __len__(self) -> int:
        return len(self._stories)

    def fold(self, article: Article) -> Folded:
        """Remember the article, or fold it into the earlier one it duplicates."""
        keys = story_keys(article)
        fingerprints = tuple(_fingerprint(key) for _, key in keys)
        moment = _moment(article)
        feeds = {s.feed_url for s in article.sources}
        for (kind, _), fingerprint in zip(keys, fingerprints, strict=True):
            known_id = self._ids.get(fingerprint)
            if not known_id or known_id == article.id or (story := self._stories.get(known_id)) is None:
                continue
            if article.id in story.folded:
                self._stories.move_to_end(known_id)
                return Folded(True, None, known_id, kind)
            if abs(moment - story.moment) > WINDOW_SECONDS:
                continue
            known = Article.model_validate_json(bytes(cramjam.lz4.decompress_block(story.packed)))
            if not same_story(kind, article, known, same_feed=bool(feeds & {s.feed_url for s in story.sources})):
                continue
            self._stories.move_to_end(known_id)
            sources = tuple(dict.fromkeys((*story.sources, *article.sources)))
            self._stories[known_id] = story._replace(sources=sources, folded=(*story.folded[-15:], article.id))
            if sources == story.sources:  # a copy from a feed it already names: nothing new to say
                return Folded(True, None, known_id, kind)
            return Folded(True, known.model_copy(update={"sources": sources}), known_id, kind)
        self._remember(article, fingerprints, moment)
        return Folded(False, article)

    def _remember(self, article: Article, fingerprints: tuple[int, ...], moment: float) -> None:
        packed = bytes(cramjam.lz4.compress_block(article.__pydantic_serializer__.to_json(article)))
        self._stories[article.id] = _Story(packed, article.sources, fingerprints, moment)
        self._stories.move_to_end(article.id)
        for fingerprint in fingerprints:
            self._ids[fingerprint] = article.id
        while len(self._stories) > self._capacity:
            old_id, old = self._stories.popitem(last=False)
            for fingerprint in old.fingerprints:
                if self._ids.get(fingerprint) == old_id:
                    del self._ids[fingerprint]
