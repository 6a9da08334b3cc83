"""``tocsin backfill``: seed record history from historical data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import click

from streams.history import HistoryError, events_from_csv, events_from_jsonl
from streams.merge import partition_for, record_scope
from tocsin.app import kafka_cluster
from tocsin.cli.context import settings_from
from tocsin.cli.publishing import Outgoing, publish
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.observability.logs import configure_logging
from tocsin.records import AttackEvent


@click.command("backfill")
@click.option("--csv", "csv_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Air Force dataset (format of missile_attacks_daily.csv).")
@click.option("--jsonl", "--events", "events_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="JSONL of tocsin.event records.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only nights on or before this date.")
@click.pass_context
def backfill_command(ctx: click.Context, csv_file: Path | None, events_file: Path | None, until: datetime | None) -> None:
    """Publish historical attacks as events that only feed record history.

    They never raise alerts. Event ids are deterministic, so running it twice
    changes nothing.
    """
    if csv_file is None and events_file is None:
        raise click.UsageError("give --csv FILE and/or --jsonl FILE")
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    last: date | None = until.date() if until else None
    # Every file is read and checked before anything is published: a bad file changes nothing.
    events: list[AttackEvent] = []
    if csv_file is not None:
        with _reading(csv_file) as lines:
            events += events_from_csv(lines, until=last)
    if events_file is not None:
        with _reading(events_file) as lines:
            events += [e for e in events_from_jsonl(lines) if last is None or e.window.night_of <= last]
    topics = topics_for(settings.kafka)
    partitions = settings.kafka.topics.partitions
    with kafka_cluster(settings) as bootstrap:
        ensure_topics(bootstrap, topics.all())
        publish(
            bootstrap,
            topics.events.name,
            [Outgoing(e.event_id.encode(), e.to_bytes(), partition_for(record_scope(e), partitions)) for e in events],
            "events",
        )
    click.echo(f"backfilled {len(events)} historical events to {topics.events.name}")


@contextmanager
def _reading(path: Path) -> Iterator[TextIO]:
    """The file's lines; a HistoryError or undecodable text becomes one clear line naming the file (and line)."""
    try:
        with path.open(encoding="utf-8", newline="") as lines:
            yield lines
    except HistoryError as exc:
        raise click.ClickException(f"{path}:{exc.line}: {exc.detail}") from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
