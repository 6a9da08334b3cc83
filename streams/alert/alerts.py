"""Detections → Alert records with deterministic ids. Pure."""

from __future__ import annotations

from datetime import datetime

from tocsin.records import Alert, AlertKind, AttackEvent, Metric, PreviousRecord, RuleRef, Severity, alert_id
from tocsin.settings import ThresholdRule


def threshold_alert(event: AttackEvent, rule: ThresholdRule, now: datetime) -> Alert:
    value = event.value(rule.metric)
    assert value is not None, "only matching rules become alerts"
    return Alert(
        alert_id=alert_id(event.event_id, AlertKind.THRESHOLD, rule.name),
        disputed=_dispute(event, rule.metric),
        kind=AlertKind.THRESHOLD,
        severity=rule.severity,
        metric=rule.metric,
        value=value,
        rule=RuleRef(name=rule.name, metric=rule.metric, op=rule.op, value=rule.value),
        event=event,
        raised_at=now,
        scope=event.target,
    )


def record_alert(
    event: AttackEvent, metric: Metric, previous: PreviousRecord, revision: int, now: datetime, record_id: str
) -> Alert:
    """Revision 1 is the record; later revisions update the same alert id with a higher figure. The id is
    the attack's: its own event's, or an alias's that raised it before the events merged."""
    value = event.value(metric)
    assert value is not None, "only a present figure breaks a record"
    return Alert(
        alert_id=record_id,
        disputed=_dispute(event, metric),
        kind=AlertKind.RECORD,
        severity=Severity.CRITICAL,
        metric=metric,
        value=value,
        event=event,
        raised_at=now,
        previous=previous,
        scope=event.target,
        revision=revision,
        updated=revision > 1,
    )


def revised_alert(
    last: Alert, previous: PreviousRecord, now: datetime, *, superseded: bool, event: AttackEvent | None = None
) -> Alert:
    """The next revision of a published record alert, under its id: superseded by ``previous`` (it no longer
    stands), or naming ``previous`` as the record it broke; with ``event``, as of that event revision."""
    changes: dict[str, object] = {"revision": last.revision + 1, "updated": True, "superseded": superseded, "previous": previous, "raised_at": now}
    if event is not None:
        value = event.value(last.metric)
        changes |= {"event": event, "value": last.value if value is None else value, "disputed": _dispute(event, last.metric)}
    return last.model_copy(update=changes)


def _dispute(event: AttackEvent, metric: Metric) -> tuple[float, float] | None:
    figure = event.figure(metric)
    return figure.disputed if figure else None
