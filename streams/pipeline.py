"""What every stage's agent is wired with: the app, topics, tables, dead letters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import faust
from faust.types import EventT

from streams.dead_letters import DeadLetters
from tocsin.kafka.decode import decode_or_dead_letter
from tocsin.kafka.topics import TopicSpec, Topics
from tocsin.observability.metrics import RECORDS_CONSUMED
from tocsin.records import Record
from tocsin.settings import Settings

R = TypeVar("R", bound=Record)

_MIB = 1024 * 1024
_STORE_OPTIONS = {"write_buffer_size": 4 * _MIB, "max_write_buffer_number": 2, "block_cache_size": 8 * _MIB}
"""RocksDB per table partition. Faust's defaults (3 × 64 MiB memtables and a 2 GiB block
cache per partition store: 6 tables × 6 partitions here) let RSS grow for a long time;
the tables hold small values, so a few MiB each bound memory without costing reads."""


@dataclass(frozen=True)
class Pipeline:
    app: faust.App
    settings: Settings
    articles: faust.TopicT
    reports: faust.TopicT
    events: faust.TopicT
    alerts: faust.TopicT
    dead_letters: DeadLetters

    @classmethod
    def create(cls, app: faust.App, settings: Settings, topics: Topics) -> Pipeline:
        def topic(spec: TopicSpec) -> faust.TopicT:
            # Raw bytes in and out: the stages decode with the versioned record schemas themselves.
            return app.topic(spec.name, key_serializer="raw", value_serializer="raw", partitions=spec.partitions)

        return cls(
            app=app,
            settings=settings,
            articles=topic(topics.articles),
            reports=topic(topics.reports),
            events=topic(topics.events),
            alerts=topic(topics.alerts),
            dead_letters=DeadLetters(topic(topics.dead_letters)),
        )

    def table(self, name: str, value_serializer: str, default: type | None = None) -> faust.Table:
        """A changelog-backed table, partitioned like the topics so it co-partitions with its stream."""
        schema = faust.Schema(key_type=str, key_serializer="json", value_serializer=value_serializer)
        # The schema covers the changelog; the persistent store picks its codec from
        # value_type instead (bytes → raw, anything else → json).
        return self.app.Table(
            name,
            default=default,
            schema=schema,
            key_type=str,
            value_type=bytes if value_serializer == "raw" else None,
            partitions=self.settings.kafka.topics.partitions,
            options=dict(_STORE_OPTIONS),  # Faust's store pops keys from it: one copy per table
        )

    async def decode(self, stage: str, event: EventT, schema: type[R]) -> R | None:
        """The record, or None after dead-lettering what does not decode (tocsin.kafka.decode)."""
        RECORDS_CONSUMED.labels(stage).inc()
        return await decode_or_dead_letter(schema, stage, event.message, self.dead_letters.sink)
