"""``tocsin feeds``: the feed set lives on Kafka's feeds topic, so changes reach running pollers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from monitor.feeds import catalog, feeds_from_opml
from tocsin.app import kafka_cluster
from tocsin.cli.context import settings_from
from tocsin.kafka.topics import Topics, ensure_topics, topics_for
from tocsin.observability.logs import configure_logging
from tocsin.records import SourceKind
from tocsin.settings import FeedConfig

T = TypeVar("T")


def _with_kafka(ctx: click.Context, work: Callable[[list[str], Topics], Coroutine[Any, Any, T]]) -> T:
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    topics = topics_for(settings.kafka)
    with kafka_cluster(settings) as bootstrap:
        ensure_topics(bootstrap, (topics.feeds, topics.feed_state))
        return asyncio.run(work(bootstrap, topics))


@click.group("feeds")
def feeds_group() -> None:
    """Add, remove, list and import feeds; show their health."""


@feeds_group.command("add")
@click.argument("url")
@click.option("--name")
@click.option("--language")
@click.option("--interval", "interval_seconds", type=float, help="Seconds between polls (default: feeds.interval_seconds).")
@click.option("--tag", "tags", multiple=True)
@click.option("--full-text/--no-full-text", default=False, help="Fetch each new article's page for its main text.")
@click.option("--kind", type=click.Choice([k.value for k in SourceKind]), default=SourceKind.MEDIA.value)
@click.option("--type", "type", type=click.Choice(["feed", "telegram"]), default="feed", help="telegram: URL is https://t.me/s/<channel>.")
@click.pass_context
def feeds_add(ctx: click.Context, url: str, **options: Any) -> None:
    """Add a feed, or update it if its URL is known; running pollers pick it up."""
    try:
        feed = FeedConfig(url=url, tags=list(options.pop("tags")), **options)
    except ValidationError as exc:
        raise click.BadParameter(exc.errors()[0]["msg"], param_hint="URL") from exc
    (definition,) = _with_kafka(ctx, lambda b, t: catalog.upsert(b, t.feeds.name, [feed]))
    click.echo(json.dumps({"added": definition.feed_id, "url": feed.url}))


@feeds_group.command("remove")
@click.argument("urls", nargs=-1, required=True)
@click.pass_context
def feeds_remove(ctx: click.Context, urls: tuple[str, ...]) -> None:
    """Remove feeds by URL (a feed still in the config file comes back at the next start)."""
    ids = _with_kafka(ctx, lambda b, t: catalog.remove(b, t.feeds.name, urls))
    click.echo(json.dumps({"removed": ids}))


@feeds_group.command("import")
@click.argument("opml", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_context
def feeds_import(ctx: click.Context, opml: Path) -> None:
    """Add every feed of an OPML file (folders become tags)."""
    feeds = feeds_from_opml(opml.read_bytes())
    definitions = _with_kafka(ctx, lambda b, t: catalog.upsert(b, t.feeds.name, feeds))
    click.echo(json.dumps({"imported": len(definitions)}))


@feeds_group.command("list")
@click.pass_context
def feeds_list(ctx: click.Context) -> None:
    """Print the feed definitions, as JSON lines."""
    for definition in _with_kafka(ctx, lambda b, t: catalog.definitions(b, t.feeds)):
        click.echo(json.dumps({"id": definition.feed_id, **definition.config.model_dump(mode="json")}))


@feeds_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_context
def feeds_status(ctx: click.Context, as_json: bool) -> None:
    """Each feed's health: last success, last error, consecutive errors, next poll, items seen."""

    async def gather(bootstrap: list[str], topics: Topics) -> list[dict[str, Any]]:
        definitions = await catalog.definitions(bootstrap, topics.feeds)
        states = await catalog.states(bootstrap, topics.feed_state)
        rows = []
        for d in definitions:
            state = states.get(d.feed_id)
            health = state.health.model_dump(mode="json") if state else {}
            rows.append({"id": d.feed_id, "name": d.config.display_name, "url": d.config.url, **health})
        return rows

    rows = _with_kafka(ctx, gather)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    columns = ("name", "last_success", "last_error", "consecutive_errors", "next_poll", "items_seen")
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join(_cell(row.get(c)) for c in columns))


def _cell(value: object) -> str:
    return "-" if value is None else str(value)[:60]
