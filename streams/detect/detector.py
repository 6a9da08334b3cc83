"""One event revision → the alerts it raises and the state it leaves. Pure.

The caller loads the state this event touches (record ladders of its scope,
the alert log entries of its alert ids, cool-down clocks), publishes the
returned alerts, then stores the returned state. Publishing first means a
crash in between re-publishes the same alert id (which the alert log and the
receivers drop) rather than losing it.

One alert per attack and rule (or metric, for records): an event that absorbed
others (its ``aliases``) owns the alerts raised under their ids, so none is
raised again under its own; an alias record itself (``merged_into``) only
gives its marks up. A late report of an earlier night that outranks a later
night's record alert publishes an update of that alert under its own id
(``superseded``, or a new ``previous``), never a second alert; so does an
attack whose own figure the precedence moved below the record it had broken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from streams.alert import record_alert, revised_alert, threshold_alert
from streams.detect.ladder import Mark, RecordLadder, broken_record, outranked
from streams.detect.thresholds import cooled_down, event_time, matching_rules
from tocsin.records import Alert, AlertKind, AttackEvent, Metric, PreviousRecord, Record, alert_id
from tocsin.settings import ThresholdRule


class AlertLogEntry(Record):
    """What was published under one alert id (suppressed: a cool-down held it back, for good)."""

    SCHEMA = "tocsin.detect.alert_log"
    VERSION = 2
    READS_OLDER = (1,)  # v1 entries kept no alert

    value: float
    revision: int
    suppressed: bool = False
    # A record alert as last published, so that a later-arriving earlier night can update it.
    alert: Alert | None = None


@dataclass
class Detection:
    alerts: list[Alert] = field(default_factory=list)
    ladders: dict[Metric, RecordLadder] = field(default_factory=dict)
    log: dict[str, AlertLogEntry] = field(default_factory=dict)
    cooldowns: dict[str, datetime] = field(default_factory=dict)


def record_alert_id(event_id: str, metric: Metric) -> str:
    return alert_id(event_id, AlertKind.RECORD, metric.value)


def threshold_alert_id(event_id: str, rule: ThresholdRule) -> str:
    return alert_id(event_id, AlertKind.THRESHOLD, rule.name)


def cooldown_key(rule: ThresholdRule, event: AttackEvent) -> str:
    return f"{rule.name}|{event.target}"


def detect(
    event: AttackEvent,
    *,
    record_metrics: Iterable[Metric],
    rules: Iterable[ThresholdRule],
    ladders: Mapping[Metric, RecordLadder],
    log: Callable[[str], AlertLogEntry | None],
    cooldowns: Mapping[str, datetime],
    now: datetime,
) -> Detection:
    """``log`` looks an alert id up in the alert log (any id: a superseded alert may be another event's)."""
    out = Detection()

    def logged(key: str) -> AlertLogEntry | None:
        return out.log.get(key) or log(key)

    def attack_alert(ids: list[str]) -> tuple[str, AlertLogEntry | None]:
        """The attack's alert among its ids' (its own first, then its aliases'), else its own id."""
        return next(((k, entry) for k in ids if (entry := logged(k)) is not None), (ids[0], None))

    for metric in record_metrics:
        ladder = ladders.get(metric, RecordLadder())
        if event.merged_into is not None:
            _store(out, metric, ladder, ladder.without({event.event_id}))
            continue
        base = ladder.without(event.aliases)
        value = event.value(metric)
        if value is None:
            _store(out, metric, ladder, base)
            continue
        key, entry = attack_alert([record_alert_id(i, metric) for i in (event.event_id, *event.aliases)])
        mark = Mark(value=value, event_id=event.event_id, night_of=event.window.night_of, alert_id=key if entry else None)
        previous = None if event.historical else broken_record(base, mark)
        withdrawn = entry is not None and entry.alert is not None and entry.alert.superseded
        if previous is not None and (entry is None or value != entry.value or withdrawn):
            revision = entry.revision + 1 if entry else 1
            alert = record_alert(event, metric, previous, revision, now, key)
            out.alerts.append(alert)
            out.log[key] = AlertLogEntry(value=value, revision=revision, alert=alert)
            mark = mark.model_copy(update={"alert_id": key})
        elif previous is None and entry is not None and not withdrawn and not event.historical:
            # The precedence moved the attack's figure down to or below the record it had broken
            # (a higher-ranked source reports less): its record alert no longer stands.
            standing = base.previous(event.event_id, event.window.night_of)
            if standing is not None:
                _update(out, key, entry, standing.record(), now, superseded=True, event=event)
        updated = base.with_mark(mark)
        dropped, successor = outranked(base, updated, mark)
        for other in dropped:
            _update(out, other.alert_id, logged(other.alert_id or ""), mark.record(), now, superseded=True)
        if successor is not None:
            _update(out, successor.alert_id, logged(successor.alert_id or ""), mark.record(), now, superseded=False)
        _store(out, metric, ladder, updated)
    if event.historical or event.merged_into is not None:
        return out
    for rule in matching_rules(event, rules):
        key, entry = attack_alert([threshold_alert_id(i, rule) for i in (event.event_id, *event.aliases)])
        if entry is not None:
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


def _store(out: Detection, metric: Metric, loaded: RecordLadder, ladder: RecordLadder) -> None:
    if ladder != loaded:
        out.ladders[metric] = ladder


def _update(
    out: Detection,
    key: str | None,
    entry: AlertLogEntry | None,
    previous: PreviousRecord,
    now: datetime,
    *,
    superseded: bool,
    event: AttackEvent | None = None,
) -> None:
    """Re-publish the record alert ``key`` under its own id: superseded by ``previous``, or naming it as the
    record it broke; with ``event``, as of that revision. Nothing when it already says so (a redelivery)."""
    if key is None or entry is None or entry.alert is None:
        return  # raised before the log kept alerts: nothing to re-publish it from
    last = entry.alert
    if last.superseded == superseded and last.previous == previous:
        return
    alert = revised_alert(last, previous, now, superseded=superseded, event=event)
    out.alerts.append(alert)
    out.log[key] = entry.model_copy(update={"revision": alert.revision, "alert": alert})
