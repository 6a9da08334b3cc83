"""The one place Kafka clients are built, so every producer is idempotent with acks=all and every
client names itself (``tocsin-<role>``, what the broker's logs and quotas see).

Callers pass only what is theirs to tune (batching, timeouts, a consumer group)."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from kafka import KafkaAdminClient

# aiokafka's default, named: records are far smaller (see tocsin.records.base), and the broker's
# message.max.bytes is 1 MiB as well.
MAX_REQUEST_BYTES = 1024 * 1024


def client_id(role: str) -> str:
    return f"tocsin-{role}"


def producer(bootstrap: list[str], role: str, **tuning: Any) -> AIOKafkaProducer:
    """Idempotent (no duplicates from retries, order kept per partition), acknowledged by all in-sync replicas."""
    options: dict[str, Any] = {"max_request_size": MAX_REQUEST_BYTES, **tuning}
    return AIOKafkaProducer(bootstrap_servers=bootstrap, client_id=client_id(role), enable_idempotence=True, acks="all", **options)


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
