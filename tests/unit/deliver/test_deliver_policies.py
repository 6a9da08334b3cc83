"""Retry schedule, circuit breaker and pacing: pure, with the clock passed in."""

from __future__ import annotations

import random

from streams.deliver.breaker import BreakerState, CircuitBreaker
from streams.deliver.pacing import Pacer
from streams.deliver.schedule import RetrySchedule
from tocsin.settings import WebhookSettings


def test_default_schedule_is_standard_webhooks() -> None:
    schedule = RetrySchedule.from_settings(WebhookSettings())
    assert schedule.delays == (0, 5, 300, 1800, 7200, 18000, 36000, 36000) and schedule.max_attempts == 8


def test_delay_is_jittered_around_the_schedule_and_the_last_entry_repeats() -> None:
    schedule = RetrySchedule((0, 5, 300), jitter=0.2, max_attempts=10)
    rng = random.Random(1)
    assert schedule.delay_after(0, None, rng) == 0
    delays = [schedule.delay_after(1, None, rng) for _ in range(200)]
    assert all(4 <= d <= 6 for d in delays) and len(set(delays)) > 100
    assert 240 <= schedule.delay_after(7, None, rng) <= 360


def test_retry_after_wins_when_longer() -> None:
    schedule = RetrySchedule((0, 5), jitter=0.0, max_attempts=5)
    assert schedule.delay_after(1, 60, random.Random()) == 60
    assert schedule.delay_after(1, 1, random.Random()) == 5


def test_attempts_are_bounded() -> None:
    schedule = RetrySchedule((0,), jitter=0, max_attempts=3)
    assert not schedule.exhausted(2) and schedule.exhausted(3)


def test_breaker_opens_after_consecutive_failures_then_probes() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown=10, max_cooldown=40)
    for t in range(2):
        breaker.failed(t)
    assert breaker.state is BreakerState.CLOSED and breaker.wait(2) == 0
    breaker.failed(2)
    assert breaker.state is BreakerState.OPEN and breaker.wait(5) == 7
    assert breaker.wait(12) == 0 and breaker.probing
    breaker.failed(12)  # the probe failed: open again, twice as long
    assert breaker.state is BreakerState.OPEN and breaker.wait(12) == 20
    assert breaker.wait(32) == 0 and breaker.probing
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED and breaker.wait(32) == 0


def test_breaker_success_resets_the_count() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=10, max_cooldown=40)
    breaker.failed(0)
    breaker.succeeded()
    breaker.failed(1)
    assert breaker.state is BreakerState.CLOSED


def test_disabled_breaker_stays_disabled() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=10, max_cooldown=40)
    breaker.disable()
    breaker.succeeded()
    breaker.failed(0)
    assert breaker.state is BreakerState.DISABLED


def test_pacer_spaces_requests() -> None:
    pacer = Pacer(per_second=2)
    assert [pacer.delay(10.0) for _ in range(3)] == [0.0, 0.5, 1.0]
    assert pacer.delay(20.0) == 0.0
    assert Pacer(None).delay(1.0) == 0.0
