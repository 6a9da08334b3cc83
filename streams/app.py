"""The Faust app: one agent per stage, each reading and writing its own topic.

    articles ─extract→ reports ─merge→ events ─detect/alert→ alerts ─deliver→ webhooks

Processing is at-least-once. Correctness under redelivery comes from
deterministic ids plus changelog-backed tables of what was already done, not
from Faust's exactly_once; every agent keeps concurrency 1 so offsets are
never committed past an unprocessed message. A stateful stage publishes its
output, waits for Kafka to acknowledge it, and only then writes its tables;
its input is acked once both are done (``Pipeline.each``), and a table write
the store refuses is retried on the spot (``Pipeline.durably``). A crash
anywhere before the ack makes the input be read again: against the old state
it publishes the same ids again; against the new one (written, not yet
acked) there is nothing left to publish, because what it would have
published was acknowledged first. State-first would lose that output: the
re-read input would find its work recorded but never published.

Tables live in RocksDB under ``data_dir/worker`` (one store per worker), so a
restart reads them from disk and only replays the changelog tail written
since, instead of all of history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import faust
import structlog
from faust.types import AgentT

from streams.agents import detect, extract, lag, merge
from streams.api import WorkerApi
from streams.pipeline import Pipeline
from streams.store import STORE_URL
from tocsin.kafka.topics import TopicSpec, Topics, ensure_topics
from tocsin.settings import Settings

log = structlog.get_logger(__name__)


class StreamsApp(faust.App):
    """Faust's app, where an agent's unexpected error first goes to ``stage_failed``."""

    stage_failed: Callable[[AgentT, BaseException], Awaitable[None]] | None = None

    async def _on_agent_error(self, agent: AgentT, exc: BaseException) -> None:  # Faust's hook (its "agent errors")
        try:
            if self.stage_failed is not None:
                await self.stage_failed(agent, exc)
        except Exception:  # raised here, it would keep Faust from restarting the agent
            log.exception("dead-lettering a failed message failed", stage=agent.name)
        await super()._on_agent_error(agent, exc)


def build_streams_app(settings: Settings, bootstrap: list[str], topics: Topics) -> faust.App:
    datadir = settings.data_dir / "worker"
    datadir.mkdir(parents=True, exist_ok=True)
    app = StreamsApp(
        settings.kafka.app_id,
        broker=[f"kafka://{server}" for server in bootstrap],
        store=STORE_URL,  # Faust's RocksDB store, failing loudly and healing (streams.store)
        datadir=str(datadir),
        autodiscover=False,
        web_enabled=False,
        topic_partitions=settings.kafka.topics.partitions,
        topic_replication_factor=settings.kafka.topics.replication_factor,
        topic_disable_leader=True,
        producer_acks=-1,
        # Batch what the stages and table changelogs send within a few ms into one request:
        # with Faust's default of 0 every record is its own produce request.
        producer_linger=0.005,
        producer_max_request_size=settings.kafka.max_record_bytes,  # the one record-size limit (topics.py)
        consumer_auto_offset_reset="earliest",
        # Seconds, not Faust's minute: how long a dead worker's partitions stall (GroupMembershipSettings).
        broker_session_timeout=settings.kafka.membership.session_timeout_seconds,
        broker_heartbeat_interval=settings.kafka.membership.heartbeat_interval_seconds,
        broker_rebalance_timeout=settings.kafka.membership.rebalance_timeout_seconds,
        processing_guarantee="at_least_once",
    )
    pipeline = Pipeline.create(app, settings, topics)
    app.stage_failed = pipeline.stage_failed
    for stage in (extract, merge, detect, lag):
        stage.register(pipeline)
    _ensure_changelogs(app, settings, bootstrap)
    if settings.api.enabled:
        app.add_dependency(WorkerApi(app, settings, bootstrap, topics))
    return app


def _ensure_changelogs(app: faust.App, settings: Settings, bootstrap: list[str]) -> None:
    """Create the tables' changelog topics before the consumer group forms: created
    lazily by Faust, they can be missing from the group's first metadata snapshot,
    and the first table write then fails with PartitionsMismatch ("0 partitions")."""
    t = settings.kafka.topics
    specs = [
        TopicSpec(table.changelog_topic.get_topic_name(), t.partitions, t.replication_factor, {"cleanup.policy": "compact"})
        for table in app.tables.values()
    ]
    ensure_topics(bootstrap, specs, role="tables")
