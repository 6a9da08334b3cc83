"""Report and event builders shared by the stream-stage unit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tocsin.records import Evidence, ExtractionReport, Figure, Location, Metric, Qualifier, SourceKind, TextField, Window


def figure(metric: Metric, value: float, article_id: str, qualifier: Qualifier = Qualifier.EXACT) -> Figure:
    evidence = Evidence(field=TextField.BODY, start=0, end=3, text=str(value))
    return Figure(metric=metric, value=value, qualifier=qualifier, evidence=evidence, article_id=article_id)


def report(
    article_id: str,
    *figures: tuple[Metric, float],
    kind: SourceKind = SourceKind.MEDIA,
    hour: int = 8,
    night: date = date(2025, 7, 4),
    qualifier: Qualifier = Qualifier.EXACT,
    explicit_window: bool = True,
    locations: tuple[Location, ...] = (),
) -> ExtractionReport:
    """Published at ``hour`` UTC on ``night``; without an explicit window the night is inferred from that."""
    return ExtractionReport(
        article_id=article_id,
        source=f"outlet-{article_id}",
        source_kind=kind,
        published_at=datetime(night.year, night.month, night.day, hour, tzinfo=UTC),
        is_attack=True,
        confidence=0.9,
        attacker="RU",
        target="UA",
        window=Window(night_of=night) if explicit_window else None,
        figures=tuple(figure(m, v, article_id, qualifier) for m, v in figures),
        locations=locations,
        extractor="test",
    )
