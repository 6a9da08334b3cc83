"""The topics Tocsin owns, and the admin step that creates them idempotently.

Partitions, retention and cleanup policy are explicit here rather than left
to broker defaults, so a fresh cluster and a long-lived one agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from tocsin.kafka import clients
from tocsin.kafka.exceptions import KafkaSetupError
from tocsin.records import Alert, Article, AttackEvent, DeadLetter, Delivery, ExtractionReport, Record
from tocsin.records.feed import FeedDefinition
from tocsin.records.feed_state import FeedState
from tocsin.settings import KafkaSettings

log = structlog.get_logger(__name__)

_HOUR_MS = 3_600_000
# What a record batch adds to its records (headers, per-record framing): the topics accept
# kafka.max_record_bytes plus this, so a producer sending records up to that size is never refused.
BATCH_OVERHEAD_BYTES = 64 * 1024
EVENTS_COMPACTION_LAG_HOURS = 24


R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class TopicSpec(Generic[R]):
    name: str
    partitions: int
    replication_factor: int
    config: Mapping[str, str]
    # What its values are: readers decode with it (it reads the previous version too). None for a
    # Faust changelog, whose values are the table's own.
    record: type[R] | None = None


@dataclass(frozen=True)
class Topics:
    """The pipeline's topics, in flow order."""

    articles: TopicSpec[Article]
    reports: TopicSpec[ExtractionReport]
    events: TopicSpec[AttackEvent]
    alerts: TopicSpec[Alert]
    dead_letters: TopicSpec[DeadLetter]
    # The pollers' own: feed definitions and per-feed state, both keyed by feed id
    # with the same partition count, so a feed's state lives in its feed's partition.
    feeds: TopicSpec[FeedDefinition]
    feed_state: TopicSpec[FeedState]
    # The deliverer's: the latest state of every (alert, endpoint) delivery.
    deliveries: TopicSpec[Delivery]

    def all(self) -> tuple[TopicSpec, ...]:
        return (self.articles, self.reports, self.events, self.alerts, self.dead_letters, self.feeds, self.feed_state, self.deliveries)


def deliver_group(settings: KafkaSettings) -> str:
    """The deliverer's consumer group (the stream worker's is the Faust app id itself)."""
    return f"{settings.app_id}.deliver"


def topics_for(settings: KafkaSettings) -> Topics:
    t = settings.topics

    def spec(suffix: str, record: type[R], **config: str) -> TopicSpec[R]:
        sized = {"max.message.bytes": str(settings.max_record_bytes + BATCH_OVERHEAD_BYTES), **config}
        return TopicSpec(f"{t.prefix}.{suffix}", t.partitions, t.replication_factor, sized, record)

    def deleted_after(hours: float) -> dict[str, str]:
        return {"cleanup.policy": "delete", "retention.ms": str(int(hours * _HOUR_MS))}

    return Topics(
        articles=spec("articles", Article, **deleted_after(t.articles_retention_hours), **{"compression.type": "producer"}),
        reports=spec("reports", ExtractionReport, **deleted_after(t.reports_retention_hours)),
        # Compacted: the latest revision of every event is kept for ever. Not within the first day,
        # though: the detect stage consumes this topic, and Faust stops committing a partition at
        # the first offset gap it meets (faust-streaming#378, #606), which compaction would leave
        # wherever detect is behind.
        events=spec("events", AttackEvent, **{"cleanup.policy": "compact", "min.compaction.lag.ms": str(EVENTS_COMPACTION_LAG_HOURS * _HOUR_MS)}),
        alerts=spec("alerts", Alert, **deleted_after(t.alerts_retention_hours)),
        dead_letters=spec("dead-letters", DeadLetter, **deleted_after(t.dead_letters_retention_hours)),
        feeds=spec("feeds", FeedDefinition, **{"cleanup.policy": "compact"}),
        feed_state=spec("feed-state", FeedState, **{"cleanup.policy": "compact"}),
        # Compacted and kept: a delivered alert is never sent to that endpoint again.
        deliveries=spec("deliveries", Delivery, **{"cleanup.policy": "compact"}),
    )


@dataclass(frozen=True)
class EnsureResult:
    created: tuple[str, ...]
    existing: tuple[str, ...]


def ensure_topics(bootstrap: list[str], specs: Iterable[TopicSpec], *, role: str = "admin") -> EnsureResult:
    """Create missing topics and bring existing ones to the declared config."""
    specs = list(specs)
    try:
        admin = clients.config_admin(bootstrap, role, request_timeout_ms=30_000)
    except KafkaError as exc:
        raise KafkaSetupError(f"cannot reach Kafka at {','.join(bootstrap)}: {exc}") from exc
    try:
        response = admin.create_topics(
            {
                s.name: {
                    "num_partitions": s.partitions,
                    "replication_factor": s.replication_factor,
                    "configs": dict(s.config),
                }
                for s in specs
            },
            raise_errors=False,
            timeout_ms=30_000,
        )
        created, existing = [], []
        for topic in response["topics"]:
            error = for_code(topic["error_code"])
            if error is TopicAlreadyExistsError:
                existing.append(topic["name"])
            elif topic["error_code"]:
                raise KafkaSetupError(f"cannot create topic {topic['name']}: {error.__name__}: {topic.get('error_message')}")
            else:
                created.append(topic["name"])
        by_name = {s.name: s for s in specs}
        if existing:
            # raise_on_unknown off: the client checks keys against the topic's described dynamic
            # configs, which are still empty for a topic another process created a moment ago (two
            # workers starting together); the broker itself still refuses an invalid key.
            admin.alter_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name, configs=dict(by_name[name].config)) for name in existing],
                raise_on_unknown=False,
            )
            _warn_on_partition_mismatch(admin, [by_name[n] for n in existing])
        if created:
            admin.wait_for_topics(created, timeout_ms=30_000)
        log.info("topics ensured", created=created, existing=existing)
        return EnsureResult(tuple(created), tuple(existing))
    except KafkaError as exc:
        raise KafkaSetupError(f"topic setup failed: {exc}") from exc
    finally:
        admin.close()


def _warn_on_partition_mismatch(admin: KafkaAdminClient, specs: list[TopicSpec]) -> None:
    # Changing a keyed topic's partition count re-routes keys, so it is never done silently.
    for description in admin.describe_topics([s.name for s in specs]):
        # kafka-python 3 names the topic "name" (MetadataResponse v1+); older versions "topic".
        name = description.get("name") or description.get("topic")
        spec = next(s for s in specs if s.name == name)
        actual = len(description["partitions"])
        if actual != spec.partitions:
            log.warning("topic partition count differs from settings", topic=spec.name, actual=actual, configured=spec.partitions)
