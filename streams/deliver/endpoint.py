"""One endpoint's queue: its own dispatcher, concurrency slots, pacing and
circuit breaker, so nothing another endpoint does can slow it down."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

from streams.deliver.breaker import BreakerState, CircuitBreaker
from streams.deliver.outcome import Verdict
from streams.deliver.pacing import Pacer
from streams.deliver.render import BodyCache
from streams.deliver.schedule import RetrySchedule
from streams.deliver.sender import Sender
from streams.deliver.state import after_attempt, dead
from tocsin.observability.metrics import (
    ALERTS_DELIVERED,
    RAW_TO_DELIVERED_SECONDS,
    WEBHOOK_ATTEMPTS,
    WEBHOOK_BREAKER_STATE,
    WEBHOOK_LATENCY,
    WEBHOOK_QUEUE_DEPTH,
)
from tocsin.records import Delivery, utc_now
from tocsin.settings import WebhookEndpoint, WebhookSettings

log = structlog.get_logger(__name__)


@dataclass(order=True)
class Job:
    due: float  # monotonic
    seq: int
    partition: int = field(compare=False)
    delivery: Delivery = field(compare=False)
    # The alert's offset while this delivery has no state on record yet (its first attempt).
    ticket: int | None = field(compare=False, default=None)
    holds_slot: bool = field(compare=False, default=False)
    # Taken before its time as an open breaker's probe: a failure leaves its schedule as it was.
    early: bool = field(compare=False, default=False)


Record = Callable[[int, Delivery, int | None], Awaitable[None]]
"""Persists a delivery's new state (partition, state, ticket) before the next step."""


