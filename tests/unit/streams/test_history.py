from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from streams.history import HistoryError, WeaponClassifier, events_from_csv, events_from_jsonl
from tocsin.records import AttackEvent, EventFigure, Metric, Qualifier, Window

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def figures_by_night() -> dict[str, dict[str, float]]:
    with (FIXTURES / "attacks_sanity.csv").open(newline="") as lines:
        return {e.window.night_of.isoformat(): {f.metric.value: f.value for f in e.figures} for e in events_from_csv(lines)}


def test_sanity_figures_of_the_data_readme() -> None:
    nights = figures_by_night()
    assert (nights["2025-06-09"]["drones_launched"], nights["2025-06-09"]["missiles_launched"]) == (479, 21)
    june29 = nights["2025-06-29"]
    assert (june29["drones_launched"], june29["missiles_launched"], june29["aerial_weapons_launched"]) == (477, 60, 537)
    july4 = nights["2025-07-04"]
    assert (july4["drones_launched"], july4["drones_neutralized"], july4["missiles_launched"]) == (539, 476, 11)


def test_regional_rows_and_reconnaissance_drones_are_not_counted() -> None:
    classify = WeaponClassifier().classify
    assert [classify(m) for m in ("Shahed-136/131", "Shahed-136/131 and Lancet", "X-101/X-555 and Kalibr", "C-300")] == [
        "drone", "drone", "missile", "missile"
    ]
    assert [classify(m) for m in ("Orlan-10", "Lancet", "ZALA", "Supercam", "Unknown UAV", "GBU", "Merlin-VR")] == [None] * 7


def test_until_and_ids_are_deterministic() -> None:
    with (FIXTURES / "attacks_sanity.csv").open(newline="") as lines:
        early = events_from_csv(lines, until=date(2025, 6, 30))
    with (FIXTURES / "attacks_sanity.csv").open(newline="") as lines:
        again = events_from_csv(lines, until=date(2025, 6, 30))
    assert all(e.window.night_of <= date(2025, 6, 30) for e in early)
    assert [e.to_bytes() for e in early] == [e.to_bytes() for e in again]
    assert all(e.historical and e.value(Metric.DRONES_LAUNCHED) for e in early)


def test_events_jsonl_marks_them_historical_and_rejects_other_records() -> None:
    with (FIXTURES / "attacks_sanity.csv").open(newline="") as lines:
        (first, *_) = events_from_csv(lines)
    plain = first.model_copy(update={"historical": False}).to_bytes().decode()
    (loaded,) = events_from_jsonl([plain, ""])
    assert loaded.historical and loaded.event_id == first.event_id
    with pytest.raises(HistoryError, match="^line 2: wrong_schema: expected tocsin.event"):
        list(events_from_jsonl([plain, '{"schema":"tocsin.article","version":1}']))


def test_a_file_in_another_format_is_refused_naming_the_line() -> None:
    with pytest.raises(HistoryError, match="line 1: not the Air Force dataset's format: missing column"):
        events_from_csv(["date,drones\n", "2025-07-04,539\n"])
    header = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
    with pytest.raises(HistoryError, match="line 3: bad time_start/time_end"):
        events_from_csv([header, "2025-07-03 18:00,2025-07-04 09:00,Shahed-136/131,539,268,208,kpszsu/a\n",
                         "yesterday,2025-07-04 09:00,Shahed-136/131,1,1,0,kpszsu/b\n"])


def test_written_csv_reads_back_to_the_same_events() -> None:
    import io

    from streams.history import write_csv

    with (FIXTURES / "attacks_2025.csv").open(newline="") as lines:
        events = events_from_csv(lines)
    written = io.StringIO()
    assert write_csv(events, written) >= len(events)
    again = events_from_csv(io.StringIO(written.getvalue()))
    assert [e.to_bytes() for e in again] == [e.to_bytes() for e in events]


