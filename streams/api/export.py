"""Events for other tools: GeoJSON (RFC 7946), the historical dataset's CSV, JSON lines. Pure.

Shared by ``tocsin export`` and the API's ``/export`` route.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from streams.history import write_csv
from tocsin.records import AttackEvent

FORMATS = {"csv": "text/csv", "geojson": "application/geo+json", "jsonl": "application/jsonl"}


def since(events: Iterable[AttackEvent], moment: datetime | None) -> list[AttackEvent]:
    """Events updated at or after the moment, oldest night first; aliases (events merged
    into another, which holds their reports) are left out."""
    chosen = [e for e in events if e.merged_into is None and (moment is None or e.updated_at >= moment)]
    return sorted(chosen, key=lambda e: (e.window.night_of, e.updated_at, e.event_id))


def geojson(events: Iterable[AttackEvent]) -> dict[str, Any]:
    """One Point feature per located place of an event; places without coordinates are left out."""
    features = []
    for event in events:
        figures = {f.metric.value: f.value for f in event.figures}
        for number, place in enumerate(event.locations):
            if place.lat is None or place.lon is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": f"{event.event_id}/{number}",
                    "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                    "properties": {
                        "event_id": event.event_id,
                        "revision": event.revision,
                        "night_of": event.window.night_of.isoformat(),
                        "attacker": event.attacker,
                        "target": event.target,
                        "place": place.name,
                        "iso3166_2": place.iso3166_2,
                        "figures": figures,
                        "sources": [s.source for s in event.sources],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def jsonl(events: Iterable[AttackEvent]) -> Iterator[str]:
    """One ``tocsin.event`` record per line (what ``tocsin backfill --jsonl`` reads)."""
    for event in events:
        yield event.to_bytes().decode() + "\n"


def render(events: list[AttackEvent], fmt: str) -> str:
    if fmt == "csv":
        out = io.StringIO()
        write_csv(events, out)
        return out.getvalue()
    if fmt == "geojson":
        return json.dumps(geojson(events), ensure_ascii=False)
    if fmt == "jsonl":
        return "".join(jsonl(events))
    raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
