from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from streams.deliver.outcome import Outcome, Verdict
from streams.deliver.sample import sample_alert
from streams.deliver.schedule import RetrySchedule
from streams.deliver.state import after_attempt, pending
from tocsin.records import Attempt, Delivery, DeliveryStatus

NOW = datetime(2025, 7, 4, 6, 0, tzinfo=UTC)
SCHEDULE = RetrySchedule((0, 5, 300), jitter=0.0, max_attempts=3)


def step(delivery: Delivery, verdict: Verdict, token: str, retry_after: float | None = None) -> Delivery:
    attempt = Attempt(at=NOW, outcome=token, duration_ms=1.0)
    return after_attempt(delivery, attempt, Outcome(verdict, token, retry_after=retry_after), SCHEDULE, random.Random(0), NOW)


def test_success_keeps_only_the_proof() -> None:
    alert = sample_alert()
    done = step(pending(alert.alert_id, alert, "hook", NOW), Verdict.DELIVERED, "http_200")
    assert done.status is DeliveryStatus.DELIVERED and done.alert is None and len(done.attempts) == 1
    assert Delivery.from_bytes(done.to_bytes()) == done


def test_retries_follow_the_schedule_then_dead_letter_with_every_attempt() -> None:
    alert = sample_alert()
    d = step(pending(alert.alert_id, alert, "hook", NOW), Verdict.RETRY, "http_503")
    assert d.status is DeliveryStatus.RETRYING and d.next_at == NOW + timedelta(seconds=5) and d.alert == alert
    d = step(d, Verdict.RETRY, "timeout", retry_after=600)
    assert d.next_at == NOW + timedelta(seconds=600)
    d = step(d, Verdict.RETRY, "connection")
    assert d.status is DeliveryStatus.DEAD and d.reason == "exhausted"
    assert [a.outcome for a in d.attempts] == ["http_503", "timeout", "connection"] and d.alert == alert


def test_rejection_and_gone_are_final() -> None:
    alert = sample_alert()
    rejected = step(pending(alert.alert_id, alert, "hook", NOW), Verdict.REJECTED, "http_400")
    gone = step(pending(alert.alert_id, alert, "hook", NOW), Verdict.GONE, "http_410")
    assert (rejected.status, rejected.reason) == (DeliveryStatus.DEAD, "rejected")
    assert (gone.status, gone.reason) == (DeliveryStatus.DEAD, "gone")


def test_delivery_key() -> None:
    alert = sample_alert()
    assert pending(alert.alert_id, alert, "hook", NOW).key == f"{alert.alert_id}|hook"
