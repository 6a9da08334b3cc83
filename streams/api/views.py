"""What the worker API returns, computed from table contents. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from streams.detect import RecordLadder
from tocsin.records import AttackEvent, Metric


@dataclass(frozen=True)
class EventQuery:
    since: datetime | None = None
    target: str | None = None
    metric: Metric = Metric.DRONES_LAUNCHED
    min_value: float | None = None
    limit: int = 50

    def matches(self, event: AttackEvent) -> bool:
        if event.merged_into is not None:
            return False  # an alias: its reports are in the event it names
        if self.since is not None and event.updated_at < self.since:
            return False
        if self.target is not None and event.target != self.target:
            return False
        if self.min_value is not None and (event.value(self.metric) or 0) < self.min_value:
            return False
        return True


def event_summary(event: AttackEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "revision": event.revision,
        "attacker": event.attacker,
        "target": event.target,
        "night_of": event.window.night_of.isoformat(),
        "figures": {f.metric.value: f.value for f in event.figures},
        # Sources disagree: (lowest, highest) exact claim; the figure above is the precedence's pick.
        "disputed": {f.metric.value: list(f.disputed) for f in event.figures if f.disputed},
        "aliases": list(event.aliases),
        "sources": len(event.sources),
        "historical": event.historical,
        "updated_at": event.updated_at.isoformat(),
    }


def recent_events(events: Iterable[AttackEvent], query: EventQuery) -> list[dict[str, Any]]:
    found = sorted((e for e in events if query.matches(e)), key=lambda e: (e.window.night_of, e.updated_at), reverse=True)
    return [event_summary(e) for e in found[: query.limit]]


def current_records(ladders: Iterable[tuple[str, RecordLadder]]) -> dict[str, dict[str, Any]]:
    """{scope: {metric: record}} from the record tables' ``scope|metric`` keys."""
    out: dict[str, dict[str, Any]] = {}
    for key, ladder in ladders:
        scope, _, metric = key.partition("|")
        if not ladder.marks:
            continue
        top = max(ladder.marks, key=lambda m: m.value)
        out.setdefault(scope, {})[metric] = {
            "value": top.value,
            "event_id": top.event_id,
            "night_of": top.night_of.isoformat(),
            "history": [m.model_dump(mode="json") for m in ladder.marks],
        }
    return out