def test_the_demo_history_knows_479_was_the_drone_record_before_4_july() -> None:
    history = FIXTURES.parents[1] / "deploy" / "demo" / "history" / "nightly.csv"
    with history.open(newline="") as lines:
        events = events_from_csv(lines)
    top = max(events, key=lambda e: e.value(Metric.DRONES_LAUNCHED) or 0)
    assert (top.value(Metric.DRONES_LAUNCHED), top.window.night_of) == (479, date(2025, 6, 9))
    assert max(e.window.night_of for e in events) == date(2025, 7, 3)


def test_records_of_the_previous_versions_still_decode() -> None:
    """Fields were added (aliases, separate_wave, alert ids on marks, …): what the previous build wrote reads on."""
    from streams.detect import AlertLogEntry, RecordLadder
    from streams.merge import OpenEvents
    from tocsin.records import AttackEvent, ExtractionReport, RecordError

    event = AttackEvent.from_bytes(
        b'{"schema":"tocsin.event","version":1,"event_id":"evt_a","revision":1,"attacker":"RU","target":"UA",'
        b'"window":{"night_of":"2025-07-04"},"sources":[],"updated_at":"2025-07-04T06:00:00Z"}'
    )
    assert event.aliases == () and event.merged_into is None
    report = ExtractionReport.from_bytes(
        b'{"schema":"tocsin.report","version":1,"article_id":"a","source":"s","is_attack":true,"confidence":0.9,"extractor":"x"}'
    )
    assert not report.separate_wave
    ladder = RecordLadder.from_bytes(b'{"schema":"tocsin.detect.record_ladder","version":1,"marks":[{"value":479,"event_id":"e","night_of":"2025-06-09"}]}')
    assert ladder.marks[0].alert_id is None
    assert AlertLogEntry.from_bytes(b'{"schema":"tocsin.detect.alert_log","version":1,"value":539,"revision":1}').alert is None
    index = OpenEvents.from_bytes(b'{"schema":"tocsin.merge.open_events","version":2,"events":[{"event_id":"e","night_of":"2025-07-04","sizes":{"drones_launched":539}}]}')
    assert [e.event_id for e in index.events] == ["e"]
    with pytest.raises(RecordError, match="unsupported_version: tocsin.event: version 3, this build reads 1, 2"):
        AttackEvent.from_bytes(b'{"schema":"tocsin.event","version":3}')



# What the previous build wrote on each topic: the previous version where there is one (reports,
# events), else the current version before its optional additions (alerts without superseded or
# disputed and carrying a v1 event, dead letters without value_bytes, feed state without
# ttl_minutes, deliveries without replays or reason).
_V1_EVENT_FIELDS = (
    b'"event_id":"evt_a","revision":1,"attacker":"RU","target":"UA",'
    b'"window":{"night_of":"2025-07-04"},"sources":[],"updated_at":"2025-07-04T06:00:00Z"'
)
_V1_ALERT_FIELDS = (
    b'"alert_id":"alr_a","kind":"record","severity":"critical","metric":"drones_launched","value":539,'
    b'"event":{' + _V1_EVENT_FIELDS + b'},"raised_at":"2025-07-04T06:00:00Z"'
)
PREVIOUS_ON_TOPIC = {
    "articles": b'{"schema":"tocsin.article","version":1,"id":"a","url":"https://x.org/a","title":"t",'
    b'"fetched_at":"2025-07-04T06:00:00Z","sources":[{"feed_url":"https://x.org/rss","feed_name":"X"}]}',
    "reports": b'{"schema":"tocsin.report","version":1,"article_id":"a","source":"s","is_attack":true,"confidence":0.9,"extractor":"x"}',
    "events": b'{"schema":"tocsin.event","version":1,' + _V1_EVENT_FIELDS + b"}",
    "alerts": b'{"schema":"tocsin.alert","version":1,' + _V1_ALERT_FIELDS + b"}",
    "dead_letters": b'{"schema":"tocsin.dead_letter","version":1,"stage":"extract","reason":"bad_json","detail":"d",'
    b'"topic":"tocsin.articles","partition":0,"offset":7,"key":"a","value":"{","failed_at":"2025-07-04T06:00:00Z"}',
    "feeds": b'{"schema":"tocsin.feed","version":1,"feed_id":"feed_a","config":{"url":"https://x.org/rss"}}',
    "feed_state": b'{"schema":"tocsin.feed_state","version":1,"feed_id":"feed_a","url":"https://x.org/rss",'
    b'"validators":{"etag":"e"},"seen":["a","b"],"health":{"consecutive_errors":0}}',
    "deliveries": b'{"schema":"tocsin.delivery","version":1,"message_id":"alr_a","endpoint":"ops","status":"delivered",'
    b'"attempts":[{"at":"2025-07-04T06:00:01Z","outcome":"http_200","status":200,"duration_ms":12.5}],'
    b'"alert":{' + _V1_ALERT_FIELDS + b'},"updated_at":"2025-07-04T06:00:01Z"}',
}


