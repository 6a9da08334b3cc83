"""Detections → Alert records with deterministic ids. Pure."""

from __future__ import annotations

from datetime import datetime

from tocsin.records import Alert, AlertKind, AttackEvent, RuleRef, alert_id
from tocsin.settings import ThresholdRule


def threshold_alert(event: AttackEvent, rule: ThresholdRule, now: datetime) -> Alert:
    value = event.value(rule.metric)
    assert value is not None, "only matching rules become alerts"
    return Alert(
        alert_id=alert_id(event.event_id, AlertKind.THRESHOLD, rule.name),
        kind=AlertKind.THRESHOLD,
        severity=rule.severity,
        metric=rule.metric,
        value=value,
        rule=RuleRef(name=rule.name, metric=rule.metric, op=rule.op, value=rule.value),
        event=event,
        raised_at=now,
    )
