"""The one place Kafka clients are built, so every producer is idempotent with acks=all and every
client names itself (``tocsin-<role>``, what the broker's logs and quotas see).

Callers pass only what is theirs to tune (batching, timeouts, a consumer group)."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from kafka import KafkaAdminClient

from tocsin.settings import KafkaSettings

# What a caller without the settings at hand sends at most: the settings' default, which the
# topics accept (topics.py sizes them from the same setting).
MAX_RECORD_BYTES: int = KafkaSettings.model_fields["max_record_bytes"].default


def client_id(role: str) -> str:
    return f"tocsin-{role}"


def producer(bootstrap: list[str], role: str, *, max_record_bytes: int = MAX_RECORD_BYTES, **tuning: Any) -> AIOKafkaProducer:
    """Idempotent (no duplicates from retries, order kept per partition), acknowledged by all in-sync
    replicas, sending at most ``kafka.max_record_bytes`` per request."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap, client_id=client_id(role), enable_idempotence=True, acks="all",
        max_request_size=max_record_bytes, **tuning,
    )


def consumer(bootstrap: list[str], role: str, *, group_id: str | None = None, **tuning: Any) -> AIOKafkaConsumer:
    """Offsets are committed by the caller, after its work is acknowledged (never automatically);
    a new group starts from the beginning of its topics. Without a group the caller assigns and seeks."""
    options: dict[str, Any] = ({"auto_offset_reset": "earliest"} if group_id is not None else {}) | tuning
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id=client_id(role), group_id=group_id, enable_auto_commit=False, **options)


def admin(bootstrap: list[str], role: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id(role))


def config_admin(bootstrap: list[str] | str, role: str, **tuning: Any) -> KafkaAdminClient:
    """kafka-python's admin: the only one that alters topic configs (creating and updating topics)."""
    return KafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id(role), **tuning)
