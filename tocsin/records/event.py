"""Attack events: the merged view of every report of one attack."""

from __future__ import annotations

from tocsin.records.article import SourceKind
from tocsin.records.base import Model, Record, UtcDatetime, WebUrl
from tocsin.records.report import Figure, Location, Metric, Qualifier, RecordClaim, WeaponCount, Window


class EventFigure(Model):
    """The event's figure for one metric and every source claim behind it."""

    metric: Metric
    value: float
    qualifier: Qualifier
    claims: tuple[Figure, ...]
    # Sources disagree beyond the dispute tolerance: (lowest, highest) exact claim; ``value`` is the one
    # the precedence picked, ``claims`` holds every source's.
    disputed: tuple[float, float] | None = None
    # Computed from other figures (aerial weapons = drones + missiles), not claimed.
    derived: bool = False


class EventSource(Model):
    article_id: str
    source: str
    kind: SourceKind
    published_at: UtcDatetime | None = None
    url: WebUrl = None


class AttackEvent(Record):
    SCHEMA = "tocsin.event"
    VERSION = 2
    READS_OLDER = (1,)  # v1 had no aliases, merged_into, separate_wave

    event_id: str
    revision: int
    attacker: str
    target: str
    window: Window
    figures: tuple[EventFigure, ...] = ()
    weapons: tuple[WeaponCount, ...] = ()
    locations: tuple[Location, ...] = ()
    record_claims: tuple[RecordClaim, ...] = ()
    sources: tuple[EventSource, ...]
    updated_at: UtcDatetime
    first_raw_arrived_at: UtcDatetime | None = None
    # When the report behind this revision reached the raw topic (alert latency).
    last_raw_arrived_at: UtcDatetime | None = None
    # Seeded by `tocsin backfill`: feeds record history, never raises alerts.
    historical: bool = False
    # Later events found to be this same attack (a report bridged them): their ids, merged into this one.
    aliases: tuple[str, ...] = ()
    # Set on an alias: this id's reports now live in that event (the record stays, so the id keeps resolving).
    merged_into: str | None = None
    # Opened by a report naming a further wave of its night: never merged with the night's first wave.
    separate_wave: bool = False

    def figure(self, metric: Metric) -> EventFigure | None:
        return next((f for f in self.figures if f.metric is metric), None)

    def value(self, metric: Metric) -> float | None:
        figure = self.figure(metric)
        return figure.value if figure else None
