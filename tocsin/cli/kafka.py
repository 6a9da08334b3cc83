from __future__ import annotations

import json

import click

from tocsin.app import kafka_cluster, local_broker
from tocsin.cli.context import settings_from
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.observability.logs import configure_logging


@click.group("kafka")
def kafka_group() -> None:
    """Manage the local single-node Apache Kafka (KRaft) that Tocsin runs itself."""


@kafka_group.command("start")
@click.pass_context
def kafka_start(ctx: click.Context) -> None:
    """Fetch the jars once (Maven Central), format storage once, start and wait until ready."""
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    broker = local_broker(settings.kafka.local)
    broker.start(attached=False)
    click.echo(f"kafka running at {broker.bootstrap}")


@kafka_group.command("stop")
@click.pass_context
def kafka_stop(ctx: click.Context) -> None:
    """Stop the local broker cleanly (SIGTERM, then SIGKILL after a timeout)."""
    local_broker(settings_from(ctx).kafka.local).stop()
    click.echo("kafka stopped")


@kafka_group.command("status")
@click.pass_context
def kafka_status(ctx: click.Context) -> None:
    """Print whether the local broker runs, as JSON."""
    status = local_broker(settings_from(ctx).kafka.local).status()
    click.echo(json.dumps({"running": status.running, "pid": status.pid, "bootstrap": status.bootstrap, "data_dir": str(status.data_dir)}))
    ctx.exit(0 if status.running else 3)


@click.group("topics")
def topics_group() -> None:
    """Tocsin's Kafka topics."""


@topics_group.command("ensure")
@click.pass_context
def topics_ensure(ctx: click.Context) -> None:
    """Create missing topics and apply the configured retention and cleanup policy."""
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    with kafka_cluster(settings) as bootstrap:
        result = ensure_topics(bootstrap, topics_for(settings.kafka).all())
    click.echo(json.dumps({"created": result.created, "existing": result.existing}))


@topics_group.command("list")
@click.pass_context
def topics_list(ctx: click.Context) -> None:
    """Print the topics Tocsin uses with their partitions and config, as JSON lines."""
    for spec in topics_for(settings_from(ctx).kafka).all():
        click.echo(json.dumps({"name": spec.name, "partitions": spec.partitions, "config": dict(spec.config)}))
