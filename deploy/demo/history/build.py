"""Regenerate nightly.csv: the demo's record history, one drone and one missile row per night.

Derived from the Air Force's national reports (``source`` starting ``kpszsu/``)
in missile_attacks_daily.csv, read and counted exactly as ``tocsin backfill``
reads the full dataset (streams.history), up to the night before the demo's
4 July 2025 report. Usage::

    python deploy/demo/history/build.py [path/to/missile_attacks_daily.csv]
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from streams.history import events_from_csv, write_csv

HERE = Path(__file__).resolve().parent
DATASET = HERE.parents[3] / "shared" / "data" / "missile_attacks_daily.csv"
UNTIL = date(2025, 7, 3)


def main(dataset: Path) -> None:
    with dataset.open(encoding="utf-8", newline="") as lines:
        events = events_from_csv(lines, until=UNTIL)
    with (HERE / "nightly.csv").open("w", encoding="utf-8", newline="") as out:
        rows = write_csv(events, out)
    print(f"nightly.csv: {len(events)} attacks, {rows} rows, nights {events[0].window.night_of} to {events[-1].window.night_of}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATASET)
