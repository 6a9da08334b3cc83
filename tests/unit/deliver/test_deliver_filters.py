from __future__ import annotations

from streams.deliver.filters import wants
from streams.deliver.sample import sample_alert
from tocsin.records import AlertKind
from tocsin.settings import WebhookFilters


def test_empty_filters_take_everything() -> None:
    assert wants(WebhookFilters(), sample_alert())


def test_each_filter() -> None:
    threshold, record = sample_alert(AlertKind.THRESHOLD), sample_alert(AlertKind.RECORD)
    assert wants(WebhookFilters(kinds=["record"]), record) and not wants(WebhookFilters(kinds=["record"]), threshold)
    assert wants(WebhookFilters(metrics=["drones_launched"]), threshold)
    assert not wants(WebhookFilters(metrics=["killed"]), threshold)
    assert not wants(WebhookFilters(min_severity="critical"), threshold.model_copy(update={"severity": "warning"}))
    assert wants(WebhookFilters(min_severity="warning"), threshold)
    assert wants(WebhookFilters(targets=["UA"]), threshold) and not wants(WebhookFilters(targets=["PL"]), threshold)


def test_locations_match_by_name_or_code_case_insensitively() -> None:
    alert = sample_alert()
    assert wants(WebhookFilters(locations=["kyiv"]), alert)
    assert wants(WebhookFilters(locations=["UA-32"]), alert)
    assert not wants(WebhookFilters(locations=["Lviv", "UA-46"]), alert)
