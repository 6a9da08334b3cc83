"""Cross-feed de-duplication inside one poller: the same story seen in a second feed
(same canonical URL, or a syndicated copy with the same headline) is not a new article;
the first article is re-emitted under its own id with both sources."""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import NamedTuple

import cramjam

from tocsin.records import Article, ArticleSource

_WORD = re.compile(r"\w+")
_MIN_HEADLINE_WORDS = 6  # "Live updates" or "News in brief" are not stories


def headline_key(title: str) -> str | None:
    words = _WORD.findall(title.casefold())
    if len(words) < _MIN_HEADLINE_WORDS:
        return None
    return "t:" + " ".join(words)


def url_key(url: str | None) -> str | None:
    return "u:" + url if url else None


def story_keys(article: Article) -> tuple[str, ...]:
    return tuple(key for key in (url_key(article.url), headline_key(article.title)) if key)


def _fingerprint(key: str) -> int:
    # The index lives in one process, so its (SipHash, 64-bit) str hash serves: a false match
    # among the index's ~20,000 keys has odds of about 1e-11, and an int costs a fraction
    # of the key string it stands for.
    return hash(key)


class _Story(NamedTuple):
    # The article is kept as LZ4-compressed JSON (about 2 µs to pack): duplicates are rare,
    # so decoding one on a match is cheaper than holding thousands of parsed articles
    # (a pydantic Article costs about three times its JSON) while they stay in the index.
    packed: bytes
    sources: tuple[ArticleSource, ...]
    fingerprints: tuple[int, ...]


class StoryIndex:
    """Recent stories by canonical URL and by headline, least recently seen evicted first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._stories: OrderedDict[str, _Story] = OrderedDict()  # article id → latest emitted form
        self._ids: dict[int, str] = {}  # url/headline fingerprint → article id

    def __len__(self) -> int:
        return len(self._stories)

    def match(self, article: Article) -> Article | None:
        """The earlier article this one duplicates, with the new sources merged in; None if it is new."""
        for key in story_keys(article):
            known_id = self._ids.get(_fingerprint(key))
            if known_id and known_id != article.id and (story := self._stories.get(known_id)):
                known = Article.model_validate_json(bytes(cramjam.lz4.decompress_block(story.packed)))
                sources = tuple(dict.fromkeys((*story.sources, *article.sources)))
                return known if sources == known.sources else known.model_copy(update={"sources": sources})
        return None

    def sources_of(self, article_id: str) -> tuple[ArticleSource, ...]:
        known = self._stories.get(article_id)
        return known.sources if known else ()

    def remember(self, article: Article) -> None:
        known = self._stories.get(article.id)
        # A re-emitted article keeps its fingerprints: only its sources changed.
        fingerprints = known.fingerprints if known else tuple(_fingerprint(key) for key in story_keys(article))
        self._stories[article.id] = _Story(bytes(cramjam.lz4.compress_block(article.__pydantic_serializer__.to_json(article))), article.sources, fingerprints)
        self._stories.move_to_end(article.id)
        for fingerprint in fingerprints:
            self._ids[fingerprint] = article.id
        while len(self._stories) > self._capacity:
            old_id, old = self._stories.popitem(last=False)
            for fingerprint in old.fingerprints:
                if self._ids.get(fingerprint) == old_id:
                    del self._ids[fingerprint]
