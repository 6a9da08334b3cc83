"""A realistic alert (the 4 July 2025 attack) for `tocsin webhooks test` and the renderer snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tocsin.records import (
    Alert,
    AlertKind,
    AttackEvent,
    EventFigure,
    EventSource,
    Evidence,
    Figure,
    Location,
    Metric,
    PreviousRecord,
    Qualifier,
    RuleRef,
    Severity,
    SourceKind,
    TextField,
    Window,
    alert_id,
)

_NIGHT = date(2025, 7, 4)
_RAISED = datetime(2025, 7, 4, 6, 12, 30, tzinfo=UTC)


def _figure(metric: Metric, value: float, text: str) -> EventFigure:
    evidence = Evidence(field=TextField.BODY, start=0, end=len(text), text=text)
    claim = Figure(metric=metric, value=value, evidence=evidence, article_id="art_sample_airforce")
    return EventFigure(metric=metric, value=value, qualifier=Qualifier.EXACT, claims=(claim,))


def sample_event() -> AttackEvent:
    return AttackEvent(
        event_id="evt_sample_20250704",
        revision=3,
        attacker="RU",
        target="UA",
        window=Window(start=datetime(2025, 7, 3, 20, 0, tzinfo=UTC), end=datetime(2025, 7, 4, 3, 0, tzinfo=UTC), night_of=_NIGHT),
        figures=(
            _figure(Metric.DRONES_LAUNCHED, 539, "539 Shahed-type attack drones and decoys"),
            _figure(Metric.DRONES_NEUTRALIZED, 476, "476 drones were neutralised"),
            _figure(Metric.MISSILES_LAUNCHED, 11, "11 missiles"),
            _figure(Metric.INJURED, 23, "23 people were injured"),
        ),
        locations=(Location(name="Kyiv", iso3166_2="UA-30"), Location(name="Kyiv Oblast", iso3166_2="UA-32")),
        sources=(
            EventSource(article_id="art_sample_airforce", source="Ukrainian Air Force", kind=SourceKind.AIR_FORCE,
                        published_at=datetime(2025, 7, 4, 6, 5, tzinfo=UTC), url="https://t.me/kpszsu/sample"),
            EventSource(article_id="art_sample_wire", source="Example Wire", kind=SourceKind.MEDIA,
                        published_at=datetime(2025, 7, 4, 6, 10, tzinfo=UTC), url="https://news.example/attack-0704"),
        ),
        updated_at=_RAISED,
    )


def sample_alert(kind: AlertKind = AlertKind.THRESHOLD, *, id_override: str | None = None) -> Alert:
    event = sample_event()
    if kind is AlertKind.RECORD:
        return Alert(
            alert_id=id_override or alert_id(event.event_id, kind, Metric.DRONES_LAUNCHED.value),
            kind=kind, severity=Severity.CRITICAL, metric=Metric.DRONES_LAUNCHED, value=539, event=event,
            raised_at=_RAISED, previous=PreviousRecord(value=479, event_id="evt_sample_20250609", night_of=date(2025, 6, 9)),
        )
    rule = RuleRef(name="massive-drone-attack", metric=Metric.DRONES_LAUNCHED, op=">=", value=400)
    return Alert(
        alert_id=id_override or alert_id(event.event_id, kind, rule.name),
        kind=kind, severity=Severity.CRITICAL, metric=Metric.DRONES_LAUNCHED, value=539, rule=rule, event=event,
        raised_at=_RAISED,
    )
