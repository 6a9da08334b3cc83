"""A worker's API data held in memory: the same routes as a worker's, over lists instead of tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from streams.api.page import FeedHealth
from streams.api.sources import SourceUnavailable
from streams.detect import RecordLadder
from streams.detect import Mark
from streams.history import events_from_csv
from tocsin.records import (
    Alert, AlertKind, AttackEvent, EventFigure, EventSource, Evidence, Figure, Location, Metric, PreviousRecord,
    Qualifier, Severity, SourceKind, TextField, Window, alert_id,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _claim(metric: Metric, value: float, text: str, article: str) -> Figure:
    return Figure(metric=metric, value=value, evidence=Evidence(field=TextField.BODY, start=0, end=len(text), text=text), article_id=article)


def live_event() -> AttackEvent:
    """The 4 July 2025 attack as two outlets reported it, one figure disputed."""
    sources = (
        EventSource(article_id="art-1", source="Air Force of Ukraine", kind=SourceKind.AIR_FORCE, url="https://example.org/af/539"),
        EventSource(article_id="art-2", source="Wire service", kind=SourceKind.MEDIA, url="https://example.org/wire/1"),
    )
    figures = (
        EventFigure(metric=Metric.DRONES_LAUNCHED, value=539, qualifier=Qualifier.EXACT,
                    claims=(_claim(Metric.DRONES_LAUNCHED, 539, "539 attack drones", "art-1"), _claim(Metric.DRONES_LAUNCHED, 539, "539 drones", "art-2"))),
        EventFigure(metric=Metric.DRONES_NEUTRALIZED, value=476, qualifier=Qualifier.EXACT, disputed=(460, 476),
                    claims=(_claim(Metric.DRONES_NEUTRALIZED, 476, "neutralised 476", "art-1"), _claim(Metric.DRONES_NEUTRALIZED, 460, "460 downed", "art-2"))),
        EventFigure(metric=Metric.MISSILES_LAUNCHED, value=11, qualifier=Qualifier.EXACT, claims=(_claim(Metric.MISSILES_LAUNCHED, 11, "11 missiles", "art-1"),)),
    )
    return AttackEvent(
        event_id="evt_live_0704", revision=2, attacker="RU", target="UA",
        window=Window(start=datetime(2025, 7, 3, 20, tzinfo=UTC), end=datetime(2025, 7, 4, 3, tzinfo=UTC), night_of=date(2025, 7, 4)),
        figures=figures,
        locations=(Location(name="Kyiv", iso3166_2="UA-30", lat=50.45, lon=30.52), Location(name="somewhere unknown")),
        sources=sources, updated_at=datetime(2025, 7, 4, 7, tzinfo=UTC),
    )


def history() -> list[AttackEvent]:
    with (FIXTURES / "attacks_2025.csv").open(newline="") as lines:
        return [e for e in events_from_csv(lines) if e.window.night_of < date(2025, 7, 4)]


def alerts_for(event: AttackEvent) -> list[Alert]:
    raised = event.updated_at + timedelta(seconds=2)
    record = Alert(
        alert_id=alert_id(event.event_id, AlertKind.RECORD, Metric.DRONES_LAUNCHED.value), kind=AlertKind.RECORD, severity=Severity.CRITICAL,
        metric=Metric.DRONES_LAUNCHED, value=539, event=event, raised_at=raised, scope="UA",
        previous=PreviousRecord(value=479, event_id="evt_0609", night_of=date(2025, 6, 9)),
    )
    threshold = Alert(
        alert_id=alert_id(event.event_id, AlertKind.THRESHOLD, "many"), kind=AlertKind.THRESHOLD, severity=Severity.WARNING,
        metric=Metric.MISSILES_LAUNCHED, value=11, event=event, raised_at=raised + timedelta(seconds=1),
    )
    return [record, threshold]


@dataclass
class MemoryData:
    stored: list[AttackEvent] = field(default_factory=list)
    raised: list[Alert] = field(default_factory=list)
    feed_rows: list[FeedHealth] = field(default_factory=list)
    is_ready: bool = True
    kafka_down: bool = False

    def events(self) -> Iterable[AttackEvent]:
        return list(self.stored)

    def event(self, event_id: str) -> AttackEvent | None:
        return next((e for e in self.stored if e.event_id == event_id), None)

    def revisions(self, event_id: str) -> list[dict[str, Any]]:
        found = self.event(event_id)
        return [] if found is None else [{"revision": found.revision, "updated_at": found.updated_at.isoformat(), "figures": {}}]

    def ladders(self) -> Iterable[tuple[str, RecordLadder]]:
        ladder = RecordLadder()
        for event in sorted(self.stored, key=lambda e: e.window.night_of):
            if (value := event.value(Metric.DRONES_LAUNCHED)) is not None:
                ladder = ladder.with_mark(Mark(value=value, event_id=event.event_id, night_of=event.window.night_of))
        return [("UA|drones_launched", ladder)]

    def ready(self) -> bool:
        return self.is_ready

    async def alerts(self) -> list[Alert]:
        if self.kafka_down:
            raise SourceUnavailable("KafkaConnectionError: test")
        return list(self.raised)

    async def feeds(self) -> list[FeedHealth]:
        if self.kafka_down:
            raise SourceUnavailable("KafkaConnectionError: test")
        return list(self.feed_rows)


def sample() -> MemoryData:
    live = live_event()
    now = datetime(2025, 7, 4, 8, tzinfo=UTC)
    return MemoryData(
        stored=[*history(), live],
        raised=alerts_for(live),
        feed_rows=[
            FeedHealth("Air Force", "https://example.org/af.xml", now, None, None, 0, False),
            FeedHealth("Gone away", "https://example.org/gone.xml", now - timedelta(hours=5), "HTTP 404", now, 7, True),
        ],
    )
