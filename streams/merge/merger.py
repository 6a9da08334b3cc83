"""Reports of one attack → one event, revised as reports arrive. Pure.

Precedence for an event's figure (spec: "a documented precedence"): the
target's air force over other officials over the media; then the later
report; then an exact figure over a hedged one. Every claim stays on the event.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

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


def attack_key(report: ExtractionReport) -> str:
    """The Kafka key of a report: every report of one attack lands on one partition."""
    return f"{report.attacker}>{report.target}@{_window(report).night_of.isoformat()}"


def event_id(key: str) -> str:
    return "evt_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def merge_report(current: AttackEvent | None, report: ExtractionReport, now: datetime) -> AttackEvent | None:
    """Return the event's next revision, or None when the report is already in
    it (a redelivered report must not create a revision)."""
    if current is not None and any(s.article_id == report.article_id for s in current.sources):
        return None
    source = EventSource(
        article_id=report.article_id,
        source=report.source,
        kind=report.source_kind,
        published_at=report.published_at,
        url=report.article_url,
    )
    sources = (current.sources if current else ()) + (source,)
    claims: dict[Metric, list[Figure]] = {f.metric: list(f.claims) for f in current.figures} if current else {}
    for figure in report.figures:
        claims.setdefault(figure.metric, []).append(figure)
    return AttackEvent(
        event_id=event_id(attack_key(report)),
        revision=current.revision + 1 if current else 1,
        attacker=report.attacker or "",
        target=report.target or "",
        window=current.window if current else _window(report),
        figures=tuple(_reconcile(metric, found, sources) for metric, found in sorted(claims.items())),
        weapons=report.weapons or (current.weapons if current else ()),
        locations=_union(current.locations if current else (), report.locations),
        record_claims=(current.record_claims if current else ()) + report.record_claims,
        sources=sources,
        updated_at=now,
        first_raw_arrived_at=current.first_raw_arrived_at if current else report.raw_arrived_at,
    )


def _window(report: ExtractionReport) -> Window:
    if report.window is not None:
        return report.window
    moment = report.published_at or datetime.now(_KYIV)
    return Window(night_of=moment.astimezone(_KYIV).date())


def _reconcile(metric: Metric, claims: list[Figure], sources: tuple[EventSource, ...]) -> EventFigure:
    by_article = {s.article_id: s for s in sources}

    def precedence(claim: Figure) -> tuple[int, float, bool]:
        source = by_article[claim.article_id]
        published = source.published_at.timestamp() if source.published_at else 0.0
        return (_SOURCE_RANK[source.kind], published, claim.qualifier is Qualifier.EXACT)

    best = max(claims, key=precedence)
    return EventFigure(metric=metric, value=best.value, qualifier=best.qualifier, claims=tuple(claims))


def _union(old: tuple[Location, ...], new: tuple[Location, ...]) -> tuple[Location, ...]:
    names = {loc.name for loc in old}
    return old + tuple(loc for loc in new if loc.name not in names)
