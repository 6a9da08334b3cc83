"""Articles from the plain JSON shape the corpus and ``tocsin extract`` use.

``{"id", "title", "summary", "body", "published", "language", "source", "source_kind", "url"}``;
only one of title/summary/body is required ("text"/"content" stand for body, "lang" for language,
"published_at" for published). A timestamp without a UTC offset is read by the poller's rule
(tocsin/timezones.py: the source language's zone, Kyiv for uk/ru, else UTC). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from tocsin.records.article import Article, ArticleSource, SourceKind
from tocsin.timezones import aware


class ArticleInputError(ValueError):
    """An input that cannot be read as an article."""


def article_from_mapping(doc: Mapping[str, Any], fallback_id: str) -> Article:
    """An Article from the corpus/CLI JSON shape: title, summary, body, published, language, source."""
    if not isinstance(doc, Mapping):
        raise ArticleInputError("expected a JSON object")
    body = doc.get("body") or doc.get("text") or doc.get("content") or ""
    if not all(isinstance(doc.get(key) or "", str) for key in ("title", "summary")) or not isinstance(body, str):
        raise ArticleInputError("title, summary and body must be strings")
    if not (doc.get("title") or doc.get("summary") or body):
        raise ArticleInputError("needs a non-empty title, summary or body")
    published = _timestamp(doc.get("published") or doc.get("published_at"), doc.get("language") or doc.get("lang"))
    source = str(doc.get("source") or "cli")
    try:
        kind = SourceKind(doc.get("source_kind") or SourceKind.MEDIA)
        return Article(
            id=str(doc.get("id") or fallback_id),
            url=doc.get("url"),
            title=doc.get("title") or "",
            summary=doc.get("summary") or "",
            body=body,
            language=doc.get("language") or doc.get("lang"),
            published_at=published,
            fetched_at=published or datetime.now(UTC),
            sources=(ArticleSource(feed_url=f"cli:{source}", feed_name=source, kind=kind),),
        )
    except (ValueError, ValidationError) as exc:
        raise ArticleInputError(str(exc).splitlines()[0]) from exc


def _timestamp(value: object, language: object) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ArticleInputError(f"published: not an ISO 8601 timestamp: {value!r}") from exc
    return aware(moment, None, language if isinstance(language, str) else None)
