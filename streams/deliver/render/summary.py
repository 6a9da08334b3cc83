"""The human-readable facts of an alert, shared by the chat renderers. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.records import Alert, AlertKind

MAX_SOURCES = 8
MAX_FIGURES = 12
MAX_LOCATIONS = 15


@dataclass(frozen=True)
class Summary:
    title: str
    lines: tuple[tuple[str, str], ...]  # (label, value)
    sources: tuple[tuple[str, str | None], ...]  # (name, url)
    alert_id: str


def _metric(name: str) -> str:
    return name.replace("_", " ")


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def summarise(alert: Alert) -> Summary:
    event = alert.event
    updated = "Superseded: " if getattr(alert, "superseded", False) else "Updated: " if getattr(alert, "updated", False) else ""
    if alert.kind is AlertKind.RECORD:
        title = f"{updated}Record {_metric(alert.metric)}: {_number(alert.value)}"
    else:
        rule = alert.rule.name if alert.rule else "threshold"
        title = f"{updated}Threshold {rule}: {_metric(alert.metric)} {_number(alert.value)}"
    lines: list[tuple[str, str]] = [
        ("Severity", alert.severity.value),
        ("Attack", f"{event.attacker} → {event.target}, night of {event.window.night_of.isoformat()}"),
    ]
    if alert.rule is not None:
        lines.append(("Rule", f"{alert.rule.name}: {_metric(alert.rule.metric)} {alert.rule.op} {_number(alert.rule.value)}"))
    previous = getattr(alert, "previous", None)
    if previous is not None:
        label = "Outranked by" if getattr(alert, "superseded", False) else "Previous record"
        lines.append((label, f"{_number(previous.value)} on the night of {previous.night_of.isoformat()}"))
    for figure in event.figures[:MAX_FIGURES]:
        qualifier = "" if figure.qualifier.value == "exact" else f" ({figure.qualifier.value.replace('_', ' ')})"
        lines.append((_metric(figure.metric).capitalize(), f"{_number(figure.value)}{qualifier}"))
    if event.locations:
        lines.append(("Places", ", ".join(loc.name for loc in event.locations[:MAX_LOCATIONS])))
    sources = tuple((s.source, s.url) for s in event.sources[:MAX_SOURCES])
    return Summary(title=title, lines=tuple(lines), sources=sources, alert_id=alert.alert_id)
