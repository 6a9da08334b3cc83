"""``tocsin replay``: publish a JSONL of articles to the raw topic (back-tests)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from tocsin.app import kafka_cluster
from tocsin.cli.context import settings_from
from tocsin.cli.extract import ArticleInputError, article_from_mapping
from tocsin.cli.produced import Outcome
from tocsin.cli.publishing import Outgoing, publish
from tocsin.kafka.exceptions import NotDrained
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.observability.logs import configure_logging
from tocsin.records import Article, RecordError


REPLAY_PARTITION = 0


def read_articles(path: Path) -> list[Article]:
    """Lines are tocsin.article records or the corpus shape (title, body, published, source …)."""
    articles = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                articles.append(Article.from_bytes(line) if "schema" in doc else article_from_mapping(doc, f"{path.stem}-{number}"))
            except (ValueError, ArticleInputError, RecordError) as exc:
                raise click.ClickException(f"{path}:{number}: {exc}") from exc
    return articles


@click.command("replay")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--wait", is_flag=True, help="Return once every stage has processed everything, and print what the pipeline produced.")
@click.option("--wait-timeout", type=click.FloatRange(min=0), default=600.0, show_default=True,
              help="Seconds --wait waits for the pipeline before it fails.")
@click.pass_context
def replay_command(ctx: click.Context, file: Path, wait: bool, wait_timeout: float) -> None:
    """Publish the articles in FILE (JSONL), in file order, to the raw topic.

    They all go to one partition so the file's order is the processing order.

    Articles keep their own published/fetched timestamps, so events and
    cool-downs are dated as the originals were.

    With --wait it returns when the worker (and the deliverer, where one has
    run) has committed every record of every partition of its topics, then
    prints ``name: value`` lines of the events and alerts produced since.
    """
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    articles = read_articles(file)
    topics = topics_for(settings.kafka)
    with kafka_cluster(settings) as bootstrap:
        ensure_topics(bootstrap, topics.all())
        outcome = Outcome(settings, topics, bootstrap)
        if wait:
            asyncio.run(outcome.mark())
        # One partition, so extraction and merging see the file's order (history in order:
        # "the previous record" then means the same as it did live).
        publish(bootstrap, topics.articles.name, [Outgoing(a.id.encode(), a.to_bytes(), REPLAY_PARTITION) for a in articles], "articles")
        click.echo(f"replayed {len(articles)} articles to {topics.articles.name}")
        if wait:
            try:
                produced = asyncio.run(outcome.wait(wait_timeout))
            except NotDrained as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo("\n".join(produced))
