from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from factories import report

from streams.detect import AlertLogEntry, Detection, Mark, RecordLadder, broken_record, detect
from streams.merge import merge_report
from tocsin.records import AttackEvent, Metric
from tocsin.settings import ThresholdRule

NOW = datetime(2025, 7, 4, 10, tzinfo=UTC)
D, K = Metric.DRONES_LAUNCHED, Metric.KILLED


def event(event_id: str, drones: float, night: date, article: str = "a", killed: float | None = None) -> AttackEvent:
    figures = [(D, drones)] + ([(K, killed)] if killed is not None else [])
    made = merge_report(None, report(article, *figures, night=night), NOW, event_id)
    assert made is not None
    return made


def revise(current: AttackEvent, article: str, drones: float) -> AttackEvent:
    revised = merge_report(current, report(article, (D, drones), hour=10 + current.revision, night=current.window.night_of), NOW, "")
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
        found = detect(e, record_metrics=[D], rules=self.rules, ladders={D: self.ladder}, log=self.log, cooldowns=self.cooldowns, now=NOW)
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
    (update,) = worker.see(revise(second, "c", 545)).alerts
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
