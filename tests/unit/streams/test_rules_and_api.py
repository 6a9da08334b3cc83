"""Rules are checked when the settings load; the worker API's views filter and summarise tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import report

from streams.api.pagination import paginate
from streams.api.views import EventQuery, current_records, event_summary
from streams.detect import Mark, RecordLadder
from streams.merge import merge_report
from tocsin.records import AttackEvent, Metric
from tocsin.settings import ConfigError, load_settings

D = Metric.DRONES_LAUNCHED


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('metric = "drones_lanched"\nvalue = 400', "rules.threshold.0.metric: Input should be 'drones_launched'"),
        ('metric = "drones_launched"\nop = "=>"\nvalue = 400', "rules.threshold.0.op: Input should be '>=', '>', '<=', '<' or '=='"),
        ('metric = "killed"\nvalue = 1\nweapon_class = "artillery"', "rules.threshold.0.weapon_class: Input should be"),
        ('metric = "killed"\nvalue = 1\noblast = "Kyiv"', "rules.threshold.0.oblast: String should match pattern"),
    ],
)
def test_a_bad_rule_is_refused_at_start_naming_the_key(tmp_path: Path, rule: str, message: str) -> None:
    config = tmp_path / "tocsin.toml"
    config.write_text(f'[[rules.threshold]]\nname = "r"\n{rule}\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert f"config error: {config}: {message}" in str(caught.value)


def event(article_id: str, drones: float, night: date, target: str = "UA") -> AttackEvent:
    found = merge_report(None, report(article_id, (D, drones), night=night), datetime(2025, 7, 5, tzinfo=UTC), f"evt_{article_id}")
    assert found is not None
    return found.model_copy(update={"target": target, "updated_at": datetime(night.year, night.month, night.day, 9, tzinfo=UTC)})


def recent_events(events: list[AttackEvent], query: EventQuery) -> list[dict[str, object]]:
    """What /events answers: the first page of the matching events, summarised."""
    return [event_summary(e) for e in paginate((e for e in events if query.matches(e)), query.limit).events]


def test_recent_events_filter_by_since_target_and_minimum_figure() -> None:
    events = [event("a", 539, date(2025, 7, 4)), event("b", 120, date(2025, 7, 5)), event("c", 90, date(2025, 7, 6), target="RU")]

    def recent(query: EventQuery) -> list[dict[str, object]]:
        return recent_events(events, query)

    def ids(query: EventQuery) -> list[str]:
        return [str(e["event_id"]) for e in recent(query)]

    assert ids(EventQuery()) == ["evt_c", "evt_b", "evt_a"]  # newest night first
    assert ids(EventQuery(since=datetime(2025, 7, 5, tzinfo=UTC))) == ["evt_c", "evt_b"]
    assert ids(EventQuery(target="UA")) == ["evt_b", "evt_a"]
    assert ids(EventQuery(min_value=400)) == ["evt_a"]
    assert ids(EventQuery(target="UA", limit=1)) == ["evt_b"]
    assert ids(EventQuery(until=date(2025, 7, 5))) == ["evt_b", "evt_a"]
    (summary,) = recent(EventQuery(min_value=400))
    assert summary["figures"] == {"drones_launched": 539} and summary["sources"] == 1 and summary["night_of"] == "2025-07-04"


def test_current_records_per_scope_and_metric_name_the_top_mark() -> None:
    ladder = RecordLadder(marks=(Mark(value=479, event_id="e1", night_of=date(2025, 6, 9)), Mark(value=539, event_id="e2", night_of=date(2025, 7, 4))))
    records = current_records([("UA|drones_launched", ladder), ("RU|drones_launched", RecordLadder())])
    assert list(records) == ["UA"]
    top = records["UA"]["drones_launched"]
    assert (top["value"], top["event_id"], top["night_of"]) == (539, "e2", "2025-07-04")
    assert [m["value"] for m in top["history"]] == [479, 539]


def test_events_list_leaves_aliases_out_and_shows_disputes_and_aliases() -> None:
    kept = event("a", 539, date(2025, 7, 4)).model_copy(update={"aliases": ("evt_b",)})
    disputed = merge_report(kept, report("m", (D, 38), night=date(2025, 7, 4)), datetime(2025, 7, 5, tzinfo=UTC), "")
    assert disputed is not None
    alias = event("b", 40, date(2025, 7, 4)).model_copy(update={"merged_into": "evt_a"})
    (summary,) = recent_events([disputed, alias], EventQuery())
    assert summary["event_id"] == "evt_a" and summary["aliases"] == ["evt_b"]
    assert summary["disputed"] == {"drones_launched": [38, 539]}


def test_replay_wait_counts_what_the_pipeline_produced() -> None:
    from aiokafka import ConsumerRecord

    from streams.alert import record_alert
    from tocsin.cli.produced import produced_lines
    from tocsin.kafka.topics import topics_for
    from tocsin.records import PreviousRecord
    from tocsin.settings import KafkaSettings

    topics = topics_for(KafkaSettings())

    def on(topic: str, value: bytes) -> ConsumerRecord:
        return ConsumerRecord(topic, 0, 0, 0, 0, None, value, None, 0, len(value), ())

    a, b = event("a", 539, date(2025, 7, 4)), event("b", 40, date(2025, 7, 4))
    history = event("h", 479, date(2025, 6, 9)).model_copy(update={"historical": True})
    previous = PreviousRecord(value=479, event_id="evt_h", night_of=date(2025, 6, 9))
    raised = record_alert(a, D, previous, 1, datetime(2025, 7, 4, tzinfo=UTC), "alert_1")
    records = [on(topics.events.name, e.to_bytes()) for e in (history, a, b, b.model_copy(update={"merged_into": "evt_a", "revision": 2}))]
    records += [on(topics.alerts.name, x.to_bytes()) for x in (raised, raised.model_copy(update={"revision": 2, "superseded": True}))]
    records.append(on(topics.alerts.name, b"{not json"))
    assert produced_lines(records, topics) == [
        "events: 1", "events merged into another: 1", "events disputed: 0", "alerts record: 1", "alerts threshold: 0",
        "alerts updated: 0", "alerts superseded: 1", "records undecodable: 1",
    ]
