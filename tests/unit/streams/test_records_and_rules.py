from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from factories import report

from streams.detect import AlertLogEntry, Detection, Mark, RecordLadder, broken_record, detect
from streams.merge import merge_report
from tocsin.records import Alert, AlertKind, AttackEvent, Metric, SourceKind, alert_id
from tocsin.settings import ThresholdRule

NOW = datetime(2025, 7, 4, 10, tzinfo=UTC)
D, K = Metric.DRONES_LAUNCHED, Metric.KILLED


def event(event_id: str, drones: float, night: date, article: str = "a", killed: float | None = None) -> AttackEvent:
    figures = [(D, drones)] + ([(K, killed)] if killed is not None else [])
    made = merge_report(None, report(article, *figures, night=night), NOW, event_id)
    assert made is not None
    return made


def revise(current: AttackEvent, article: str, drones: float, kind: SourceKind = SourceKind.MEDIA) -> AttackEvent:
    revised = merge_report(current, report(article, (D, drones), hour=10 + current.revision, night=current.window.night_of, kind=kind), NOW, "")
    assert revised is not None
    return revised


class Worker:
    """The detect agent's state handling, in memory."""

    def __init__(self, rules: list[ThresholdRule] | None = None) -> None:
        self.ladder = RecordLadder()
        self.log: dict[str, AlertLogEntry] = {}
        self.cooldowns: dict[str, datetime] = {}
        self.rules = rules or []

    def see(self, e: AttackEvent) -> Detection:
        found = detect(e, record_metrics=[D], rules=self.rules, ladders={D: self.ladder}, log=self.log.get, cooldowns=self.cooldowns, now=NOW)
        self.ladder = found.ladders.get(D, self.ladder)
        self.log |= found.log
        self.cooldowns |= found.cooldowns
        return found


def test_ladder_keeps_only_marks_that_can_be_a_previous_record() -> None:
    ladder = RecordLadder()
    for value, night in ((479, 9), (300, 10), (472, 1), (539, 30)):
        ladder = ladder.with_mark(Mark(value=value, event_id=f"e{value}", night_of=date(2025, 6, night) if night < 30 else date(2025, 7, 4)))
    assert [m.value for m in ladder.marks] == [472, 479, 539]
    assert ladder.with_mark(ladder.marks[-1]) == ladder  # idempotent


def test_record_names_the_previous_one_and_fires_once_then_updates() -> None:
    worker = Worker()
    assert worker.see(event("e1", 479, date(2025, 6, 9))).alerts == []  # no history: nothing to break
    assert worker.see(event("e2", 200, date(2025, 6, 10))).alerts == []
    first = event("e3", 539, date(2025, 7, 4))
    (alert,) = worker.see(first).alerts
    assert alert.kind.value == "record" and alert.value == 539 and alert.revision == 1 and not alert.updated
    assert alert.previous is not None
    assert (alert.previous.value, alert.previous.event_id, alert.previous.night_of) == (479, "e1", date(2025, 6, 9))
    assert worker.see(first).alerts == []  # redelivered: nothing
    second = revise(first, "b", 539)
    assert worker.see(second).alerts == []  # same figure: nothing new
    (update,) = worker.see(revise(second, "c", 545, SourceKind.AIR_FORCE)).alerts
    assert update.alert_id == alert.alert_id and update.revision == 2 and update.updated and update.value == 545
    assert update.previous == alert.previous


def test_smaller_attack_next_night_and_historical_events_raise_nothing() -> None:
    worker = Worker([ThresholdRule(name="any", metric=D, value=1)])
    history = event("h", 479, date(2025, 6, 9)).model_copy(update={"historical": True})
    assert worker.see(history).alerts == []
    assert [a.kind.value for a in worker.see(event("e", 539, date(2025, 7, 4))).alerts] == ["record", "threshold"]
    assert [a.kind.value for a in worker.see(event("f", 100, date(2025, 7, 5))).alerts] == ["threshold"]


