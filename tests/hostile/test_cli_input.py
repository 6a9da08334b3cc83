"""Hostile files given to backfill: one clear line per problem naming file and line, never a
traceback; nothing is published from a file that backfill refuses."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from streams.history import HistoryError, events_from_csv, events_from_jsonl
from support.daemon import TOCSIN

HEADER = "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
ROW = "2025-07-04 02:00,2025-07-04 06:00,Shahed-136/131,{launched},{destroyed},,kpszsu/posts/x\n"


def run_tocsin(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Kafka at a closed port: what is refused must be refused before anything dials it.
    config = tmp_path / "tocsin.toml"
    config.write_text("[kafka]\nbootstrap_servers = ['127.0.0.1:9']\n")
    return subprocess.run([TOCSIN, "--config", str(config), *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(
    ("launched", "destroyed", "problem"),
    [("lots", "0", "launched: 'lots' is not a number"), ("inf", "0", "launched: inf is not a count"),
     ("nan", "0", "launched: nan is not a count"), ("10", "-5", "destroyed: -5.0 is not a count"),
     ("1e400", "0", "launched: inf is not a count")],
)
def test_backfill_csv_refuses_figures_that_are_not_counts(launched: str, destroyed: str, problem: str) -> None:
    with pytest.raises(HistoryError) as refused:
        events_from_csv([HEADER, ROW.format(launched=5, destroyed=5), ROW.format(launched=launched, destroyed=destroyed)])
    assert refused.value.line == 3 and refused.value.detail.startswith(problem)


@pytest.mark.parametrize("value", ["Infinity", "NaN", "-3"])
def test_backfill_jsonl_refuses_figures_that_are_not_counts(value: str) -> None:
    (event,) = events_from_csv([HEADER, ROW.format(launched=5, destroyed=5)])
    good = event.to_bytes().decode()
    with pytest.raises(HistoryError, match=r"is not a count") as refused:
        list(events_from_jsonl([good, good.replace('"value":5.0', f'"value":{value}', 1)]))
    assert refused.value.line == 2


def test_backfill_names_file_and_line_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "attacks.csv"
    data.write_text(HEADER + ROW.format(launched=5, destroyed=5) + ROW.format(launched="lots", destroyed=0))
    done = run_tocsin(tmp_path, "backfill", "--csv", str(data))
    assert done.returncode == 1
    assert done.stderr == f"Error: {data}:3: launched: 'lots' is not a number\n", done.stderr


@pytest.mark.parametrize("when", ["0001-01-01 00:00", "9999-12-31 23:59"])
def test_backfill_refuses_times_outside_history(when: str) -> None:
    with pytest.raises(HistoryError, match="before 1970 or in the future") as refused:
        events_from_csv([HEADER, ROW.replace("2025-07-04 02:00", when).format(launched=5, destroyed=5)])
    assert refused.value.line == 2


def test_backfill_jsonl_refuses_a_night_outside_history() -> None:
    (event,) = events_from_csv([HEADER, ROW.format(launched=5, destroyed=5)])
    line = event.to_bytes().decode().replace('"night_of":"2025-07-04"', '"night_of":"9999-12-31"')
    with pytest.raises(HistoryError, match="night_of 9999-12-31 is before 1970 or in the future"):
        list(events_from_jsonl([line]))