def test_a_record_of_the_previous_version_on_each_topic_decodes_through_the_topic() -> None:
    from dataclasses import fields

    from tocsin.kafka.topics import Topics, topics_for
    from tocsin.settings import KafkaSettings

    topics = topics_for(KafkaSettings())
    assert set(PREVIOUS_ON_TOPIC) == {f.name for f in fields(Topics)}  # a new topic brings its fixture
    for name, raw in PREVIOUS_ON_TOPIC.items():
        spec = getattr(topics, name)
        assert spec.record is not None, name
        previous = max(spec.record.READS_OLDER, default=spec.record.VERSION)
        assert f'"version":{previous},'.encode() in raw, name
        record = spec.record.from_bytes(raw)
        assert spec.record.from_bytes(record.to_bytes()) == record, name


def test_a_source_reused_for_other_nights_is_read_as_separate_attacks() -> None:
    # The dataset gives some reports of other nights the same source value: 26 August and
    # 25 December 2024 fused into one attack made 189 missiles a record that never was.
    header = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
    rows = [
        "2024-08-26 03:00,2024-08-26 18:00,Shahed-136/131,109,99,,kpszsu/posts/reused\n",
        "2024-08-26 03:00,2024-08-26 18:00,X-101/X-555 and Kalibr,127,102,,kpszsu/posts/reused\n",
        "2024-12-25 05:00,2024-12-25 10:00,X-101/X-555 and Kalibr,62,55,,kpszsu/posts/reused\n",
        "2025-06-26 20:30,2025-06-27 09:30,Shahed-136/131,363,357,,kpszsu/posts/next-night\n",
        "2025-06-27 03:20,2025-06-27 04:00,Kalibr,6,6,,kpszsu/posts/next-night\n",
        "2025-06-27 22:00,2025-06-28 09:00,Shahed-136/131,23,20,,kpszsu/posts/next-night\n",
    ]
    events = events_from_csv([header, *rows])
    nights = [(e.window.night_of.isoformat(), e.value(Metric.DRONES_LAUNCHED), e.value(Metric.MISSILES_LAUNCHED)) for e in events]
    assert nights == [("2024-08-26", 109, 127), ("2024-12-25", None, 62), ("2025-06-27", 363, 6), ("2025-06-28", 23, None)]
    assert len({e.event_id for e in events}) == 4


def test_two_waves_of_one_night_read_back_under_their_own_ids() -> None:
    # Exported live events carry their ids; read back by their night's ordinals instead, the two
    # waves of 2 September 2025 swapped figures whenever the ids sorted the other way.
    import io

    from streams.history import write_csv

    night = date(2025, 9, 2)
    live = []
    for event_id, drones in (("evt_" + "c" * 24, 150.0), ("evt_" + "9" * 24, 53.0)):
        made = AttackEvent(event_id=event_id, revision=1, attacker="RU", target="UA", window=Window(night_of=night),
                           figures=(EventFigure(metric=Metric.DRONES_LAUNCHED, value=drones, qualifier=Qualifier.EXACT, claims=()),),
                           sources=(), updated_at=datetime(2025, 9, 2, 12, tzinfo=UTC))
        live.append(made)
    written = io.StringIO()
    write_csv(live, written)
    again = {e.event_id: e.value(Metric.DRONES_LAUNCHED) for e in events_from_csv(io.StringIO(written.getvalue()))}
    assert again == {"evt_" + "c" * 24: 150, "evt_" + "9" * 24: 53}