def test_threshold_fires_once_per_event_and_rule_and_respects_cool_down() -> None:
    worker = Worker([ThresholdRule(name="big", metric=D, value=400, cooldown_hours=36)])
    night = date(2025, 7, 4)
    first = event("e1", 539, night)
    assert len(worker.see(first).alerts) == 1
    assert worker.see(revise(first, "b", 600)).alerts == []
    assert worker.see(event("e2", 500, night + timedelta(days=1), "x")).alerts == []  # within 36 h
    assert len(worker.see(event("e3", 500, night + timedelta(days=2), "y")).alerts) == 1


def test_broken_record_needs_a_strictly_higher_value() -> None:
    ladder = RecordLadder().with_mark(Mark(value=537, event_id="a", night_of=date(2025, 6, 29)))
    assert broken_record(ladder, Mark(value=537, event_id="b", night_of=date(2025, 7, 4))) is None
    found = broken_record(ladder, Mark(value=550, event_id="b", night_of=date(2025, 7, 4)))
    assert found is not None and found.value == 537


def effective(alerts: list[Alert]) -> dict[str, tuple[float, str, float, date]]:
    """What stands at the end: per alert id its latest revision, unless superseded."""
    latest: dict[str, Alert] = {}
    for alert in alerts:
        if alert.alert_id not in latest or alert.revision > latest[alert.alert_id].revision:
            latest[alert.alert_id] = alert
    return {
        a.alert_id: (a.value, a.event.event_id, a.previous.value, a.previous.night_of)
        for a in latest.values()
        if not a.superseded and a.previous is not None
    }


NIGHTS = [(1, 300), (2, 355), (3, 200), (4, 367), (5, 364), (6, 400), (7, 380), (8, 420), (9, 419)]


