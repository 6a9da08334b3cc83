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
    # The article as first seen, kept as LZ4-compressed JSON (about 2 µs to pack): duplicates are
    # rare, so decoding one on a match is cheaper than holding thousands of parsed articles (a
    # pydantic Article costs about three times its JSON) while they stay in the index.
    packed: bytes
    sources: tuple[ArticleSource, ...]  # every feed it has been seen in so far
    fingerprints: tuple[int, ...]


class Folded(NamedTuple):
    duplicate: bool  # the story was already known
    publish: Article | None  # the new article, or the earlier one now naming a new feed; None for a repeat


class StoryIndex:
    """Recent stories by canonical URL and by headline, least recently seen evicted first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._stories: OrderedDict[str, _Story] = OrderedDict()  # article id → its story
        self._ids: dict[int, str] = {}  # url/headline fingerprint → article id

    def __len__(self) -> int:
        return len(self._stories)

    def fold(self, article: Article) -> Folded:
        """Remember the article, or fold it into the earlier one it duplicates."""
        fingerprints = tuple(_fingerprint(key) for key in story_keys(article))
        for fingerprint in fingerprints:
            known_id = self._ids.get(fingerprint)
            if known_id and known_id != article.id and (story := self._stories.get(known_id)):
                self._stories.move_to_end(known_id)
                sources = tuple(dict.fromkeys((*story.sources, *article.sources)))
                if sources == story.sources:
                    return Folded(duplicate=True, publish=None)
                self._stories[known_id] = story._replace(sources=sources)
                known = Article.model_validate_json(bytes(cramjam.lz4.decompress_block(story.packed)))
                return Folded(duplicate=True, publish=known.model_copy(update={"sources": sources}))
        packed = bytes(cramjam.lz4.compress_block(article.__pydantic_serializer__.to_json(article)))
        self._stories[article.id] = _Story(packed, article.sources, fingerprints)
        self._stories.move_to_end(article.id)
        for fingerprint in fingerprints:
            self._ids[fingerprint] = article.id
        while len(self._stories) > self._capacity:
            old_id, old = self._stories.popitem(last=False)
            for fingerprint in old.fingerprints:
                if self._ids.get(fingerprint) == old_id:
                    del self._ids[fingerprint]
        return Folded(duplicate=False, publish=article)
