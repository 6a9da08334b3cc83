"""Cross-feed de-duplication inside one poller: the same story seen in a second feed
(same canonical URL, or a syndicated copy with the same headline) is not a new article;
the first article is re-emitted under its own id with both sources."""

from __future__ import annotations

import re
from collections import OrderedDict

from tocsin.records import Article

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


class StoryIndex:
    """Recent stories by canonical URL and by headline, least recently seen evicted first."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        # article id → latest emitted form and its keys (kept, so eviction need not recompute them)
        self._articles: OrderedDict[str, tuple[Article, tuple[str, ...]]] = OrderedDict()
        self._keys: dict[str, str] = {}  # url/headline key → article id

    def __len__(self) -> int:
        return len(self._articles)

    def match(self, article: Article) -> Article | None:
        """The earlier article this one duplicates, with the new sources merged in; None if it is new."""
        for key in story_keys(article):
            if (known_id := self._keys.get(key)) and known_id != article.id and known_id in self._articles:
                known = self._articles[known_id][0]
                sources = tuple(dict.fromkeys((*known.sources, *article.sources)))
                return known if sources == known.sources else known.model_copy(update={"sources": sources})
        return None

    def sources_of(self, article_id: str) -> tuple[object, ...]:
        known = self._articles.get(article_id)
        return known[0].sources if known else ()

    def remember(self, article: Article) -> None:
        known = self._articles.get(article.id)
        # A re-emitted article keeps its keys: only its sources changed.
        keys = known[1] if known else story_keys(article)
        self._articles[article.id] = (article, keys)
        self._articles.move_to_end(article.id)
        for key in keys:
            self._keys[key] = article.id
        while len(self._articles) > self._capacity:
            old_id, (_, old_keys) = self._articles.popitem(last=False)
            for key in old_keys:
                if self._keys.get(key) == old_id:
                    del self._keys[key]
