"""Builds the Grafana dashboard (dashboards/tocsin.json) from the panel list below.

Run ``python deploy/grafana/dashboard.py`` after changing a panel; a unit test
checks the JSON is current, and an integration test evaluates every query
against a live Tocsin scraped by a real Prometheus.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent / "dashboards" / "tocsin.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Every per-instance query filters on this; the recording rules are already summed over instances.
SEL = 'job=~"tocsin.*", instance=~"$instance"'
RATE = "$__rate_interval"


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""
    instant: bool = False


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[Query, ...]
    kind: str = "timeseries"
    unit: str = "short"
    width: int = 8
    height: int = 8
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)


def q(expr: str, legend: str = "", *, instant: bool = False) -> Query:
    return Query(expr, legend, instant)


def quantiles(bucket_rate: str, by: str = "") -> tuple[Query, ...]:
    group = f"le{', ' + by if by else ''}"
    suffix = f" {{{{{by}}}}}" if by else ""
    return tuple(
        q(f"histogram_quantile({p}, sum by ({group}) ({bucket_rate}))", f"p{int(p * 100)}{suffix}") for p in (0.5, 0.95, 0.99)
    )


ROWS: tuple[tuple[str, tuple[Panel, ...]], ...] = (
    (
        "Throughput per stage",
        (
            Panel("Articles per second (pollers)", (
                q(f"sum(rate(tocsin_articles_fetched_total{{{SEL}}}[{RATE}]))", "fetched"),
                q(f"sum(rate(tocsin_articles_published_total{{{SEL}}}[{RATE}]))", "published"),
                q("tocsin:articles_published:rate5m", "published (5m)"),
            ), unit="ops"),
            Panel("Records consumed per second, by stage", (
                q(f"sum by (stage) (rate(tocsin_records_consumed_total{{{SEL}}}[{RATE}]))", "{{stage}}"),
            ), unit="ops"),
            Panel("Records produced per second, by stage", (
                q(f"sum by (stage) (rate(tocsin_records_produced_total{{{SEL}}}[{RATE}]))", "{{stage}}"),
            ), unit="ops"),
        ),
    ),
    (
        "Latency",
        (
            Panel("Published → alert", quantiles("tocsin:raw_to_alert_seconds_bucket:rate5m"), unit="s",
                  description="From the article's arrival on the raw topic to its alert being published."),
            Panel("Alert → delivered", quantiles("tocsin:webhook_delivery_seconds_bucket:rate5m", "endpoint"), unit="s",
                  description="From the alert being raised to a 2xx from the endpoint, retries included."),
            Panel("Published → delivered", quantiles("tocsin:raw_to_delivered_seconds_bucket:rate5m", "endpoint"), unit="s"),
            Panel("Feed fetch and publish (p95)", (
                q(f"histogram_quantile(0.95, sum by (le) (rate(tocsin_feed_fetch_seconds_bucket{{{SEL}}}[{RATE}])))", "fetch"),
                q(f"histogram_quantile(0.95, sum by (le) (rate(tocsin_article_publish_seconds_bucket{{{SEL}}}[{RATE}])))", "publish (acks=all)"),
            ), unit="s", width=24),
        ),
    ),
    (
        "Kafka",
        (
            Panel("Consumer lag by group and topic (every partition)", (q("tocsin:consumer_group_lag_messages:sum", "{{group}} {{topic}}"),), width=12),
            Panel("Consumer lag by partition", (
                q(f"sum by (topic, partition) (tocsin_consumer_lag_messages{{{SEL}}})", "{{topic}}/{{partition}}"),
            ), width=12),
        ),
    ),
    (
        "Feed health",
        (
            Panel("Feeds", (
                q(f"sum(tocsin_feeds_assigned{{{SEL}}})", "assigned"),
                q(f"sum(tocsin_feeds_stale{{{SEL}}})", "stale"),
                q(f"sum(tocsin_feeds_backing_off{{{SEL}}})", "failing"),
                q(f"sum(tocsin_hosts_backing_off{{{SEL}}})", "hosts backing off"),
                q(f"max(tocsin_polling_paused{{{SEL}}})", "polling paused"),
            ), kind="stat", width=12, height=5),
            Panel("Oldest successful poll", (q(f"max(tocsin_feed_max_staleness_seconds{{{SEL}}})", "max staleness"),),
                  unit="s", width=12, height=5),
            Panel("Stale and failing feeds", (
                q(f"max by (feed) (tocsin_feed_staleness_seconds{{{SEL}}})", "staleness", instant=True),
                q(f"max by (feed) (tocsin_feed_consecutive_errors{{{SEL}}})", "errors in a row", instant=True),
            ), kind="table", width=12, height=10,
                description="Only unhealthy feeds have series: an empty table is a healthy fleet."),
            Panel("Fetch outcomes per second", (q("tocsin:feed_fetches:rate5m", "{{outcome}}"),), unit="ops", width=12, height=10),
        ),
    ),
    (
        "Real-time sources (Telegram, WebSub)",
        (
            Panel("Telegram posts per second, by source kind", (
                q(f"sum by (kind, verdict) (rate(tocsin_telegram_posts_total{{{SEL}}}[{RATE}]))", "{{kind}} {{verdict}}"),
                q(f"sum(rate(tocsin_telegram_pages_total{{{SEL}}}[{RATE}]))", "pages fetched"),
            ), unit="ops", description="Posts read from channel previews: new, edited (published again under their id), already seen."),
            Panel("WebSub pushes per second", (
                q(f"sum by (outcome) (rate(tocsin_websub_pushes_total{{{SEL}}}[{RATE}]))", "{{outcome}}"),
                q(f"sum by (outcome) (rate(tocsin_websub_verifications_total{{{SEL}}}[{RATE}]))", "verification {{outcome}}"),
            ), unit="ops", description="accepted = signature checked and published; bad_signature and unsigned are acknowledged and ignored."),
            Panel("WebSub subscriptions", (
                q(f"sum(tocsin_websub_subscriptions_active{{{SEL}}})", "active"),
                q(f"sum(increase(tocsin_websub_lease_renewals_total{{{SEL}}}[1h]))", "renewals (1h)"),
                q(f"sum(increase(tocsin_websub_hub_failures_total{{{SEL}}}[1h]))", "hub failures → polling (1h)"),
            ), description="A failed hub puts its feed back on its poll interval; subscribing again waits a doubling delay."),
        ),
    ),
    (
        "Extraction, alerts and deliveries",
        (
            Panel("Extraction results", (
                q(f"sum by (result) (rate(tocsin_extractions_total{{{SEL}}}[{RATE}]))", "{{result}}"),
            ), unit="ops"),
            Panel("Merge results", (
                q(f"sum by (result) (rate(tocsin_merges_total{{{SEL}}}[{RATE}]))", "{{result}}"),
                q(f"sum(tocsin_events_open{{{SEL}}})", "open events"),
            )),
            Panel("Alerts raised by kind (last 24h)", (
                q(f"sum by (kind) (increase(tocsin_alerts_raised_total{{{SEL}}}[24h]))", "{{kind}}"),
            ), kind="stat"),
            Panel("Deliveries by endpoint and outcome", (
                q(f"sum by (endpoint, outcome) (rate(tocsin_alerts_delivered_total{{{SEL}}}[{RATE}]))", "{{endpoint}} {{outcome}}"),
            ), unit="ops"),
            Panel("Webhook attempts by result", (
                q(f"sum by (endpoint, result) (rate(tocsin_webhook_attempts_total{{{SEL}}}[{RATE}]))", "{{endpoint}} {{result}}"),
                q("tocsin:webhook_attempts_failed:ratio5m", "{{endpoint}} failed ratio (5m)"),
            ), unit="ops"),
            Panel("Webhook queues and breakers", (
                q(f"sum by (endpoint) (tocsin_webhook_queue_depth{{{SEL}}})", "{{endpoint}} queued"),
                q(f"max by (endpoint) (tocsin_webhook_breaker_state{{{SEL}}})", "{{endpoint}} breaker (0 closed, 2 open)"),
            )),
        ),
    ),
    (
        "Errors and process health",
        (
            Panel("Dead letters by stage and reason", (
                q(f"sum by (stage, reason) (increase(tocsin_dead_letters_total{{{SEL}}}[1h]))", "{{stage}} {{reason}}"),
            )),
            Panel("Ready components", (
                q(f"tocsin_ready{{{SEL}}}", "{{instance}} {{component}}"),
                q(f"up{{{SEL}}}", "{{instance}} up"),
            )),
            Panel("Memory (RSS)", (q(f"process_resident_memory_bytes{{{SEL}}}", "{{instance}}"),), unit="bytes", width=4),
            Panel("CPU (cores)", (q(f"rate(process_cpu_seconds_total{{{SEL}}}[{RATE}])", "{{instance}}"),), width=4),
        ),
    ),
)


def panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    targets = [
        {
            "refId": chr(ord("A") + i),
            "datasource": DATASOURCE,
            "expr": query.expr,
            "legendFormat": query.legend,
            **({"instant": True, "range": False, "format": "table"} if query.instant else {"range": True}),
        }
        for i, query in enumerate(panel.queries)
    ]
    body: dict[str, Any] = {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": panel.width, "h": panel.height},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": panel.options,
        "targets": targets,
    }
    if panel.kind == "table":
        # One row per feed: the queries' values side by side.
        body["transformations"] = [{"id": "merge", "options": {}}, {"id": "organize", "options": {"excludeByName": {"Time": True}}}]
    return body


def dashboard() -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    y = 0
    for title, row in ROWS:
        panels.append({"id": len(panels) + 1, "type": "row", "title": title, "collapsed": False,
                       "gridPos": {"x": 0, "y": y, "w": 24, "h": 1}, "panels": []})
        y += 1
        x, row_height = 0, 0
        for panel in row:
            if x + panel.width > 24:
                x, y, row_height = 0, y + row_height, 0
            panels.append(panel_json(panel, len(panels) + 1, x, y))
            x += panel.width
            row_height = max(row_height, panel.height)
        y += row_height
    return {
        "uid": "tocsin-overview",
        "title": "Tocsin",
        "tags": ["tocsin"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []},
        "templating": {
            "list": [
                {"name": "datasource", "label": "Prometheus", "type": "datasource", "query": "prometheus",
                 "current": {"text": "Prometheus", "value": "prometheus"}, "hide": 0},
                {"name": "instance", "label": "Instance", "type": "query", "datasource": DATASOURCE,
                 "query": {"query": 'label_values(tocsin_ready{job=~"tocsin.*"}, instance)', "refId": "instance"},
                 "definition": 'label_values(tocsin_ready{job=~"tocsin.*"}, instance)',
                 "multi": True, "includeAll": True, "allValue": ".*", "refresh": 2,
                 "current": {"text": "All", "value": "$__all"}, "hide": 0},
            ]
        },
        "panels": panels,
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUT.write_text(render())
    print(f"wrote {OUT}")
