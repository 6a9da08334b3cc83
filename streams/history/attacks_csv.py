"""Historical attacks from the Air Force dataset (format of missile_attacks_daily.csv).

One national Air Force report (a ``source`` starting with ``kpszsu/``) is one
attack; it spans one row per weapon model. The dataset reuses some ``source``
values for reports of other nights (months apart, or the next night), so a
report is a source's rows whose times overlap or follow within a few hours:
rows further apart are another attack. Regional commands' rows repeat
part of a national report and are skipped. Counted, as the data README says:
long-range attack drones incl. decoys (Shahed/Geran and the like) and all
missiles; reconnaissance drones (Orlan, ZALA, Supercam, Merlin, Orion …),
tactical Lancet/Molniya, guided bombs and "Unknown UAV" rows (which cannot be
told apart from reconnaissance) are not. Event ids follow the merge stage's
scheme, so a live report of a backfilled night revises the same event.

``write_csv`` is the way back: events as rows of the same columns (one drone
row and one missile row per attack), which ``events_from_csv`` reads to the
same events. Tocsin's own events carry a ``tocsin/`` source and are read like
national reports.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import TextIO
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from streams.history.exceptions import HistoryError, count
from tocsin.records import AttackEvent, EventFigure, EventSource, Metric, Qualifier, SourceKind, Window

_KYIV = ZoneInfo("Europe/Kyiv")
_NATIONAL = ("kpszsu/", "tocsin/")
_OWN_EVENTS = "tocsin/events/"
_EVENT_ID = re.compile(r"evt_[0-9a-f]{24}")
_COLUMNS = ("time_start", "time_end", "model", "launched", "destroyed", "not_reach_goal", "source")
# What write_csv fills: the dataset's columns, in its order, that an event carries.
WRITTEN_COLUMNS = ("time_start", "time_end", "model", "target", "launched", "destroyed", "not_reach_goal", "source")
ATTACKER, TARGET = "RU", "UA"
_DRONE_MODEL, _MISSILE_MODEL = "Shahed-136/131", "Missiles (all types)"
_SOURCE_NAME = "Air Force of Ukraine (missile_attacks_daily.csv, compiled by Petro Ivaniuk)"


@dataclass(frozen=True)
class WeaponClassifier:
    attack_drones: tuple[str, ...] = ("shahed", "geran", "gerbera", "привет", "decoy")
    missiles: tuple[str, ...] = (
        "x-", "kh-", "kalibr", "iskander", "kn-23", "c-300", "c-400", "s-300", "s-400", "kinzhal",
        "zircon", "oniks", "missile", "banderol",
    )

    def classify(self, model: str) -> str | None:
        """'drone', 'missile' or None (not a long-range attack weapon). A row naming several
        models ("Shahed-136/131 and Lancet") counts as its long-range part."""
        parts = [p.strip().casefold() for p in model.split(" and ")]
        if any(any(m in p for m in self.missiles) for p in parts):
            return "missile"
        if any(any(d in p for d in self.attack_drones) for p in parts):
            return "drone"
        return None


@dataclass
class _Attack:
    source: str
    start: datetime
    end: datetime
    drones: float = 0.0
    drones_shot_down: float = 0.0
    drones_neutralized: float = 0.0
    missiles: float = 0.0
    missiles_intercepted: float = 0.0
    has_drones: bool = False
    has_missiles: bool = False


def events_from_csv(lines: Iterable[str], until: date | None = None, classifier: WeaponClassifier = WeaponClassifier()) -> list[AttackEvent]:
    """Historical events, oldest first, for nights on or before ``until``."""
    per_source: dict[str, list[_Row]] = {}
    rows = csv.DictReader(lines)
    missing = [c for c in _COLUMNS if c not in (rows.fieldnames or ())]
    if missing:
        raise HistoryError(1, f"not the Air Force dataset's format: missing column(s) {', '.join(missing)}")
    for row in rows:
        source = row.get("source") or ""
        kind = classifier.classify(row.get("model") or "")
        if not source.startswith(_NATIONAL) or kind is None:
            continue
        try:
            start, end = _local(row["time_start"]), _local(row["time_end"])
        except ValueError as exc:
            raise HistoryError(rows.line_num, f"bad time_start/time_end ({exc})") from exc
        counts = tuple(_number(row, column, rows.line_num) for column in ("launched", "destroyed", "not_reach_goal"))
        per_source.setdefault(source, []).append(_Row(start, end, kind, *counts))
    attacks = [attack for source, report in per_source.items() for attack in _attacks(source, report)]
    ordered = sorted(attacks, key=lambda a: (a.end.date(), a.start, a.source))
    return [e for e in _events(ordered) if until is None or e.window.night_of <= until]


@dataclass(frozen=True)
class _Row:
    start: datetime
    end: datetime
    kind: str
    launched: float
    destroyed: float
    lost: float


# In the dataset, rows of one report are at most 6 h apart (missiles inside or just after the
# drones' night), and a reused source's other nights at least 9 h (09:00 to 18:00 the same day).
_SAME_REPORT_GAP = timedelta(hours=7)


def _attacks(source: str, rows: list[_Row]) -> Iterator[_Attack]:
    """A source's rows as attacks: runs of rows whose times overlap or follow within the gap."""
    attack: _Attack | None = None
    for row in sorted(rows, key=lambda r: (r.start, r.end)):
        if attack is None or row.start > attack.end + _SAME_REPORT_GAP:
            if attack is not None:
                yield attack
            attack = _Attack(source=source, start=row.start, end=row.end)
        attack.end = max(attack.end, row.end)
        _add(attack, row)
    if attack is not None:
        yield attack


