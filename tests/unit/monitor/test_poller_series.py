from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from monitor.poller import _per_feed_series


def test_per_feed_series_are_updated_in_place_and_dropped_for_feeds_no_longer_listed() -> None:
    registry = CollectorRegistry()
    gauge = Gauge("feed_value", "A per-feed value.", ["feed"], registry=registry)
    series = _per_feed_series(gauge, set(), {"a": 1.0, "b": 2.0})
    series = _per_feed_series(gauge, series, {"b": 3.0, "c": 4.0})
    assert series == {"b", "c"}
    values = {s.labels["feed"]: s.value for metric in registry.collect() for s in metric.samples}
    assert values == {"b": 3.0, "c": 4.0}
