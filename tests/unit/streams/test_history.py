from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from streams.history import HistoryError, WeaponClassifier, events_from_csv, events_from_jsonl
from tocsin.records import Metric

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
