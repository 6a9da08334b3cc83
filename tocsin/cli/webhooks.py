"""`tocsin webhooks list|test|replay`: the configured endpoints, a test delivery, re-deliveries."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import click
from yarl import URL

from streams.deliver import Sender, message_id, new_session, render, replay_dead, replay_range, sample_alert
from tocsin.app import kafka_cluster
from tocsin.cli.context import settings_from
from tocsin.kafka.topics import topics_for
from tocsin.observability.logs import configure_logging
from tocsin.settings import WebhookEndpoint, WebhookSettings


@click.group("webhooks")
def webhooks_group() -> None:
    """The webhook endpoints alerts are delivered to."""


def _origin(url: str) -> str:
    # Only scheme://host:port: paths and queries of chat webhooks carry their tokens.
    parsed = URL(url)
    return str(parsed.origin())


@webhooks_group.command("list")
@click.pass_context
def webhooks_list(ctx: click.Context) -> None:
    """Print each endpoint (name, format, enabled, signed, filters, limits) as JSON lines; never a secret or a URL path."""
    for e in settings_from(ctx).webhooks.endpoints:
        click.echo(json.dumps({
            "name": e.name, "origin": _origin(e.url), "format": e.format, "enabled": e.enabled,
            "signed": bool(e.signing_secrets), "signatures": len(e.signing_secrets), "filters": e.filters.model_dump(mode="json"),
            "timeout_seconds": e.timeout_seconds, "concurrency": e.concurrency,
            "rate_limit_per_second": e.requests_per_second,
        }))


@webhooks_group.command("test")
@click.argument("name")
@click.pass_context
def webhooks_test(ctx: click.Context, name: str) -> None:
    """POST one sample alert (id alert_test_…) to endpoint NAME, signed like a real one, and print the outcome."""
    webhooks = settings_from(ctx).webhooks
    endpoint = webhooks.endpoint(name)
    result = asyncio.run(_send_test(webhooks, endpoint))
    click.echo(json.dumps({"endpoint": name, "outcome": result.outcome.token, "verdict": result.outcome.verdict.value,
                           "duration_ms": result.attempt.duration_ms}))
    ctx.exit(0 if result.outcome.verdict.value == "delivered" else 1)


async def _send_test(webhooks: WebhookSettings, endpoint: WebhookEndpoint):  # type: ignore[no-untyped-def]
    alert = sample_alert(id_override=f"alert_test_{uuid.uuid4().hex}")
    async with new_session(webhooks.allow_private_addresses) as session:
        sender = Sender(session, allow_private=webhooks.allow_private_addresses)
        return await sender.attempt(sender.target(endpoint), message_id(alert), render(alert, endpoint))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


@webhooks_group.command("replay")
@click.argument("name")
@click.option("--dead", is_flag=True, help="Re-deliver the alerts whose delivery to NAME was dead-lettered.")
@click.option("--since", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
              help="Re-deliver alerts published since then (UTC unless an offset is given).")
@click.option("--until", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
              help="... and up to then (default: now).")
@click.pass_context
def webhooks_replay(ctx: click.Context, name: str, dead: bool, since: datetime | None, until: datetime | None) -> None:
    """Ask the deliverer to deliver alerts to endpoint NAME again, with the same ids.
    An alert already delivered to NAME is still never delivered twice."""
    if dead == (since is not None):
        raise click.UsageError("give either --dead or --since")
    settings = settings_from(ctx)
    configure_logging(settings.logging)
    settings.webhooks.endpoint(name)
    topics = topics_for(settings.kafka)
    with kafka_cluster(settings) as bootstrap:
        if dead:
            count = asyncio.run(replay_dead(bootstrap, topics, name))
        else:
            window = (_utc(since), _utc(until) or datetime.now(UTC))
            count = asyncio.run(replay_range(bootstrap, topics, name, *window))  # type: ignore[arg-type]
    click.echo(json.dumps({"endpoint": name, "requested": count}))
