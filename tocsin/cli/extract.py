"""``tocsin extract``: run the extraction engine on one article or a JSONL stream, offline."""

from __future__ import annotations

import hashlib
import json
import sys
from typing import IO, Any

import click

from streams.extract import ArticleInputError, article_from_mapping, explain, extract
from tocsin.records.article import Article
from tocsin.records.report import ExtractionReport


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


def _read(article: Article, explained: bool) -> dict[str, Any]:
    """The report, and with ``explained`` every count read with its decision and reason under "explain"."""
    if not explained:
        return _payload(extract(article))
    found = explain(article)
    payload = _payload(found.report)
    payload["explain"] = {
        "gate": found.gate,
        "capped": found.capped,
        "candidates": [d.to_dict() for d in found.decisions],
    }
    return payload


def _json_article(line: str, number: int) -> Article:
    try:
        doc = json.loads(line)
    except ValueError as exc:
        raise ArticleInputError(f"bad JSON: {exc}") from exc
    return article_from_mapping(doc, f"line-{number}")


def _stream(lines: IO[str], explained: bool) -> int:
    failures = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            payload = _read(_json_article(line, number), explained)
        except ArticleInputError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one article the engine cannot read must not end the stream
            error = f"extractor failed: {type(exc).__name__}: {exc}"
        else:
            click.echo(json.dumps(payload, ensure_ascii=False))
            continue
        failures += 1
        click.echo(json.dumps({"line": number, "error": error}, ensure_ascii=False), err=True)
    return failures


@click.command("extract")
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--jsonl", is_flag=True, help="One JSON article per line in, one report per line out.")
@click.option(
    "--explain",
    "explained",
    is_flag=True,
    help="Add every count read, with its decision (kept, rejected, not chosen, not a figure) and the reason.",
)
def extract_command(source: IO[str], jsonl: bool, explained: bool) -> None:
    """Extract attack figures from one article (plain text or JSON; FILE or - for stdin).

    Plain text: the first line is the title, the rest the body. JSON: title,
    summary, body, published (ISO 8601; without an offset, the language's zone: Kyiv for uk/ru, else UTC),
    language, source. Every figure in the printed report carries its evidence
    span. With --jsonl a bad line is reported on stderr as {"line", "error"},
    the stream goes on, and the exit status is 1 at the end. With --explain
    each report has an "explain" object: why the article is no attack report
    ("gate"), whether a size cap cut the reading short ("capped"), and every
    candidate count with its decision and reason, to see why a figure was missed.
    """
    if jsonl:
        if failures := _stream(source, explained):
            # Every good line was still reported; the status tells scripts that some were not.
            raise click.ClickException(f"{failures} line(s) could not be read, see the errors above")
        return
    try:
        article = article_from_text(source.read())
    except ArticleInputError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(_read(article, explained), ensure_ascii=False, indent=2))
    sys.stdout.flush()
