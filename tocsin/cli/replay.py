"""``tocsin replay``: publish a JSONL of articles to the raw topic (back-tests)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import click

from tocsin.app import kafka_cluster
from tocsin.cli.context import settings_from
from tocsin.cli.extract import ArticleInputError, article_from_mapping
from tocsin.cli.produced import Outcome
from tocsin.cli.publishing import MAX_REQUEST_BYTES, Outgoing, publish
from tocsin.kafka.exceptions import NotDrained
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.observability.logs import configure_logging
from tocsin.records import Article, RecordError


REPLAY_PARTITION = 0


def _refuse(problem: str) -> None:
    raise click.ClickException(problem)


def read_articles(path: Path, bad_line: Callable[[str], None] = _refuse) -> list[Article]:
    """Lines are tocsin.article records or the corpus shape (title, body, published, source …).
    A line that is neither goes to ``bad_line`` as one ``file:line: problem`` message."""
    articles = []
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                articles.append(_article(raw, f"{path.stem}-{number}"))
            except ArticleInputError as exc:
                bad_line(f"{path}:{number}: {str(exc)[:300]}")
    return articles


def _article(raw: bytes, fallback_id: str) -> Article:
    """One line as an article, or an ArticleInputError saying in a few words why not."""
    if len(raw) > MAX_REQUEST_BYTES:
        raise ArticleInputError(f"{len(raw):,} bytes, more than a record may have ({MAX_REQUEST_BYTES:,})")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleInputError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        doc = json.loads(line)
    except RecursionError:
        raise ArticleInputError("JSON nested too deeply") from None
    except ValueError as exc:
        raise ArticleInputError(f"bad JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ArticleInputError("not a JSON object")
    try:
        article = Article.from_bytes(raw) if "schema" in doc else article_from_mapping(doc, fallback_id)
    except RecordError as exc:
        raise ArticleInputError(str(exc)) from None
    except ArticleInputError:
        raise
    except Exception as exc:  # one line the reader cannot take must not end the replay
        raise ArticleInputError(f"unreadable: {type(exc).__name__}: {exc}") from None
    if len(encoded := article.to_bytes()) > MAX_REQUEST_BYTES:  # escapes can grow a line
        raise ArticleInputError(f"{len(encoded):,} bytes as a record, more than a record may have ({MAX_REQUEST_BYTES:,})")
    return article


@click.command("replay")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--wait", is_flag=True, help="Return once every stage has processed everything, and print what the pipeline produced.")
@click.option("--wait-timeout", type=click.FloatRange(min=0), default=600.0, show_default=True,
              help="Seconds --wait waits for the pipeline before it fails.")
@click.pass_context
def replay_command(ctx: click.Context, file: Path, wait: bool, wait_timeout: float) -> None:
    """Publish the articles in FILE (JSONL), in file order, to the raw topic.

    They all go to one partition so the file's order is the processing order.
    A bad line (not UTF-8, not JSON, nested too deeply, too large, not an
    article) is reported on stderr as one `file:line: problem` line and left
    out; the rest is published, and the exit status is 1 at the end.

    Articles keep their own published/fetched timestamps, so events and
    cool-downs are dated as the originals were.

    With --wait it returns when the worker (and the deliverer, where one has
    run) has committed every record of every partition of its topics, then
    prints ``name: value`` lines of the events and alerts produced since.
    """
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    bad: list[str] = []

    def report(problem: str) -> None:
        bad.append(problem)
        click.echo(problem, err=True)

    articles = read_articles(file, report)
    topics = topics_for(settings.kafka)
    with kafka_cluster(settings) as bootstrap:
        ensure_topics(bootstrap, topics.all())
        outcome = Outcome(settings, topics, bootstrap)
        if wait:
            asyncio.run(outcome.mark())
        # One partition, so extraction and merging see the file's order (history in order:
        # "the previous record" then means the same as it did live).
        publish(bootstrap, topics.articles.name, [Outgoing(a.id.encode(), a.to_bytes(), REPLAY_PARTITION) for a in articles], "articles")
        click.echo(f"replayed {len(articles)} articles to {topics.articles.name}" + (f", {len(bad)} bad lines left out" if bad else ""))
        if wait:
            try:
                produced = asyncio.run(outcome.wait(wait_timeout))
            except NotDrained as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo("\n".join(produced))
    if bad:
        ctx.exit(1)
