"""Air Force style articles (en/uk) generated from the historical dataset's figures.

Used to back-test record alerts (tests/fixtures/backtest_articles.jsonl is
this script's output for tests/fixtures/attacks_2025.csv after 2025-05-01) and
as the attack share of the benchmark mix.

    .venv/bin/python bench/airforce_articles.py CSV --after 2025-05-01 > articles.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streams.history import events_from_csv  # noqa: E402
from tocsin.records import AttackEvent, Metric  # noqa: E402

_EN_MONTHS = "January February March April May June July August September October November December".split()
_UK_MONTHS = "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня".split()


def _n(event: AttackEvent, metric: Metric) -> int:
    return int(event.value(metric) or 0)


def _en(event: AttackEvent) -> dict[str, Any]:
    night = event.window.night_of
    eve = night - timedelta(days=1)
    drones, missiles = _n(event, Metric.DRONES_LAUNCHED), _n(event, Metric.MISSILES_LAUNCHED)
    parts = []
    if drones:
        parts.append(f"{drones} Shahed-type strike UAVs and decoy drones of various types")
    if missiles:
        parts.append(f"{missiles} missiles")
    body = (
        f"On the night of {night.day} {_EN_MONTHS[night.month - 1]} (from 18:00 on {eve.day} {_EN_MONTHS[eve.month - 1]}), "
        f"the enemy attacked with {drones + missiles} means of air attack: {'; '.join(parts)}.\n\n"
        "The air attack was repelled by aviation, anti-aircraft missile troops, EW and unmanned systems units "
        "and mobile fire groups of the Defence Forces of Ukraine."
    )
    if drones:
        body += f"\n\nAs of 09:00, air defence neutralised {_n(event, Metric.DRONES_NEUTRALIZED)} enemy UAVs."
    return {"title": f"Air defence results, night of {night.day} {_EN_MONTHS[night.month - 1]}", "body": body, "language": "en"}


def _uk(event: AttackEvent) -> dict[str, Any]:
    night = event.window.night_of
    eve = night - timedelta(days=1)
    drones, missiles = _n(event, Metric.DRONES_LAUNCHED), _n(event, Metric.MISSILES_LAUNCHED)
    parts = []
    if drones:
        parts.append(f"{drones} ударними БпЛА типу Shahed та дронами-імітаторами різних типів")
    if missiles:
        parts.append(f"{missiles} ракетами")
    body = (
        f"У ніч на {night.day} {_UK_MONTHS[night.month - 1]} (з 18:00 {eve.day} {_UK_MONTHS[eve.month - 1]}) "
        f"противник атакував {drones + missiles} засобами повітряного нападу: {', а також '.join(parts)}.\n\n"
        "Повітряний напад відбивали авіація, зенітні ракетні війська, підрозділи РЕБ та мобільні вогневі групи."
    )
    if drones:
        body += f"\n\nСтаном на 09:00 збито/подавлено {_n(event, Metric.DRONES_NEUTRALIZED)} ворожих БпЛА."
    return {"title": f"Атака в ніч на {night.day} {_UK_MONTHS[night.month - 1]}", "body": body, "language": "uk"}


def articles(csv_path: Path, after: date | None) -> Iterator[dict[str, Any]]:
    with csv_path.open(encoding="utf-8", newline="") as lines:
        events = events_from_csv(lines)
    for number, event in enumerate(e for e in events if after is None or e.window.night_of > after):
        text = _en(event) if number % 2 == 0 else _uk(event)
        published = (event.window.end or event.updated_at) + timedelta(hours=1)
        yield {
            "id": f"af-{event.window.night_of.isoformat()}-{number}",
            "source": "Air Force of the Armed Forces of Ukraine",
            "source_kind": "air_force",
            "published": published.isoformat(),
            **text,
            "expected": {"night_of": event.window.night_of.isoformat(), "drones_launched": _n(event, Metric.DRONES_LAUNCHED)},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--after", type=date.fromisoformat, help="only attacks on later nights")
    args = parser.parse_args()
    for article in articles(args.csv, args.after):
        print(json.dumps(article, ensure_ascii=False))


if __name__ == "__main__":
    main()