def _add(attack: _Attack, row: _Row) -> None:
    launched, destroyed, lost = row.launched, row.destroyed, row.lost
    if row.kind == "drone":
        attack.has_drones = True
        attack.drones += launched
        attack.drones_shot_down += destroyed
        attack.drones_neutralized += destroyed + lost
    else:
        attack.has_missiles = True
        attack.missiles += launched
        attack.missiles_intercepted += destroyed


def _events(attacks: list[_Attack]) -> Iterator[AttackEvent]:
    per_night: dict[date, int] = {}
    for attack in attacks:
        night = attack.end.date()
        ordinal = per_night.get(night, 0)
        per_night[night] = ordinal + 1
        key = f"{ATTACKER}>{TARGET}@{night.isoformat()}" + (f"#{ordinal}" if ordinal else "")
        yield AttackEvent(
            event_id=_own_id(attack.source) or "evt_" + hashlib.sha256(key.encode()).hexdigest()[:24],
            revision=1,
            attacker=ATTACKER,
            target=TARGET,
            window=Window(start=attack.start, end=attack.end, night_of=night),
            figures=tuple(_figures(attack)),
            sources=(
                EventSource(
                    article_id=attack.source,
                    source=_SOURCE_NAME if attack.source.startswith(_NATIONAL[0]) else "Tocsin export",
                    kind=SourceKind.AIR_FORCE,
                    published_at=attack.end,
                ),
            ),
            updated_at=attack.end,  # deterministic: backfilling twice produces identical records
            historical=True,
        )


