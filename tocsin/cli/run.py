from __future__ import annotations

import click

from tocsin import app
from tocsin.cli.context import settings_from


@click.command("run")
@click.pass_context
def run_command(ctx: click.Context) -> None:
    """Poll feeds and process streams in one process (starts the local Kafka
    unless kafka.bootstrap_servers names a cluster). Stops on Ctrl-C/SIGTERM."""
    app.run(settings_from(ctx), poll=True, work=True)


@click.command("poll")
@click.pass_context
def poll_command(ctx: click.Context) -> None:
    """Only poll feeds and publish new articles to Kafka."""
    app.run(settings_from(ctx), poll=True, work=False)


@click.command("worker")
@click.option("--deliver/--no-deliver", default=True, show_default=True,
              help="Also deliver webhooks here; --no-deliver where `tocsin deliver` runs on its own.")
@click.pass_context
def worker_command(ctx: click.Context, deliver: bool) -> None:
    """Only run the stream processors (extract, merge, detect, alert) and, unless
    --no-deliver, the webhook deliverer."""
    app.run(settings_from(ctx), poll=False, work=True, deliver=deliver)


@click.command("deliver")
@click.pass_context
def deliver_command(ctx: click.Context) -> None:
    """Only deliver alerts to the configured webhooks (resumes pending deliveries).
    Run one deliverer per kafka.app_id, or several: they share the alert partitions."""
    app.run(settings_from(ctx), poll=False, work=False, deliver=True)
