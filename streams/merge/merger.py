"""Reports of one attack → one event, revised as reports arrive. Pure.

Which event a report belongs to (``merge_into``): the same attacker and target
(guaranteed by the partition key), the same night — or, when the report has
no explicit window and its night is inferred from the publication time, the
night before, since a follow-up published the next day about "last night" is
about that night — and compatible size figures (launch counts within
``SIZE_TOLERANCE``), so a smaller attack the next night is a new event. The
events of the last ``OPEN_NIGHTS`` nights are indexed; a report of an older
night (late, or replayed out of order) is matched the same way against that
night's events, read by their deterministic ids.

Precedence for an event's figure (spec: "a documented precedence"): the
target's air force over other officials over the media; then the later
report; then an exact figure over a hedged one. Every claim stays on the
event; exact claims further apart than ``DISPUTE_TOLERANCE`` mark the figure
as disputed with their range.
"""

from __future__ import annotations

import hashlib
from functools import cache
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from streams.merge.keys import pair_key
from streams.merge.state import SIZE_METRICS, OpenEvent
from tocsin.records import (
    AttackEvent,
    EventFigure,
    EventSource,
    ExtractionReport,
    Figure,
    Location,
    Metric,
    Qualifier,
    SourceKind,
    Window,
)

_KYIV = ZoneInfo("Europe/Kyiv")
_SOURCE_RANK = {SourceKind.AIR_FORCE: 2, SourceKind.OFFICIAL: 1, SourceKind.MEDIA: 0}
SIZE_TOLERANCE = 0.35
"""Launch counts further apart than this (relative) are different attacks."""
DISPUTE_TOLERANCE = 0.05
"""Exact claims further apart than this (relative) are shown as a dispute."""
OPEN_NIGHTS = 3
"""Events older than this many nights before the newest are closed (no longer merged into)."""
SOURCES_KEPT = 200
"""An event keeps at most this many sources (with their claims): Kafka refuses records over 1 MB,
and every report of an event decodes it, so an event must not grow with its coverage."""


def report_window(report: ExtractionReport) -> Window:
    if report.window is not None:
        return report.window
    moment = report.published_at or datetime.now(_KYIV)
    return Window(night_of=moment.astimezone(_KYIV).date())


def event_id_of(report: ExtractionReport, night: date, ordinal: int) -> str:
    """Deterministic: scope, night and how many events that night already had when this one
    opened (the merge stage sees a scope's reports in partition order, so a replay gives every
    event the same id)."""
    key = f"{pair_key(report)}@{night.isoformat()}" + (f"#{ordinal}" if ordinal else "")
    return "evt_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def still_open(events: Sequence[OpenEvent]) -> list[OpenEvent]:
    if not events:
        return []
    newest = max(e.night_of for e in events)
    return [e for e in events if _open(e.night_of, newest)]


def _open(night: date, newest: date) -> bool:
    return (newest - night).days < OPEN_NIGHTS


def merge_into(
    open_events: Sequence[OpenEvent], report: ExtractionReport, now: datetime, stored: Callable[[str], AttackEvent | None]
) -> tuple[AttackEvent, list[OpenEvent]] | None:
    """The report's event's next revision and the pair's open events after it; None when the report is
    already in that event. ``stored`` looks an event up by id (the events table).

    The open events are an index of the recent nights, so that a report usually reads one event.
    A report of an older night (late, replayed out of order, or behind a misdated report that
    moved the newest night on) is matched the same way against that night's events, found by
    their deterministic ids."""
    newest = max((e.night_of for e in open_events), default=None)
    lookup = cache(stored)  # an older night's events are read once, whether matched or counted

    @cache
    def events_of(night: date) -> list[OpenEvent]:
        """The night's events in the order they opened."""
        if newest is None or _open(night, newest):
            return [e for e in open_events if e.night_of == night]
        found: list[OpenEvent] = []
        while (event := lookup(event_id_of(report, night, len(found)))) is not None:
            found.append(OpenEvent.of(event))
        return found

    night = report_window(report).night_of
    # Without a window of its own, a report published the next day may be about "last night".
    nights = (night,) if report.window is not None else (night, night - timedelta(days=1))
    found = next((e for n in nights for e in reversed(events_of(n)) if _compatible(e, report)), None)
    event_id = found.event_id if found else event_id_of(report, night, len(events_of(night)))
    current = lookup(event_id) if found else None
    revised = merge_report(current, report, now, event_id)
    if revised is None:
        return None
    others = [e for e in open_events if e.event_id != event_id]
    return revised, still_open([*others, OpenEvent.of(revised)])


def _claim(figure: Figure) -> tuple[Metric, float, str]:
    return figure.metric, figure.value, figure.qualifier


def _claims_of(event: AttackEvent, article_id: str) -> set[tuple[Metric, float, str]]:
    return {_claim(c) for f in event.figures if not f.derived for c in f.claims if c.article_id == article_id}


