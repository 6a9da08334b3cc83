"""Recent alerts as Atom (RFC 4287) and JSON Feed 1.1, for feed readers. Pure.

Each entry's id is the alert's id, so a reader de-duplicates exactly as a
webhook receiver does; an upward revision of an alert is the same entry,
updated. Filters are the webhooks' (kinds, metrics, min_severity, targets,
locations).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from lxml import etree

from streams.deliver import summarise, wants
from tocsin.records import Alert
from tocsin.settings import WebhookFilters

ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_TITLE = "Tocsin alerts"
_ATOM = "http://www.w3.org/2005/Atom"
_LISTS = ("kinds", "metrics", "targets", "locations")


def feed_filters(query: Mapping[str, str]) -> WebhookFilters:
    """Filters from query parameters (comma-separated lists); raises pydantic's ValidationError."""
    values: dict[str, Any] = {k: [v for v in query[k].split(",") if v] for k in _LISTS if k in query}
    if "min_severity" in query:
        values["min_severity"] = query["min_severity"]
    return WebhookFilters(**values)


def recent_alerts(alerts: Iterable[Alert], filters: WebhookFilters, limit: int) -> list[Alert]:
    """The latest revision of each alert that passes the filters, newest first."""
    latest: dict[str, Alert] = {}
    for alert in alerts:
        seen = latest.get(alert.alert_id)
        if seen is None or alert.revision >= seen.revision:
            latest[alert.alert_id] = alert
    chosen = [a for a in latest.values() if wants(filters, a)]
    return sorted(chosen, key=lambda a: (a.raised_at, a.alert_id), reverse=True)[:limit]


def _text(alert: Alert) -> str:
    summary = summarise(alert)
    lines = [f"{label}: {value}" for label, value in summary.lines]
    lines += [f"Source: {name}" + (f" ({url})" if url else "") for name, url in summary.sources]
    return "\n".join(lines)


def _updated(alerts: list[Alert], now: datetime) -> str:
    return (alerts[0].raised_at if alerts else now).isoformat()


def atom_feed(alerts: list[Alert], self_url: str, base_url: str, now: datetime) -> bytes:
    feed = etree.Element(f"{{{_ATOM}}}feed", nsmap={None: _ATOM})

    def child(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{_ATOM}}}{tag}", attributes)
        element.text = text
        return element

    child(feed, "id", self_url)
    child(feed, "title", FEED_TITLE)
    child(feed, "updated", _updated(alerts, now))
    child(feed, "link", rel="self", href=self_url, type=ATOM_TYPE)
    child(child(feed, "author"), "name", "Tocsin")
    for alert in alerts:
        summary = summarise(alert)
        entry = child(feed, "entry")
        child(entry, "id", alert.alert_id)
        child(entry, "title", summary.title)
        child(entry, "updated", alert.raised_at.isoformat())
        child(entry, "published", alert.raised_at.isoformat())
        child(entry, "link", rel="alternate", href=f"{base_url}/events/{alert.event.event_id}", type="application/json")
        child(entry, "category", term=alert.kind.value)
        child(entry, "category", term=alert.metric.value)
        child(entry, "content", _text(alert), type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")


def json_feed(alerts: list[Alert], self_url: str, base_url: str, now: datetime) -> dict[str, Any]:
    return {
        "version": JSON_FEED_VERSION,
        "title": FEED_TITLE,
        "home_page_url": f"{base_url}/",
        "feed_url": self_url,
        "description": "Record and threshold alerts on air attacks, newest first.",
        "authors": [{"name": "Tocsin"}],
        "items": [
            {
                "id": alert.alert_id,
                "url": f"{base_url}/events/{alert.event.event_id}",
                "title": summarise(alert).title,
                "content_text": _text(alert),
                "date_published": alert.raised_at.isoformat(),
                "date_modified": alert.raised_at.isoformat(),
                "tags": [alert.kind.value, alert.metric.value, alert.severity.value],
                "_tocsin": {"alert": alert.model_dump(mode="json")},
            }
            for alert in alerts
        ],
    }
