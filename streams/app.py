"""The Faust app: one agent per stage, each reading and writing its own topic.

    articles ─extract→ reports ─merge→ events ─detect/alert→ alerts ─deliver→ webhooks

Processing is at-least-once. Correctness under redelivery comes from
deterministic ids plus changelog-backed tables of what was already done, not
from Faust's exactly_once; every agent keeps concurrency 1 so offsets are
never committed past an unprocessed message. Faust flushes its producer
before committing offsets, so a stage's output is acknowledged before its
input counts as done.
"""

from __future__ import annotations

import faust

from streams.agents import deliver, detect, extract, merge
from streams.pipeline import Pipeline
from tocsin.kafka.topics import topics_for
from tocsin.settings import Settings


def build_streams_app(settings: Settings, bootstrap: list[str]) -> faust.App:
    datadir = settings.data_dir / "worker"
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.kafka.app_id,
        broker=[f"kafka://{server}" for server in bootstrap],
        store="memory://",
        datadir=str(datadir),
        autodiscover=False,
        web_enabled=False,
        topic_partitions=settings.kafka.topics.partitions,
        topic_replication_factor=settings.kafka.topics.replication_factor,
        topic_disable_leader=True,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
    )
    pipeline = Pipeline.create(app, settings, topics_for(settings.kafka))
    for stage in (extract, merge, detect, deliver):
        stage.register(pipeline)
    return app
