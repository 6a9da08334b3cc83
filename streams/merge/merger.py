"""Reports of one attack → one event, revised as reports arrive. Pure.

Attack identity (spec: "one attack, one event"). A report joins an event of the
same attacker and target (guaranteed by the partition key) and the same night
unless there is **positive evidence of another wave** (``_separate``):

- the article names a further wave ("a second attack", "another wave":
  ``ExtractionReport.separate_wave``) and the event is the night's first wave;
- both have a bounded time window, and the windows do not overlap;
- their region sets are disjoint *and* their launch counts disagree beyond
  ``SIZE_TOLERANCE`` with none agreeing (outlets name different places of one
  attack, and they misread figures: neither alone splits a night).

A figure that disagrees without such evidence is a dispute on that figure,
not a new event. Among the night's events the report joins the earliest one it
is tied to (a shared region, an overlapping window, a launch count within
tolerance), else the earliest one. When it is tied to two or more of them, they
were one attack: the later ones merge into the earliest (its id stays, theirs
become its ``aliases`` and are published once more with ``merged_into``). An
event opened by a further-wave report is never bridged into the first wave.

A report without a window of its own (its night inferred from the publication
time) may also be about the night before — a follow-up published the next day
about "last night" — when nothing on its own night agrees with its figures and
an event of the night before does.

The events of the last ``OPEN_NIGHTS`` nights are indexed; a report of an older
night (late, or replayed out of order) is matched the same way against that
night's events, read by their deterministic ids.

Precedence for an event's figure (spec: "a documented precedence"): the
target's air force over other officials over the media; then, for the
attack's own counts (launched, neutralised, durations), an exact figure over a
hedged one ("more than 500" agrees with 539), the value most sources claim,
the latest report; for casualty tolls, which rise as they are counted, the
latest report, then an exact figure over a hedged one. Every claim stays on the event; exact claims
further apart than ``DISPUTE_TOLERANCE`` mark the figure as disputed with their
range.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from streams.merge.keys import pair_key
from streams.merge.state import OpenEvent
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
_TOLLS = frozenset({Metric.KILLED, Metric.INJURED, Metric.CHILDREN_KILLED, Metric.CHILDREN_INJURED})
"""Casualty tolls rise as they are counted: the latest report outranks the most-claimed one."""
SIZE_METRICS = (Metric.DRONES_LAUNCHED, Metric.MISSILES_LAUNCHED, Metric.AERIAL_WEAPONS_LAUNCHED)
"""The launch counts: the size of an attack."""
SIZE_TOLERANCE = 0.35
"""Launch counts further apart than this (relative) disagree: evidence of another wave only together
with disjoint regions; otherwise a dispute."""
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


@dataclass(frozen=True)
class Merged:
    """What one report changes: its event's next revision, the events it bridged into it (each once
    more, now with ``merged_into``), and the pair's open events after it."""

    event: AttackEvent
    absorbed: tuple[AttackEvent, ...]
    open_events: list[OpenEvent]


def merge_into(
    open_events: Sequence[OpenEvent], report: ExtractionReport, now: datetime, stored: Callable[[str], AttackEvent | None]
) -> Merged | None:
    """The report's event's next revision (with any events it bridges); None when the report is already
    in its event. ``stored`` looks an event up by id (the events table).

    The open events are an index of the recent nights, so that a report usually reads the one event of
    its night. A report of an older night (late, replayed out of order, or behind a misdated report that
    moved the newest night on) is matched the same way against that night's events, found by their
    deterministic ids."""
    newest = max((e.night_of for e in open_events), default=None)
    lookup = cache(stored)  # an older night's events are read once, whether matched or counted

    @cache
    def events_of(night: date) -> list[OpenEvent]:
        """The night's events in the order they opened (aliases included: they keep their ordinal)."""
        if newest is None or _open(night, newest):
            return [e for e in open_events if e.night_of == night]
        found: list[OpenEvent] = []
        while (event := lookup(event_id_of(report, night, len(found)))) is not None:
            found.append(OpenEvent.of(event))
        return found

    def live(night: date) -> list[AttackEvent]:
        return [e for o in events_of(night) if (e := lookup(o.event_id)) is not None and e.merged_into is None]

    night = report_window(report).night_of
    # Without a window of its own, a report published the next day may be about "last night".
    nights = (night,) if report.window is not None else (night, night - timedelta(days=1))
    reported = next((e for n in nights for e in live(n) if _reported_in(e, report)), None)
    if reported is not None:
        if not _edited(reported, report):
            return None  # redelivered: it already made its revision (and any bridging)
        # In its event, the edited article's new claims replace its own old ones.
        revised = merge_report(_without(reported, report.article_id), report, now, reported.event_id)
        assert revised is not None
        kept = [OpenEvent.of(revised) if e.event_id == revised.event_id else e for e in open_events]
        if all(e.event_id != revised.event_id for e in kept):
            kept.append(OpenEvent.of(revised))
        return Merged(revised, (), still_open(kept))
    candidates = [e for e in live(night) if not _separate(e, report)]
    if report.window is None and not any(_sizes_agree(e, report) for e in candidates):
        before = [e for e in live(nights[1]) if _sizes_agree(e, report) and not _separate(e, report)]
        candidates = before or candidates
    tied = [e for e in candidates if _tied(e, report)]
    bridged = [e for e in tied if not e.separate_wave] if not report.separate_wave else []
    absorbed: tuple[AttackEvent, ...] = ()
    if len(bridged) >= 2:
        current, absorbed = bridged[0], tuple(bridged[1:])
    else:
        current = next(iter(tied or candidates), None)
    event_id = current.event_id if current else event_id_of(report, night, len(events_of(night)))
    revised = merge_report(current, report, now, event_id, absorbed)
    assert revised is not None, "a report already in its event returned above"
    aliased = tuple(e.model_copy(update={"merged_into": event_id, "revision": e.revision + 1, "updated_at": now}) for e in absorbed)
    gone = {e.event_id for e in absorbed}
    kept = [OpenEvent.of(revised) if e.event_id == event_id else e for e in open_events if e.event_id not in gone]
    if current is None or all(e.event_id != event_id for e in kept):
        kept.append(OpenEvent.of(revised))  # new, or of a night no longer indexed
    return Merged(revised, aliased, still_open(kept))


