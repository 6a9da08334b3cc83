"""What the worker API returns, computed from table contents. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from streams.detect import RecordLadder
from tocsin.records import AttackEvent, Metric


@dataclass(frozen=True)
class EventQuery:
    since: datetime | None = None
    until: date | None = None  # nights on or before
    target: str | None = None
    metric: Metric = Metric.DRONES_LAUNCHED
    min_value: float | None = None
    limit: int = 50

    @classmethod
    def from_params(cls, params: Mapping[str, str], limit: int) -> EventQuery:
        """The filters of ``GET /events`` and the page; a ValueError names the parameter and what it must be."""
        return cls(
            since=since_param(params),
            until=_param(params, "until", _date),
            target=params.get("target"),
            metric=_param(params, "metric", _metric) or Metric.DRONES_LAUNCHED,
            min_value=_param(params, "min", _finite),
            limit=limit,
        )

    def matches(self, event: AttackEvent) -> bool:
        if event.merged_into is not None:
            return False  # an alias: its reports are in the event it names
        if self.since is not None and event.updated_at < self.since:
            return False
        if self.until is not None and event.window.night_of > self.until:
            return False
        if self.target is not None and event.target != self.target:
            return False
        if self.min_value is not None and (event.value(self.metric) or 0) < self.min_value:
            return False
        return True


MAX_LIMIT = 500  # what /openapi.json documents


def since_param(params: Mapping[str, str]) -> datetime | None:
    return _param(params, "since", _aware_datetime)


def limit_param(params: Mapping[str, str], default: int) -> int:
    return _param(params, "limit", _limit) or default


def _param(params: Mapping[str, str], name: str, parse: Any) -> Any:
    if name not in params:
        return None
    try:
        return parse(params[name])
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _aware_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError("needs a UTC offset, e.g. 2025-07-04T00:00:00Z")
    return moment


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD)") from None


def _metric(text: str) -> Metric:
    try:
        return Metric(text)
    except ValueError:
        raise ValueError(f"not one of {', '.join(m.value for m in Metric)}") from None


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError("not an integer") from None
    if not 1 <= value <= MAX_LIMIT:
        raise ValueError(f"must be between 1 and {MAX_LIMIT}")
    return value


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
