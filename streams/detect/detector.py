"""One event revision → the alerts it raises and the state it leaves. Pure.

The caller loads the state this event touches (record ladders of its scope,
the alert log entries of its alert ids, cool-down clocks), publishes the
returned alerts, then stores the returned state. Publishing first means a
crash in between re-publishes the same alert id (which the alert log and the
receivers drop) rather than losing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from streams.alert import record_alert, threshold_alert
from streams.detect.records import Mark, RecordLadder, broken_record
from streams.detect.thresholds import cooled_down, event_time, matching_rules
from tocsin.records import Alert, AlertKind, AttackEvent, Metric, Record, alert_id
from tocsin.settings import ThresholdRule


class AlertLogEntry(Record):
    """What was published under one alert id (suppressed: a cool-down held it back, for good)."""

    SCHEMA = "tocsin.detect.alert_log"
    VERSION = 1

    value: float
    revision: int
    suppressed: bool = False


@dataclass
class Detection:
    alerts: list[Alert] = field(default_factory=list)
    ladders: dict[Metric, RecordLadder] = field(default_factory=dict)
    log: dict[str, AlertLogEntry] = field(default_factory=dict)
    cooldowns: dict[str, datetime] = field(default_factory=dict)


def record_alert_id(event: AttackEvent, metric: Metric) -> str:
    return alert_id(event.event_id, AlertKind.RECORD, metric.value)


def threshold_alert_id(event: AttackEvent, rule: ThresholdRule) -> str:
    return alert_id(event.event_id, AlertKind.THRESHOLD, rule.name)


def cooldown_key(rule: ThresholdRule, event: AttackEvent) -> str:
    return f"{rule.name}|{event.target}"


def detect(
    event: AttackEvent,
    *,
    record_metrics: Iterable[Metric],
    rules: Iterable[ThresholdRule],
    ladders: Mapping[Metric, RecordLadder],
    log: Mapping[str, AlertLogEntry],
    cooldowns: Mapping[str, datetime],
    now: datetime,
) -> Detection:
    out = Detection()
    for metric in record_metrics:
        value = event.value(metric)
        if value is None:
            continue
        ladder = ladders.get(metric, RecordLadder())
        mark = Mark(value=value, event_id=event.event_id, night_of=event.window.night_of)
        previous = None if event.historical else broken_record(ladder, mark)
        key = record_alert_id(event, metric)
        logged = log.get(key)
        if previous is not None and (logged is None or value > logged.value):
            revision = logged.revision + 1 if logged else 1
            out.alerts.append(record_alert(event, metric, previous, revision, now))
            out.log[key] = AlertLogEntry(value=value, revision=revision)
        updated = ladder.with_mark(mark)
        if updated != ladder:
            out.ladders[metric] = updated
    if event.historical:
        return out
    for rule in matching_rules(event, rules):
        key = threshold_alert_id(event, rule)
        if key in log:
            continue
        alert = threshold_alert(event, rule, now)
        moment, clock = event_time(event), cooldown_key(rule, event)
        if not cooled_down(rule, cooldowns.get(clock), moment):
            out.log[key] = AlertLogEntry(value=alert.value, revision=0, suppressed=True)
            continue
        out.alerts.append(alert)
        out.log[key] = AlertLogEntry(value=alert.value, revision=1)
        if rule.cooldown_hours is not None:
            out.cooldowns[clock] = moment
    return out