def merge_report(
    current: AttackEvent | None,
    report: ExtractionReport,
    now: datetime,
    event_id: str,
    absorbed: Sequence[AttackEvent] = (),
) -> AttackEvent | None:
    """Return the event's next revision, with the ``absorbed`` events' sources and claims folded in, or
    None when the report is already in it (a redelivered report must not create a revision)."""
    if current is not None and _reported_in(current, report):
        return None
    own_id = current.event_id if current else event_id
    parts = [e for e in (current, *absorbed) if e is not None]
    source = EventSource(
        article_id=report.article_id,
        source=report.source,
        kind=report.source_kind,
        published_at=report.published_at,
        url=report.article_url,
    )
    sources = tuple(s for e in parts for s in e.sources) + (source,)
    claims: dict[Metric, list[Figure]] = {}
    for part in parts:
        for found in part.figures:
            if not found.derived:
                claims.setdefault(found.metric, []).extend(found.claims)
    for figure in report.figures:
        claims.setdefault(figure.metric, []).append(figure)
    if len(sources) > SOURCES_KEPT:
        sources = _bounded(sources, keep={_best(metric, found, sources).article_id for metric, found in claims.items()})
        kept = {s.article_id for s in sources}
        claims = {metric: [c for c in found if c.article_id in kept] for metric, found in claims.items()}
    figures = [_reconcile(metric, found, sources) for metric, found in claims.items()]
    arrivals = [t for t in (*(e.first_raw_arrived_at for e in parts), report.raw_arrived_at) if t is not None]
    aliases = [a for e in parts for a in (e.event_id, *e.aliases) if a != own_id]
    return AttackEvent(
        event_id=own_id,
        revision=current.revision + 1 if current else 1,
        attacker=report.attacker or "",
        target=report.target or "",
        window=current.window if current else report_window(report),
        figures=tuple(sorted(_with_derived(figures), key=lambda f: f.metric)),
        weapons=report.weapons or next((e.weapons for e in parts if e.weapons), ()),
        locations=_union(*(e.locations for e in parts), report.locations),
        record_claims=(tuple(c for e in parts for c in e.record_claims) + report.record_claims)[-SOURCES_KEPT:],
        sources=sources,
        updated_at=now,
        first_raw_arrived_at=min(arrivals, default=None),
        last_raw_arrived_at=report.raw_arrived_at,
        aliases=tuple(dict.fromkeys(aliases)),
        separate_wave=current.separate_wave if current else report.separate_wave,
    )


def _reported_in(event: AttackEvent, report: ExtractionReport) -> bool:
    return any(s.article_id == report.article_id for s in event.sources)


def _edited(event: AttackEvent, report: ExtractionReport) -> bool:
    """A report of an article already in the event that is a new version of it (a corrected Telegram post
    published again under its id): a newer raw record than any the event has merged, with other claims.
    A redelivered report, or one extracted again from the same raw record, is never newer."""
    newer = report.raw_arrived_at is not None and event.last_raw_arrived_at is not None and report.raw_arrived_at > event.last_raw_arrived_at
    return newer and _claims_of(event, report.article_id) != {_claim(f) for f in report.figures}


