"""``tocsin export``: events from the events topic as CSV, GeoJSON or JSON lines."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import click

from tocsin.kafka.compacted import read_latest
from streams.api import export
from tocsin.app import kafka_cluster
from tocsin.cli.context import settings_from
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.observability.logs import configure_logging
from tocsin.records import RecordError


def _moment(_: click.Context, __: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("not an ISO 8601 date or time (e.g. 2025-07-01 or 2025-07-01T00:00Z)") from None
    # A date alone or a time without a zone is UTC: the same moment wherever the command runs.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(list(export.FORMATS)), required=True)
@click.option("--since", callback=_moment, help="Only events updated at or after this moment (ISO 8601; UTC when no zone is given).")
@click.option("--historical/--no-historical", default=False, show_default=True, help="Also the backfilled historical events.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of standard output.")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, since: datetime | None, historical: bool, output: Path | None) -> None:
    """Print the latest revision of every event on the events topic, oldest night first.

    csv is the historical dataset's columns (RU→UA events; `tocsin backfill --csv`
    reads it back), geojson one point per located place, jsonl tocsin.event records.
    """
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    if output is not None and not output.parent.is_dir():  # said before Kafka is read, not as a traceback after
        raise click.ClickException(f"{output}: {output.parent} is not a directory")
    topics = topics_for(settings.kafka)
    with kafka_cluster(settings) as bootstrap:
        ensure_topics(bootstrap, topics.all())
        latest = asyncio.run(read_latest(bootstrap, topics.events.name))
    events, unreadable = [], 0
    for key, raw in latest.items():
        if raw is None:
            continue
        try:
            event = topics.events.record.from_bytes(raw)
        except RecordError as exc:
            # Compaction keeps such a record (a newer build's version, poison) for good: one line
            # for it, the readable events still exported, and exit status 1 at the end.
            unreadable += 1
            click.echo(f"{topics.events.name}: event {key.decode(errors='replace')[:100]}: {str(exc)[:300]} (left out)", err=True)
            continue
        if historical or not event.historical:
            events.append(event)
    chosen = export.since(events, since)
    text = export.render(chosen, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"{output}: {exc.strerror or exc}") from None
        click.echo(f"exported {len(chosen)} events to {output}", err=True)
    if unreadable:
        ctx.exit(1)
