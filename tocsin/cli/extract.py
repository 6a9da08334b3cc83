"""``tocsin extract``: run the extraction engine on one article or a JSONL stream, offline."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Any

import click
from pydantic import ValidationError

from streams.extract import extract
from tocsin.records.article import Article, ArticleSource, SourceKind
from tocsin.records.report import ExtractionReport


class ArticleInputError(ValueError):
    """An input that cannot be read as an article."""


def article_from_mapping(doc: Mapping[str, Any], fallback_id: str) -> Article:
    """An Article from the corpus/CLI JSON shape: title, summary, body, published, language, source."""
    if not isinstance(doc, Mapping):
        raise ArticleInputError("expected a JSON object")
    if not any(isinstance(doc.get(key), str) and doc.get(key) for key in ("title", "summary", "body")):
        raise ArticleInputError("needs a non-empty title, summary or body")
    published = _timestamp(doc.get("published") or doc.get("published_at"))
    source = str(doc.get("source") or "cli")
    try:
        kind = SourceKind(doc.get("source_kind") or SourceKind.MEDIA)
        return Article(
            id=str(doc.get("id") or fallback_id),
            url=doc.get("url"),
            title=doc.get("title") or "",
            summary=doc.get("summary") or "",
            body=doc.get("body") or "",
            language=doc.get("language"),
            published_at=published,
            fetched_at=published or datetime.now(UTC),
            sources=(ArticleSource(feed_url=f"cli:{source}", feed_name=source, kind=kind),),
        )
    except (ValueError, ValidationError) as exc:
        raise ArticleInputError(str(exc).splitlines()[0]) from exc


def _timestamp(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ArticleInputError(f"published: not an ISO 8601 timestamp: {value!r}") from exc
    if moment.tzinfo is None:
        raise ArticleInputError("published: needs a UTC offset, e.g. 2025-07-04T09:12:00+03:00")
    return moment


def _content_id(text: str) -> str:
    return "cli-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def article_from_text(raw: str) -> Article:
    """JSON if it parses as an object, else plain text: first line the title, the rest the body."""
    stripped = raw.strip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except ValueError as exc:
            raise ArticleInputError(f"bad JSON: {exc}") from exc
        return article_from_mapping(doc, _content_id(stripped))
    title, _, body = stripped.partition("\n")
    return article_from_mapping({"title": title.strip(), "body": body.strip()}, _content_id(stripped))


def _payload(report: ExtractionReport) -> dict[str, Any]:
    return json.loads(report.to_bytes())


def _stream(lines: IO[str]) -> int:
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            report = extract(article_from_mapping(doc, f"line-{number}"))
        except (ValueError, ArticleInputError) as exc:
            failures += 1
            click.echo(json.dumps({"line": number, "error": str(exc)}, ensure_ascii=False), err=True)
            continue
        click.echo(json.dumps(_payload(report), ensure_ascii=False))
    return failures


@click.command("extract")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--jsonl", is_flag=True, help="One JSON article per line in, one report per line out.")
def extract_command(source: IO[str], jsonl: bool) -> None:
    """Extract attack figures from one article (plain text or JSON; FILE or - for stdin).

    Plain text: the first line is the title, the rest the body. JSON: title,
    summary, body, published (ISO 8601 with offset), language, source. Every
    figure in the printed report carries its evidence span.
    """
    if jsonl:
        _stream(source)
        return
    try:
        article = article_from_text(source.read())
    except ArticleInputError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(_payload(extract(article)), ensure_ascii=False, indent=2))
    sys.stdout.flush()
