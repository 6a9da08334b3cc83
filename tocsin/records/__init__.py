"""Kafka record schemas (explicit, versioned, JSON)."""

from tocsin.records.alert import Alert, AlertKind, PreviousRecord, RuleRef, Severity, alert_id
from tocsin.records.article import Article, ArticleSource, SourceKind
from tocsin.records.base import LARGEST_RECORD_BYTES, Record, utc_now
from tocsin.records.dead_letter import DeadLetter
from tocsin.records.delivery import Attempt, Delivery, DeliveryStatus, delivery_key
from tocsin.records.event import AttackEvent, EventFigure, EventSource
from tocsin.records.exceptions import RecordError
from tocsin.records.report import (
    Evidence,
    ExtractionReport,
    Figure,
    Location,
    Metric,
    Qualifier,
    RecordClaim,
    TextField,
    WeaponCount,
    Window,
)

__all__ = [
    "LARGEST_RECORD_BYTES",
    "Alert",
    "AlertKind",
    "Attempt",
    "Article",
    "ArticleSource",
    "AttackEvent",
    "DeadLetter",
    "Delivery",
    "DeliveryStatus",
    "EventFigure",
    "EventSource",
    "Evidence",
    "ExtractionReport",
    "Figure",
    "Location",
    "Metric",
    "PreviousRecord",
    "Qualifier",
    "Record",
    "RecordClaim",
    "RecordError",
    "RuleRef",
    "Severity",
    "SourceKind",
    "TextField",
    "WeaponCount",
    "Window",
    "alert_id",
    "delivery_key",
    "utc_now",
]
