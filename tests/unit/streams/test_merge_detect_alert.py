from __future__ import annotations

from datetime import UTC, date, datetime

from factories import report

from streams.alert import threshold_alert
from streams.detect import matching_rules
from streams.merge import attack_key, merge_report
from tocsin.records import Metric, SourceKind
from tocsin.settings import ThresholdRule

NOW = datetime(2025, 7, 4, 10, tzinfo=UTC)
D, N, K = Metric.DRONES_LAUNCHED, Metric.DRONES_NEUTRALIZED, Metric.KILLED


def test_reports_of_one_attack_merge_into_revisions_of_one_event() -> None:
    first = merge_report(None, report("a1", (D, 539), (K, 1)), NOW)
    assert first is not None and first.revision == 1
    second = merge_report(first, report("a2", (K, 2), (N, 476), hour=9), NOW)
    assert second is not None
    assert second.event_id == first.event_id and second.revision == 2
    assert (second.value(D), second.value(K), second.value(N)) == (539, 2, 476)
    assert [s.article_id for s in second.sources] == ["a1", "a2"]
    assert len(next(f for f in second.figures if f.metric is K).claims) == 2


def test_a_redelivered_report_changes_nothing() -> None:
    event = merge_report(None, report("a1", (D, 539)), NOW)
    assert merge_report(event, report("a1", (D, 539)), NOW) is None


def test_the_air_force_outranks_a_later_media_report() -> None:
    official = merge_report(None, report("af", (D, 539), kind=SourceKind.AIR_FORCE, hour=6), NOW)
    merged = merge_report(official, report("m", (D, 540), hour=11), NOW)
    assert merged is not None and merged.value(D) == 539


def test_other_nights_are_other_events() -> None:
    assert attack_key(report("a", night=date(2025, 7, 4))) != attack_key(report("b", night=date(2025, 7, 5)))


def test_threshold_rules_filter_and_alert_ids_are_stable() -> None:
    event = merge_report(None, report("a1", (D, 539)), NOW)
    assert event is not None
    rules = [
        ThresholdRule(name="big", metric=D, op=">=", value=400),
        ThresholdRule(name="huge", metric=D, op=">", value=600),
        ThresholdRule(name="on-russia", metric=D, value=1, target="RU"),
        ThresholdRule(name="deaths", metric=K, value=1),
    ]
    (rule,) = matching_rules(event, rules)
    alert = threshold_alert(event, rule, NOW)
    assert alert.value == 539 and alert.rule is not None and alert.rule.name == "big"
    revised = merge_report(event, report("a2", (K, 3)), NOW)
    assert revised is not None
    assert threshold_alert(revised, rule, NOW).alert_id == alert.alert_id
