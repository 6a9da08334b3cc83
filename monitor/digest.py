"""A fetched document → the articles to publish: parse, id every entry, build the unseen ones.

Pure and synchronous (the poller runs it on its parse thread; the conformance bench calls it
directly). Nothing raised inside escapes untyped: a document that cannot be read is a ParseError,
anything unexpected a DigestError (both back the feed off and are logged), and an item that cannot
be turned into an article is skipped with its reason while the rest are published.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from monitor.exceptions import DigestError, ParseError
from monitor.fetch import FetchResult
from monitor.normalise import ArticleNormaliser, Candidate, is_story
from monitor.normalise.fit import fitted
from monitor.parse import parse_feed
from tocsin.records import Article
from tocsin.settings import KafkaSettings

MAX_RECORD_BYTES: int = KafkaSettings.model_fields["max_record_bytes"].default


@dataclass(frozen=True, slots=True)
class Digest:
    """What a poll keeps of its parsed document while Kafka acknowledges: not the entries, which
    would otherwise live (and be walked by the collector) until then."""

    parser: str
    ttl_minutes: int | None
    current_ids: list[str]
    new: list[Article]
    skipped: tuple[str, ...] = ()  # items not published, each with its reason
    shortened: int = 0  # articles cut to fit one Kafka record
    # What the feed state remembers as seen for the new articles: their ids, or for a channel the
    # version keys of its posts (so that an edited post is new again under its old article id).
    new_keys: tuple[str, ...] | None = None

    @property
    def seen_new(self) -> list[str]:
        return list(self.new_keys) if self.new_keys is not None else [a.id for a in self.new]

    @property
    def empty(self) -> bool:
        return not self.current_ids and not self.skipped


def digest_document(
    result: FetchResult, normaliser: ArticleNormaliser, seen: Collection[str], fetched_at: datetime, *, max_record_bytes: int = MAX_RECORD_BYTES
) -> Digest:
    assert result.body is not None
    try:
        parsed = parse_feed(result.body, result.url, result.content_type)
        # Ids first (is_story reads an item's text only when it has neither GUID nor link).
        story = [is_story(e) for e in parsed.entries]
        candidates = normaliser.candidates(tuple(e for e, keep in zip(parsed.entries, story, strict=True) if keep))
    except ParseError:
        raise
    except Exception as exc:
        raise DigestError(f"{result.url}: {exc!r}"[:400]) from exc
    new, skipped, shortened = new_articles([c for c in candidates if c.id not in seen], normaliser, fetched_at, parsed.language, max_record_bytes)
    empty = [f"item {n}: empty: no id, link, title or text" for n, keep in enumerate(story) if not keep]
    return Digest(parsed.parser, parsed.ttl_minutes, [c.id for c in candidates], new, (*parsed.skipped, *empty, *skipped), shortened)


def new_articles(
    unseen: list[Candidate], normaliser: ArticleNormaliser, fetched_at: datetime, language: str | None, max_record_bytes: int
) -> tuple[list[Article], list[str], int]:
    """The articles of unseen candidates, each made to fit a record: (articles, skipped with reasons, how many shortened)."""
    skipped: list[str] = []
    new: list[Article] = []
    shortened = 0
    for candidate in unseen:
        try:
            article = normaliser.article(candidate, fetched_at, language)
        except Exception as exc:  # noqa: BLE001 - one bad item must not lose the feed
            skipped.append(f"{candidate.id}: {exc!r}"[:200])
            continue
        fit = fitted(article, max_record_bytes)
        if fit is None:
            skipped.append(f"{candidate.id}: too_large: does not fit {max_record_bytes} bytes even shortened")
            continue
        shortened += fit is not article
        new.append(fit)
    new.sort(key=lambda a: a.published_at or fetched_at)  # oldest first (feeds list newest first): nights in order
    return new, skipped, shortened