class EndpointQueue:
    def __init__(
        self, endpoint: WebhookEndpoint, settings: WebhookSettings, sender: Sender, bodies: BodyCache, record: Record
    ) -> None:
        self.endpoint = endpoint
        self._bodies = bodies
        self._sender = sender
        self._target = sender.target(endpoint)
        self._record = record
        self._schedule = RetrySchedule.from_settings(settings)
        self._breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_seconds, settings.breaker_max_cooldown_seconds)
        self._pacer = Pacer(endpoint.requests_per_second)
        self._slots = asyncio.Semaphore(endpoint.concurrency)
        self._rng = random.Random()
        self._heap: list[Job] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._down_since = 0.0
        self._held: Job | None = None
        self._in_flight: dict[asyncio.Task[None], Job] = {}
        self._dispatcher: asyncio.Task[None] | None = None
        self._depth = WEBHOOK_QUEUE_DEPTH.labels(endpoint.name)
        self._breaker_gauge = WEBHOOK_BREAKER_STATE.labels(endpoint.name)
        self._breaker_gauge.set(BreakerState.CLOSED)

    def start(self) -> None:
        self._dispatcher = asyncio.create_task(self._dispatch(), name=f"deliver:{self.endpoint.name}")

    async def stop(self, grace: float) -> None:
        """Stop dispatching; give attempts under way ``grace`` seconds, then cancel
        them (their state stays pending, so the next start resumes them)."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            await asyncio.gather(self._dispatcher, return_exceptions=True)
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=grace)
        await self._cancel(list(self._in_flight))

    def submit(self, partition: int, delivery: Delivery, ticket: int | None = None) -> None:
        assert delivery.next_at is not None
        due = time.monotonic() + max((delivery.next_at - utc_now()).total_seconds(), 0.0)
        heapq.heappush(self._heap, Job(due, next(self._seq), partition, delivery, ticket))
        self._wake.set()
        self._update_depth()

    async def drop(self, partitions: set[int]) -> None:
        """Forget the jobs of partitions this process no longer owns."""
        self._heap = [j for j in self._heap if j.partition not in partitions]
        heapq.heapify(self._heap)
        if self._held is not None and self._held.partition in partitions:
            self._held = None
        await self._cancel([t for t, j in self._in_flight.items() if j.partition in partitions])
        self._update_depth()

    async def _cancel(self, tasks: list[asyncio.Task[None]]) -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _update_depth(self) -> None:
        self._depth.set(len(self._heap) + len(self._in_flight) + (self._held is not None))

    async def _next_due(self) -> Job:
        while True:
            if self._heap:
                now = time.monotonic()
                wait = self._heap[0].due - now
                if self._breaker.state is BreakerState.OPEN:
                    # The probe goes when the breaker allows it, even if no retry is due yet.
                    wait = min(wait, self._breaker.probe_at() - now)
                if wait <= 0:
                    job = heapq.heappop(self._heap)
                    job.early = job.due > now
                    return job
            else:
                wait = None
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass

    async def _dispatch(self) -> None:
        while True:
            job = self._held = await self._next_due()
            # A slot first, then the pauses: a 429 that arrives while we wait for a slot still counts.
            await self._slots.acquire()
            try:
                while (wait := self._rest()) > 0:
                    await asyncio.sleep(wait)
                await asyncio.sleep(self._pacer.delay(time.monotonic()))
            except BaseException:
                self._slots.release()
                raise
            if self._held is None:  # dropped while it waited
                self._slots.release()
                continue
            self._held = None
            job.holds_slot = True
            if self._breaker.probing:
                # One probe at a time while half-open: its outcome decides for the rest.
                await self._track(job)
                continue
            asyncio.create_task(self._track(job))

    def _free_slot(self, job: Job) -> None:
        """A slot bounds requests to the receiver, so it is freed once the answer
        is in, not after our own record of it (the delivery's next step waits for that)."""
        if job.holds_slot:
            job.holds_slot = False
            self._slots.release()

    def _rest(self) -> float:
        now = time.monotonic()
        wait = max(self._paused_until - now, self._breaker.wait(now))
        self._breaker_gauge.set(self._breaker.state)
        return wait

    async def _track(self, job: Job) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._in_flight[task] = job
        self._update_depth()
        try:
            if self._breaker.state is BreakerState.DISABLED:
                await self._record(job.partition, dead(job.delivery, "gone", utc_now()), job.ticket)
            else:
                await self._attempt(job)
        except Exception:
            # Recording failed (Kafka): the state stays where it was, so a restart retries it.
            log.exception("delivery step failed", endpoint=self.endpoint.name, message_id=job.delivery.message_id)
        finally:
            self._free_slot(job)
            self._in_flight.pop(task, None)
            self._update_depth()

    async def _attempt(self, job: Job) -> None:
        delivery = job.delivery
        assert delivery.alert is not None, "only pending deliveries are queued"
        result = await self._sender.attempt(self._target, delivery.message_id, self._bodies.render(delivery.alert, self.endpoint))
        outcome = result.outcome
        WEBHOOK_ATTEMPTS.labels(self.endpoint.name, outcome.token if outcome.verdict is not Verdict.DELIVERED else "ok").inc()
        now = time.monotonic()
        if outcome.pause:
            self._paused_until = max(self._paused_until, now + outcome.pause)
        match outcome.verdict:
            case Verdict.DELIVERED:
                self._answered(now)
                WEBHOOK_LATENCY.labels(self.endpoint.name).observe((utc_now() - delivery.alert.raised_at).total_seconds())
                if (arrived := delivery.alert.event.last_raw_arrived_at) is not None:
                    RAW_TO_DELIVERED_SECONDS.labels(self.endpoint.name).observe((utc_now() - arrived).total_seconds())
            case Verdict.REJECTED:
                self._answered(now)  # the receiver is up, whatever it thought of this payload
            case Verdict.RETRY:
                if self._breaker.failed(now):
                    self._down_since = now
                    log.warning(
                        "webhook endpoint failing, breaker opened", endpoint=self.endpoint.name, reason=outcome.token,
                        probe_in_s=round(self._breaker.probe_at() - now, 3),
                    )
            case Verdict.GONE:
                self._breaker.disable()
                log.error("webhook endpoint answered 410 Gone: disabled until restart", endpoint=self.endpoint.name)
        self._breaker_gauge.set(self._breaker.state)
        self._free_slot(job)
        if job.early and outcome.verdict is Verdict.RETRY:
            # Only a probe: the receiver is still away, and the delivery keeps its attempts and its turn,
            # so probing every few seconds cannot use up its attempts however long the outage.
            log.warning("webhook endpoint probe failed", endpoint=self.endpoint.name, reason=outcome.token)
            job.early = False
            heapq.heappush(self._heap, job)
            self._update_depth()
            return
        following = after_attempt(delivery, result.attempt, outcome, self._schedule, self._rng, utc_now())
        await self._record(job.partition, following, job.ticket)
        if outcome.verdict is Verdict.DELIVERED:
            # Counted once recorded: from here on a restart will not send it again.
            ALERTS_DELIVERED.labels(self.endpoint.name, "delivered").inc()
            log.info(
                "alert delivered", alert_id=delivery.alert.alert_id, event_id=delivery.alert.event.event_id,
                endpoint=self.endpoint.name, attempts=len(following.attempts), duration_s=round(result.attempt.duration_ms / 1000, 4),
            )
        if outcome.verdict is Verdict.RETRY:
            log.warning(
                "webhook attempt failed", endpoint=self.endpoint.name, message_id=delivery.message_id, reason=outcome.token,
                attempt=len(following.attempts), retry_in_s=round((following.next_at - utc_now()).total_seconds(), 3) if following.next_at else None,
            )
        if following.next_at is not None:
            self.submit(job.partition, following)

    def _answered(self, now: float) -> None:
        """The receiver answered: after an outage, what waits for a retry goes now, not at its
        scheduled time (up to hours away after a long outage), paced by the endpoint's slots."""
        if not self._breaker.succeeded():
            return
        for waiting in self._heap:
            waiting.due = min(waiting.due, now)
        heapq.heapify(self._heap)
        self._wake.set()
        log.info(
            "webhook endpoint answering again, breaker closed", endpoint=self.endpoint.name,
            down_s=round(now - self._down_since, 3), backlog=len(self._heap),
        )
