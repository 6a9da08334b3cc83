from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.deliver.outcome import Verdict, from_error, from_status, retry_after

NOW = datetime(2025, 7, 4, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [(200, Verdict.DELIVERED), (204, Verdict.DELIVERED), (408, Verdict.RETRY), (429, Verdict.RETRY),
     (500, Verdict.RETRY), (503, Verdict.RETRY), (400, Verdict.REJECTED), (401, Verdict.REJECTED),
     (404, Verdict.REJECTED), (413, Verdict.REJECTED), (410, Verdict.GONE), (301, Verdict.REJECTED)],
)
def test_statuses(status: int, verdict: Verdict) -> None:
    outcome = from_status(status, {}, NOW)
    assert outcome.verdict is verdict and outcome.token == f"http_{status}" and outcome.status == status


def test_errors_are_retried() -> None:
    assert from_error("timeout").verdict is Verdict.RETRY


def test_retry_after_seconds_pauses_the_endpoint_on_429() -> None:
    outcome = from_status(429, {"retry-after": "7"}, NOW)
    assert outcome.retry_after == 7 and outcome.pause == 7


def test_retry_after_http_date() -> None:
    assert retry_after({"Retry-After": "Fri, 04 Jul 2025 06:02:00 GMT"}, NOW) == 120


def test_retry_after_in_the_past_or_garbage() -> None:
    assert retry_after({"Retry-After": "Fri, 04 Jul 2025 05:00:00 GMT"}, NOW) == 0
    assert retry_after({"Retry-After": "soon"}, NOW) is None


def test_hostile_retry_after_is_capped() -> None:
    assert retry_after({"Retry-After": "999999999"}, NOW) == 24 * 3600


def test_503_retry_after_delays_the_delivery_but_does_not_pause_the_endpoint() -> None:
    outcome = from_status(503, {"Retry-After": "30"}, NOW)
    assert outcome.retry_after == 30 and outcome.pause is None


def test_discord_rate_limit_headers() -> None:
    assert from_status(429, {"X-RateLimit-Reset-After": "1.5"}, NOW).retry_after == 1.5
    emptied = from_status(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "2.25"}, NOW)
    assert emptied.verdict is Verdict.DELIVERED and emptied.pause == 2.25
    assert from_status(200, {"X-RateLimit-Remaining": "3", "X-RateLimit-Reset-After": "2"}, NOW).pause is None