def _figures(attack: _Attack) -> Iterator[EventFigure]:
    values: list[tuple[Metric, float]] = []
    if attack.has_drones:
        values += [
            (Metric.DRONES_LAUNCHED, attack.drones),
            (Metric.DRONES_NEUTRALIZED, attack.drones_neutralized),
            (Metric.DRONES_SHOT_DOWN, attack.drones_shot_down),
        ]
    if attack.has_missiles:
        values += [(Metric.MISSILES_LAUNCHED, attack.missiles), (Metric.MISSILES_INTERCEPTED, attack.missiles_intercepted)]
    values.append((Metric.AERIAL_WEAPONS_LAUNCHED, attack.drones + attack.missiles))
    for metric, value in sorted(values):
        yield EventFigure(metric=metric, value=value, qualifier=Qualifier.EXACT, claims=())


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _local(text: str) -> datetime:
    """A Kyiv time of the past: a year 1 or 9999 (a typo, or a hostile file) would otherwise
    become an event, or overflow on its way to UTC."""
    day, _, clock = text.strip().partition(" ")
    hour, _, minute = (clock or "0:0").partition(":")
    moment = datetime.fromisoformat(day).replace(hour=int(hour), minute=int(minute or 0), tzinfo=_KYIV)
    if not _EARLIEST <= moment <= datetime.now(UTC) + timedelta(days=1):
        raise ValueError(f"{text.strip()[:40]!r} is before 1970 or in the future")
    return moment


def _number(row: dict[str, str], column: str, line: int) -> float:
    """An empty cell is 0 (the dataset leaves not_reach_goal empty when nothing was lost); anything
    else must be a count."""
    text = (row.get(column) or "").strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        raise HistoryError(line, f"{column}: {text[:40]!r} is not a number") from None
    return count(value, line, column)


def write_csv(events: Iterable[AttackEvent], out: TextIO) -> int:
    """Write the RU→UA events (the dataset's scope) as dataset rows, oldest night first; the rows written.

    Times are Kyiv wall-clock times, as in the dataset; an event without a window
    gets its night's date alone. A drone figure known only as neutralised is
    written as destroyed (the dataset has no column for it alone).
    """
    writer = csv.DictWriter(out, fieldnames=WRITTEN_COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows = 0
    chosen = sorted((e for e in events if (e.attacker, e.target) == (ATTACKER, TARGET)), key=lambda e: (e.window.night_of, e.window.start or e.updated_at))
    for event in chosen:
        for row in _rows(event):
            writer.writerow(row)
            rows += 1
    return rows


def _rows(event: AttackEvent) -> Iterator[dict[str, str]]:
    night = event.window.night_of.isoformat()
    base = {
        "time_start": _wall_clock(event.window.start) or night,
        "time_end": _wall_clock(event.window.end) or night,
        "target": "Ukraine",
        "source": _export_source(event),
    }
    drones, missiles = event.value(Metric.DRONES_LAUNCHED), event.value(Metric.MISSILES_LAUNCHED)
    if drones is not None:
        neutralized = event.value(Metric.DRONES_NEUTRALIZED)
        shot_down = event.value(Metric.DRONES_SHOT_DOWN)
        destroyed = shot_down if shot_down is not None else neutralized
        lost = neutralized - shot_down if neutralized is not None and shot_down is not None else None
        yield {**base, "model": _DRONE_MODEL, "launched": _cell(drones), "destroyed": _cell(destroyed), "not_reach_goal": _cell(lost)}
    if missiles is not None:
        intercepted = event.value(Metric.MISSILES_INTERCEPTED)
        yield {**base, "model": _MISSILE_MODEL, "launched": _cell(missiles), "destroyed": _cell(intercepted), "not_reach_goal": ""}


def _export_source(event: AttackEvent) -> str:
    """The Air Force report's own source value when the event came from one, else the event's id."""
    national = next((s.article_id for s in event.sources if s.article_id.startswith(_NATIONAL[0])), None)
    return national or f"{_OWN_EVENTS}{event.event_id}"


def _own_id(source: str) -> str | None:
    """The id of one of Tocsin's events written by write_csv: read back under it, not under an ordinal
    of its night (two waves of one night would swap ids when their order differs from the ids')."""
    own = source.removeprefix(_OWN_EVENTS)
    return own if own != source and _EVENT_ID.fullmatch(own) else None


def _wall_clock(moment: datetime | None) -> str | None:
    return moment.astimezone(_KYIV).strftime("%Y-%m-%d %H:%M") if moment is not None else None


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
