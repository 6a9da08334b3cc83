"""A delivery's next state after each step. Pure."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from streams.deliver.outcome import Outcome, Verdict
from streams.deliver.schedule import RetrySchedule
from tocsin.records import Alert, Attempt, Delivery, DeliveryStatus


def pending(message_id: str, alert: Alert, endpoint: str, now: datetime, *, replays: int = 0) -> Delivery:
    return Delivery(
        message_id=message_id, endpoint=endpoint, status=DeliveryStatus.PENDING,
        next_at=now, alert=alert, replays=replays, updated_at=now,
    )


def after_attempt(
    delivery: Delivery, attempt: Attempt, outcome: Outcome, schedule: RetrySchedule, rng: random.Random, now: datetime
) -> Delivery:
    attempts = (*delivery.attempts, attempt)
    if outcome.verdict is Verdict.DELIVERED:
        # The alert is dropped: a delivered record only has to prove the delivery, for ever.
        return delivery.model_copy(update={"status": DeliveryStatus.DELIVERED, "attempts": attempts, "next_at": None, "alert": None, "reason": None, "updated_at": now})
    if outcome.verdict is Verdict.RETRY and not schedule.exhausted(len(attempts)):
        next_at = now + timedelta(seconds=schedule.delay_after(len(attempts), outcome.retry_after, rng))
        return delivery.model_copy(update={"status": DeliveryStatus.RETRYING, "attempts": attempts, "next_at": next_at, "updated_at": now})
    reason = {Verdict.RETRY: "exhausted", Verdict.REJECTED: "rejected", Verdict.GONE: "gone"}[outcome.verdict]
    return dead(delivery.model_copy(update={"attempts": attempts}), reason, now)


def dead(delivery: Delivery, reason: str, now: datetime) -> Delivery:
    return delivery.model_copy(update={"status": DeliveryStatus.DEAD, "next_at": None, "reason": reason, "updated_at": now})
