"""Delivery state: one record per (alert, endpoint) on the compacted deliveries topic.

The latest record for a key is the whole truth about that delivery, so a
restarted deliverer needs nothing but this topic (and the alerts it has not
committed yet) to resume: a retrying or dead record carries the alert itself,
a delivered one only the proof. ``pending`` (before the first attempt's
result) is held in memory only: the alert's uncommitted offset stands for it.
"""

from __future__ import annotations

from enum import StrEnum

from tocsin.records.alert import Alert
from tocsin.records.base import Model, Record, UtcDatetime


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"

    @property
    def final(self) -> bool:
        return self in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD)


class Attempt(Model):
    """One HTTP attempt: ``outcome`` is a bounded token (http_503, timeout, connection, ...)."""

    at: UtcDatetime
    outcome: str
    status: int | None = None
    duration_ms: float


class Delivery(Record):
    SCHEMA = "tocsin.delivery"
    VERSION = 1

    message_id: str  # the webhook-id: the alert id, with ".r<N>" for a later revision
    endpoint: str
    status: DeliveryStatus
    attempts: tuple[Attempt, ...] = ()
    next_at: UtcDatetime | None = None
    alert: Alert | None = None
    replays: int = 0
    reason: str | None = None
    updated_at: UtcDatetime

    @property
    def key(self) -> str:
        return delivery_key(self.message_id, self.endpoint)


def delivery_key(message_id: str, endpoint: str) -> str:
    return f"{message_id}|{endpoint}"
