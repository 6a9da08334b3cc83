"""Alerts: what Tocsin tells its users, with ids stable across replays."""

from __future__ import annotations

import hashlib
from datetime import date
from enum import StrEnum

from tocsin.records.base import Model, Record, UtcDatetime
from tocsin.records.event import AttackEvent
from tocsin.records.report import Metric


class AlertKind(StrEnum):
    RECORD = "record"
    THRESHOLD = "threshold"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class RuleRef(Model):
    name: str
    metric: Metric
    op: str
    value: float


class PreviousRecord(Model):
    """The record a `record` alert broke."""

    value: float
    event_id: str
    night_of: date


class Alert(Record):
    SCHEMA = "tocsin.alert"
    VERSION = 1

    alert_id: str
    kind: AlertKind
    severity: Severity
    metric: Metric
    value: float
    rule: RuleRef | None = None
    event: AttackEvent
    raised_at: UtcDatetime
    previous: PreviousRecord | None = None
    scope: str | None = None
    # A later upward revision re-publishes the same alert id with revision + 1 and updated=True.
    revision: int = 1
    updated: bool = False
    # Optional fields added within version 1 (the webhook contract: consumers ignore what they do not know).
    # A record alert a late report of an earlier night outranked: it no longer stands; ``previous`` names
    # the record that supersedes it (an update of the same id, revision + 1).
    superseded: bool = False
    # Sources disagree on the alerted figure: (lowest, highest) exact claim; ``value`` follows the precedence.
    disputed: tuple[float, float] | None = None


def alert_id(event_id: str, kind: AlertKind, subject: str) -> str:
    """Deterministic id (spec): the same (event, kind, metric or rule) always
    gives the same id, so receivers and Tocsin itself can drop repeats."""
    hashed = hashlib.sha256(f"{event_id}\x1f{kind.value}\x1f{subject}".encode()).hexdigest()
    return f"alert_{hashed[:32]}"
