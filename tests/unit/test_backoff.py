import random

from tocsin.backoff import backoff_delay, jittered


def test_backoff_doubles_per_failure_within_equal_jitter_and_stops_at_the_cap() -> None:
    rng = random.Random(7)
    for failures, ceiling in [(0, 10.0), (1, 10.0), (2, 20.0), (3, 40.0), (10, 100.0), (10_000, 100.0)]:
        delays = [backoff_delay(10.0, failures, cap=100.0, rng=rng) for _ in range(200)]
        assert ceiling / 2 <= min(delays) and max(delays) <= ceiling


def test_jittered_stays_within_its_spread_and_varies() -> None:
    rng = random.Random(7)
    delays = {jittered(60.0, 0.2, rng) for _ in range(200)}
    assert all(48.0 <= d <= 72.0 for d in delays) and len(delays) > 1
    assert jittered(60.0, 0.0, rng) == 60.0