@pytest.mark.parametrize("order", ["reversed", "pairs swapped", "shuffled"])
def test_nights_out_of_order_leave_the_same_alerts_as_in_order(order: str) -> None:
    history = event("h", 350, date(2025, 5, 1)).model_copy(update={"historical": True})
    nights = [event(f"e{d}", v, date(2025, 6, d), f"a{d}") for d, v in NIGHTS]

    def run(sequence: list[AttackEvent]) -> list[Alert]:
        worker = Worker()
        worker.see(history)
        return [a for e in sequence for a in worker.see(e).alerts]

    in_order = run(nights)
    assert [(v, p[1], p[2]) for v, *p in effective(in_order).values()] == [(355, 350, date(2025, 5, 1)), (367, 355, date(2025, 6, 2)),
                                                                          (400, 367, date(2025, 6, 4)), (420, 400, date(2025, 6, 6))]
    shuffled = {
        "reversed": nights[::-1],
        "pairs swapped": [n for pair in zip(nights[1::2], nights[::2]) for n in pair] + nights[len(nights) // 2 * 2 :],
        "shuffled": random.Random(7).sample(nights, len(nights)),
    }[order]
    out_of_order = run(shuffled)
    assert effective(out_of_order) == effective(in_order)
    assert all(a.updated for a in out_of_order if a.superseded)


def test_a_late_earlier_night_supersedes_or_corrects_later_record_alerts_under_their_own_ids() -> None:
    worker = Worker()
    worker.see(event("h", 350, date(2025, 5, 1)).model_copy(update={"historical": True}))
    (spurious,) = worker.see(event("e5", 364, date(2025, 6, 5))).alerts
    (later,) = worker.see(event("e6", 400, date(2025, 6, 6))).alerts
    assert later.previous is not None and later.previous.value == 364
    found = worker.see(event("e4", 367, date(2025, 6, 4))).alerts
    by_id = {a.alert_id: a for a in found}
    assert set(by_id) == {spurious.alert_id, later.alert_id, record_id("e4")}
    retracted, corrected = by_id[spurious.alert_id], by_id[later.alert_id]
    assert retracted.superseded and retracted.revision == 2 and retracted.previous is not None and retracted.previous.value == 367
    assert not corrected.superseded and corrected.revision == 2 and corrected.previous is not None
    assert (corrected.previous.value, corrected.previous.event_id) == (367, "e4")
    assert worker.see(event("e4", 367, date(2025, 6, 4))).alerts == []  # redelivered: nothing more


def record_id(event_id: str) -> str:
    return alert_id(event_id, AlertKind.RECORD, D.value)


def test_an_event_that_absorbed_another_raises_nothing_the_alias_raised() -> None:
    rules = [ThresholdRule(name="big", metric=D, value=400)]
    worker = Worker(rules)
    worker.see(event("h", 479, date(2025, 6, 9)).model_copy(update={"historical": True}))
    later = event("b", 500, date(2025, 7, 4), "b1")
    assert sorted(a.kind.value for a in worker.see(later).alerts) == ["record", "threshold"]
    merged = revise(event("a", 300, date(2025, 7, 4), "a1"), "af", 539, SourceKind.AIR_FORCE).model_copy(update={"aliases": ("b",)})
    (update,) = worker.see(merged).alerts  # no second threshold alert, no second record alert
    assert update.alert_id == record_id("b") and update.revision == 2 and update.value == 539 and update.event.event_id == "a"
    assert worker.see(later.model_copy(update={"merged_into": "a", "revision": 2})).alerts == []
    assert [(m.event_id, m.value) for m in worker.ladder.marks] == [("h", 479), ("a", 539)]


def test_a_record_the_precedence_revises_below_the_previous_one_is_superseded_and_can_stand_again() -> None:
    worker = Worker()
    worker.see(event("h", 479, date(2025, 6, 9)).model_copy(update={"historical": True}))
    misread = event("e", 600, date(2025, 7, 4), "wire")
    (raised,) = worker.see(misread).alerts
    official = revise(misread, "af", 470, SourceKind.AIR_FORCE)
    (withdrawn,) = worker.see(official).alerts
    assert withdrawn.alert_id == raised.alert_id and withdrawn.superseded and withdrawn.revision == 2
    assert withdrawn.value == 470 and withdrawn.disputed == (470, 600)
    assert withdrawn.previous is not None and withdrawn.previous.value == 479  # the record that stands
    assert worker.see(official).alerts == []  # redelivered: nothing more
    (again,) = worker.see(revise(official, "af2", 540, SourceKind.AIR_FORCE)).alerts
    assert again.alert_id == raised.alert_id and not again.superseded and again.revision == 3 and again.value == 540


def test_a_record_the_precedence_revises_down_but_still_a_record_is_the_previous_record_at_its_new_value() -> None:
    # An outlet's misread 499 came first; the air force's 479 replaced it. The night's alert says 479,
    # and 4 July's record names 479 on 9 June (not the misreading that no longer stands).
    worker = Worker()
    worker.see(event("h", 472, date(2025, 6, 1)).model_copy(update={"historical": True}))
    misread = event("e", 499, date(2025, 6, 9), "wire")
    (raised,) = worker.see(misread).alerts
    official = revise(misread, "af", 479, SourceKind.AIR_FORCE)
    (corrected,) = worker.see(official).alerts
    assert (corrected.alert_id, corrected.revision, corrected.value, corrected.superseded) == (raised.alert_id, 2, 479, False)
    assert corrected.previous is not None and corrected.previous.value == 472
    assert worker.see(official).alerts == []  # redelivered: nothing more
    (july,) = worker.see(event("j", 539, date(2025, 7, 4))).alerts
    assert july.previous is not None and (july.previous.value, july.previous.night_of) == (479, date(2025, 6, 9))
    assert [(m.event_id, m.value) for m in worker.ladder.marks] == [("h", 472), ("e", 479), ("j", 539)]
