from streams.deliver.breaker import BreakerState, CircuitBreaker


def test_opens_after_threshold_and_reports_the_transitions_once() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=1.0, max_cooldown=4.0)
    assert breaker.failed(0.0) is False
    assert breaker.failed(0.0) is True and breaker.state is BreakerState.OPEN
    assert breaker.failed(0.1) is False  # a late answer of a request already under way
    assert breaker.probe_at() == 1.0
    assert breaker.succeeded() is True and breaker.state is BreakerState.CLOSED
    assert breaker.succeeded() is False


def test_probe_interval_doubles_up_to_the_cap_however_long_the_outage() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown=1.0, max_cooldown=4.0)
    breaker.failed(0.0)
    now, pauses = 0.0, []
    for _ in range(6):
        now += breaker.wait(now)
        assert breaker.wait(now) == 0.0 and breaker.probing
        breaker.failed(now)
        pauses.append(breaker.probe_at() - now)
    assert pauses == [2.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    assert breaker.succeeded() is True
    breaker.failed(now)
    assert breaker.probe_at() - now == 1.0  # back to the base cooldown


def test_cap_below_the_cooldown_is_the_cooldown() -> None:
    breaker = CircuitBreaker(threshold=1, cooldown=5.0, max_cooldown=1.0)
    breaker.failed(0.0)
    breaker.wait(5.0)
    breaker.failed(5.0)
    assert breaker.probe_at() == 10.0