def _claim(figure: Figure) -> tuple[Metric, float, str]:
    return figure.metric, figure.value, figure.qualifier


def _claims_of(event: AttackEvent, article_id: str) -> set[tuple[Metric, float, str]]:
    return {_claim(c) for f in event.figures if not f.derived for c in f.claims if c.article_id == article_id}


def _without(event: AttackEvent, article_id: str) -> AttackEvent:
    """The event without one article's source and claims (a figure left without claims goes too)."""
    figures = tuple(f.model_copy(update={"claims": tuple(c for c in f.claims if c.article_id != article_id)}) for f in event.figures)
    return event.model_copy(update={"sources": tuple(s for s in event.sources if s.article_id != article_id), "figures": tuple(f for f in figures if f.claims)})


def _bounded(sources: tuple[EventSource, ...], keep: set[str]) -> tuple[EventSource, ...]:
    """Down to ``SOURCES_KEPT`` sources, dropping the earliest media reports first (the precedence
    prefers any later or official one to them) but never one that ``keep`` names (a figure's best claim)."""
    droppable = [s.article_id for s in sources if s.kind is SourceKind.MEDIA and s.article_id not in keep]
    dropped = set(droppable[: len(sources) - SOURCES_KEPT])
    return tuple(s for s in sources if s.article_id not in dropped)


def _separate(event: AttackEvent, report: ExtractionReport) -> bool:
    """Positive evidence that the report describes another wave than the event's (module docstring)."""
    if report.separate_wave and not event.separate_wave:
        return True
    if _windows_overlap(event.window, report.window) is False:
        return True
    ours, theirs = _regions(report.locations), _regions(event.locations)
    agree, disagree = _size_verdicts(event, report)
    return bool(ours and theirs and not ours & theirs) and disagree and not agree


def _tied(event: AttackEvent, report: ExtractionReport) -> bool:
    """Something positive in common: a region, an overlapping window, or a launch count within tolerance."""
    if _regions(report.locations) & _regions(event.locations) or _windows_overlap(event.window, report.window):
        return True
    return _size_verdicts(event, report)[0]


def _sizes_agree(event: AttackEvent, report: ExtractionReport) -> bool:
    """No launch count of the report is further than ``SIZE_TOLERANCE`` from every claim of the event's."""
    return not _size_verdicts(event, report)[1]


def _size_verdicts(event: AttackEvent, report: ExtractionReport) -> tuple[bool, bool]:
    """Whether a launch count both state agrees (within ``SIZE_TOLERANCE`` of a claim), and whether one disagrees."""
    verdicts = {
        _agrees(figure, ours.value)
        for metric in SIZE_METRICS
        if (figure := event.figure(metric)) is not None and (ours := report.figure(metric)) is not None
    }
    return True in verdicts, False in verdicts


def _agrees(figure: EventFigure, value: float) -> bool:
    claimed = [c.value for c in figure.claims] or [figure.value]
    return any(_relative_gap(c, value) <= SIZE_TOLERANCE for c in claimed)


def _windows_overlap(ours: Window, theirs: Window | None) -> bool | None:
    """None unless both windows are bounded."""
    if theirs is None or None in (ours.start, ours.end, theirs.start, theirs.end):
        return None
    return ours.start <= theirs.end and theirs.start <= ours.end  # type: ignore[operator]


def _regions(locations: Sequence[Location]) -> set[str]:
    return {loc.iso3166_2 or loc.name.casefold() for loc in locations}


def _relative_gap(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1.0)


def _best(metric: Metric, claims: list[Figure], sources: tuple[EventSource, ...]) -> Figure:
    """The claim the precedence picks (module docstring)."""
    by_article = {s.article_id: s for s in sources}
    support = Counter(c.value for c in claims)

    def precedence(claim: Figure) -> tuple[float, ...]:
        source = by_article[claim.article_id]
        published = source.published_at.timestamp() if source.published_at else 0.0
        exact = claim.qualifier is Qualifier.EXACT
        if metric in _TOLLS:
            return (_SOURCE_RANK[source.kind], published, exact)
        return (_SOURCE_RANK[source.kind], exact, support[claim.value], published)

    return max(claims, key=precedence)


def _reconcile(metric: Metric, claims: list[Figure], sources: tuple[EventSource, ...]) -> EventFigure:
    best = _best(metric, claims, sources)
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


def _union(*groups: tuple[Location, ...]) -> tuple[Location, ...]:
    first: dict[str, Location] = {}
    for group in groups:
        for loc in group:
            first.setdefault(loc.name, loc)
    return tuple(first.values())