def merge_report(current: AttackEvent | None, report: ExtractionReport, now: datetime, event_id: str) -> AttackEvent | None:
    """Return the event's next revision, or None when the report is already in
    it (a redelivered report must not create a revision)."""
    if current is not None and any(s.article_id == report.article_id for s in current.sources):
        if _claims_of(current, report.article_id) == {_claim(f) for f in report.figures}:
            return None  # redelivered, or republished unchanged
        # The article was edited (a Telegram post corrected, say): its new figures replace its old ones.
        current = current.model_copy(
            update={
                "sources": tuple(s for s in current.sources if s.article_id != report.article_id),
                "figures": tuple(
                    f.model_copy(update={"claims": tuple(c for c in f.claims if c.article_id != report.article_id)}) for f in current.figures
                ),
            }
        )
    source = EventSource(
        article_id=report.article_id,
        source=report.source,
        kind=report.source_kind,
        published_at=report.published_at,
        url=report.article_url,
    )
    sources = (current.sources if current else ()) + (source,)
    claims: dict[Metric, list[Figure]] = {f.metric: list(f.claims) for f in current.figures if not f.derived and f.claims} if current else {}
    for figure in report.figures:
        claims.setdefault(figure.metric, []).append(figure)
    if len(sources) > SOURCES_KEPT:
        sources = _bounded(sources, keep={_best(found, sources).article_id for found in claims.values()})
        kept = {s.article_id for s in sources}
        claims = {metric: [c for c in found if c.article_id in kept] for metric, found in claims.items()}
    figures = [_reconcile(metric, found, sources) for metric, found in claims.items()]
    return AttackEvent(
        event_id=current.event_id if current else event_id,
        revision=current.revision + 1 if current else 1,
        attacker=report.attacker or "",
        target=report.target or "",
        window=current.window if current else report_window(report),
        figures=tuple(sorted(_with_derived(figures), key=lambda f: f.metric)),
        weapons=report.weapons or (current.weapons if current else ()),
        locations=_union(current.locations if current else (), report.locations),
        record_claims=((current.record_claims if current else ()) + report.record_claims)[-SOURCES_KEPT:],
        sources=sources,
        updated_at=now,
        first_raw_arrived_at=current.first_raw_arrived_at if current else report.raw_arrived_at,
        last_raw_arrived_at=report.raw_arrived_at,
    )


def _bounded(sources: tuple[EventSource, ...], keep: set[str]) -> tuple[EventSource, ...]:
    """Down to ``SOURCES_KEPT`` sources, dropping the earliest media reports first (the precedence
    prefers any later or official one to them) but never one that ``keep`` names (a figure's best claim)."""
    droppable = [s.article_id for s in sources if s.kind is SourceKind.MEDIA and s.article_id not in keep]
    dropped = set(droppable[: len(sources) - SOURCES_KEPT])
    return tuple(s for s in sources if s.article_id not in dropped)


def _compatible(event: OpenEvent, report: ExtractionReport) -> bool:
    for metric in SIZE_METRICS:
        theirs, ours = event.sizes.get(metric), report.figure(metric)
        if theirs is not None and ours is not None and _relative_gap(theirs, ours.value) > SIZE_TOLERANCE:
            return False
    return True


def _relative_gap(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1.0)


def _best(claims: list[Figure], sources: tuple[EventSource, ...]) -> Figure:
    """The claim the precedence picks: the highest-ranked source, then the latest, then exact."""
    by_article = {s.article_id: s for s in sources}

    def precedence(claim: Figure) -> tuple[int, float, bool]:
        source = by_article[claim.article_id]
        published = source.published_at.timestamp() if source.published_at else 0.0
        return (_SOURCE_RANK[source.kind], published, claim.qualifier is Qualifier.EXACT)

    return max(claims, key=precedence)


def _reconcile(metric: Metric, claims: list[Figure], sources: tuple[EventSource, ...]) -> EventFigure:
    best = _best(claims, sources)
    exact = [c.value for c in claims if c.qualifier is Qualifier.EXACT]
    disputed = (min(exact), max(exact)) if exact and _relative_gap(min(exact), max(exact)) > DISPUTE_TOLERANCE else None
    return EventFigure(metric=metric, value=best.value, qualifier=best.qualifier, claims=tuple(claims), disputed=disputed)


def _with_derived(figures: list[EventFigure]) -> list[EventFigure]:
    """Aerial weapons = drones + missiles when no source states the total."""
    by_metric = {f.metric: f for f in figures}
    drones, missiles = by_metric.get(Metric.DRONES_LAUNCHED), by_metric.get(Metric.MISSILES_LAUNCHED)
    if Metric.AERIAL_WEAPONS_LAUNCHED in by_metric or drones is None or missiles is None:
        return figures
    both_exact = drones.qualifier is Qualifier.EXACT and missiles.qualifier is Qualifier.EXACT
    total = EventFigure(
        metric=Metric.AERIAL_WEAPONS_LAUNCHED,
        value=drones.value + missiles.value,
        qualifier=Qualifier.EXACT if both_exact else Qualifier.AT_LEAST,
        claims=(),
        derived=True,
    )
    return [*figures, total]


def _union(old: tuple[Location, ...], new: tuple[Location, ...]) -> tuple[Location, ...]:
    names = {loc.name for loc in old}
    return old + tuple(loc for loc in new if loc.name not in names)
