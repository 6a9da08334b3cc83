"""WebSub subscriptions of one poller: subscribe, verify intent, authenticate pushes, renew, fall back.

One lease per feed this poller owns and whose feed advertises a hub. The callback URL is
``<websub.callback_url>/<feed id>/<token>``: unguessable, unique per subscription and new at every
renewal (WebSub §5.1.1), each with its own random ``hub.secret``. The subscription being renewed
keeps accepting pushes until the hub verified its successor. A hub that refuses, cannot be
reached, denies, does not verify in time or lets the lease lapse puts the feed back on its normal
poll interval (and polls it at once); it is asked again (the hub last advertised, or the one a
changed document names) after a doubling ``websub.retry_seconds``.
Leases live in memory: after a restart the first polls subscribe again, and the hub's pushes to the
old callbacks get 410 Gone, which tells it to drop them.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urljoin

import aiohttp
import structlog
from yarl import URL

from monitor.fetch import FetchResult
from monitor.schedule import backoff_delay
from monitor.websub.discovery import Advertised, discover
from monitor.websub.signature import valid_signature
from tocsin.observability.metrics import WEBSUB_HUB_FAILURES, WEBSUB_PUSHES, WEBSUB_RENEWALS, WEBSUB_SUBSCRIPTIONS, WEBSUB_VERIFICATIONS
from tocsin.net.guard import BlockedAddress, check_literal
from tocsin.settings import WebSubSettings

log = structlog.get_logger(__name__)

Push = Callable[[str, bytes, str | None], bool]  # feed id, body, content type → owned and taken
Changed = Callable[[str, bool], None]  # feed id, whether pushes now carry it

_HUB_REDIRECTS = frozenset({307, 308})  # WebSub §5.1.2: a hub may hand the request on to another
_MAX_HUB_HOPS = 3
_CHECK_EVERY_SECONDS = 0.5
# Every series from the start, so that rate() sees the first push and the dashboard has rows to show.
for _outcome in ("accepted", "bad_signature", "unsigned", "unknown_subscription", "not_owned"):
    WEBSUB_PUSHES.labels(_outcome)
for _outcome in ("verified", "refused", "denied"):
    WEBSUB_VERIFICATIONS.labels(_outcome)
for _outcome in ("ok", "failed"):
    WEBSUB_RENEWALS.labels(_outcome)
for _reason in ("refused", "unreachable", "denied", "verify_timeout", "expired"):
    WEBSUB_HUB_FAILURES.labels(_reason)


class Answer(StrEnum):
    VERIFIED = "verified"
    REFUSED = "refused"
    DENIED = "denied"


@dataclass
class Callback:
    token: str
    secret: str

    @classmethod
    def fresh(cls) -> Callback:
        return cls(secrets.token_urlsafe(24), secrets.token_hex(32))  # hub.secret must stay under 200 bytes


@dataclass
class Lease:
    feed_id: str
    hub: str
    topic: str
    active: Callback | None = None
    pending: Callback | None = None
    pending_since: float = 0.0
    expires_at: float = 0.0
    granted_seconds: float = 0.0
    failures: int = 0
    retry_at: float = 0.0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def callback(self, token: str) -> Callback | None:
        return next((c for c in (self.active, self.pending) if c is not None and secrets.compare_digest(c.token, token)), None)


class Subscriptions:
    def __init__(self, settings: WebSubSettings, session: aiohttp.ClientSession, *, allow_private_addresses: bool, push: Push, changed: Changed) -> None:
        assert settings.callback_url is not None
        self._settings = settings
        self._base = settings.callback_url.rstrip("/")
        self._session = session
        self._allow_private = allow_private_addresses
        self._push = push
        self._changed = changed
        self._leases: dict[str, Lease] = {}
        self._no_hub_until: dict[str, float] = {}  # feeds that advertised no hub: not looked at again before then
        self._timeout = aiohttp.ClientTimeout(total=20.0, sock_connect=5.0)
        self._checker: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._checker = asyncio.create_task(self._check_leases())

    async def stop(self) -> None:
        tasks = [t for lease in self._leases.values() for t in lease.tasks]
        if self._checker is not None:
            tasks.append(self._checker)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def callback_url(self, feed_id: str, callback: Callback) -> str:
        return f"{self._base}/{feed_id}/{callback.token}"

    def pushed(self, feed_id: str) -> bool:
        lease = self._leases.get(feed_id)
        return lease is not None and lease.active is not None

    # -- discovery and subscribing ---------------------------------------------------------------

    def offer(self, feed_id: str, result: FetchResult) -> None:
        """A feed's fetched document: subscribe if it advertises a hub and no subscription holds or is under way."""
        now = time.monotonic()
        lease = self._leases.get(feed_id)
        if lease is not None and (lease.active or lease.pending or now < lease.retry_at):
            return
        if now < self._no_hub_until.get(feed_id, 0.0) or result.body is None:
            return
        advertised = discover(result.body, result.url, result.headers.get("Link"))
        if advertised is None:
            self._no_hub_until[feed_id] = now + self._settings.retry_seconds
            return
        self._subscribe(feed_id, advertised, failures=lease.failures if lease else 0)

    def _subscribe(self, feed_id: str, advertised: Advertised, *, failures: int = 0) -> None:
        lease = self._leases.get(feed_id)
        if lease is None or (lease.hub, lease.topic) != advertised:
            lease = self._leases[feed_id] = Lease(feed_id, advertised.hub, advertised.topic, failures=failures)
        self._request(lease)

    def _request(self, lease: Lease) -> None:
        lease.pending, lease.pending_since = Callback.fresh(), time.monotonic()
        task = asyncio.create_task(self._post(lease, lease.pending))
        lease.tasks.add(task)
        task.add_done_callback(lease.tasks.discard)

    async def _post(self, lease: Lease, callback: Callback) -> None:
        form = {
            "hub.mode": "subscribe",
            "hub.topic": lease.topic,
            "hub.callback": self.callback_url(lease.feed_id, callback),
            "hub.lease_seconds": str(self._settings.lease_seconds),
            "hub.secret": callback.secret,
        }
        hub = lease.hub
        try:
            for _ in range(_MAX_HUB_HOPS):
                if not self._allow_private:
                    check_literal(URL(hub).host or "")
                async with self._session.post(hub, data=form, timeout=self._timeout, allow_redirects=False) as response:
                    if response.status in _HUB_REDIRECTS and (location := response.headers.get("Location")):
                        hub = urljoin(hub, location)
                        continue
                    if 200 <= response.status < 300:
                        log.info("websub subscription requested", feed_id=lease.feed_id, hub=hub, topic=lease.topic, status=response.status)
                        return
                    detail = (await response.text(errors="replace"))[:200]
                    self._failed(lease, callback, "refused", f"{hub} answered {response.status}: {detail}")
                    return
            self._failed(lease, callback, "refused", f"{lease.hub}: more than {_MAX_HUB_HOPS} redirects")
        except (aiohttp.ClientError, TimeoutError, BlockedAddress, ValueError) as exc:
            self._failed(lease, callback, "unreachable", f"{hub}: {exc!r}"[:300])

    def _failed(self, lease: Lease, callback: Callback | None, reason: str, detail: str) -> None:
        """A subscription request failed. A renewal keeps the verified subscription until its lease ends."""
        if callback is not None and lease.pending is not callback:
            return  # superseded meanwhile
        lease.pending = None  # a denial or a lapse ends any request under way too
        now = time.monotonic()
        if lease.active is not None and reason != "denied" and now < lease.expires_at:
            WEBSUB_RENEWALS.labels("failed").inc()
            lease.retry_at = now + min(self._settings.retry_seconds, max((lease.expires_at - now) / 2, 1.0))
            log.warning("websub renewal failed", feed_id=lease.feed_id, hub=lease.hub, reason=reason, detail=detail)
            return
        was_pushed = lease.active is not None
        lease.active = None
        lease.failures += 1
        lease.retry_at = now + backoff_delay(self._settings.retry_seconds, lease.failures, cap=64 * self._settings.retry_seconds)
        WEBSUB_HUB_FAILURES.labels(reason).inc()
        self._gauge()
        log.warning(
            "websub hub failed, polling instead", feed_id=lease.feed_id, hub=lease.hub, reason=reason, detail=detail,
            retry_in=round(lease.retry_at - now, 1),
        )
        if was_pushed:
            self._changed(lease.feed_id, False)

    def drop(self, feed_id: str) -> None:
        """The feed left this poller (revoked or removed): its pushes are no longer ours (410 from now on)."""
        lease = self._leases.pop(feed_id, None)
        self._no_hub_until.pop(feed_id, None)
        if lease is not None:
            for task in lease.tasks:
                task.cancel()
            self._gauge()

    # -- the hub calling back --------------------------------------------------------------------

    def verify(self, feed_id: str, token: str, mode: str, topic: str, lease_seconds: str | None) -> Answer:
        """The hub's GET: confirm a subscription we asked for (§5.3), or take note of a denial (§5.2)."""
        lease = self._leases.get(feed_id)
        callback = lease.callback(token) if lease else None
        if lease is None or callback is None or topic != lease.topic:
            WEBSUB_VERIFICATIONS.labels(Answer.REFUSED).inc()
            return Answer.REFUSED
        if mode == "denied":
            WEBSUB_VERIFICATIONS.labels(Answer.DENIED).inc()
            self._failed(lease, None, "denied", "the hub denied the subscription")
            return Answer.DENIED
        if mode != "subscribe" or not (lease_seconds or "").isdigit() or int(lease_seconds or 0) <= 0:
            WEBSUB_VERIFICATIONS.labels(Answer.REFUSED).inc()  # we never unsubscribe; a subscribe must state its lease
            return Answer.REFUSED
        renewal = lease.active is not None and callback is lease.pending
        was_pushed = lease.active is not None
        lease.active, lease.pending = callback, None if lease.pending is callback else lease.pending
        lease.granted_seconds = float(lease_seconds or 0)
        lease.expires_at = time.monotonic() + lease.granted_seconds
        lease.failures, lease.retry_at = 0, 0.0
        WEBSUB_VERIFICATIONS.labels(Answer.VERIFIED).inc()
        if renewal:
            WEBSUB_RENEWALS.labels("ok").inc()
        self._gauge()
        log.info("websub subscription verified", feed_id=feed_id, hub=lease.hub, lease_seconds=lease.granted_seconds, renewal=renewal)
        if not was_pushed:
            self._changed(feed_id, True)
        return Answer.VERIFIED

    async def content(self, feed_id: str, token: str, body: bytes, signature: str | None, content_type: str | None) -> bool:
        """A content distribution (§7). False when the callback is unknown (answered 410 Gone)."""
        lease = self._leases.get(feed_id)
        callback = lease.callback(token) if lease else None
        if callback is None:
            WEBSUB_PUSHES.labels("unknown_subscription").inc()
            return False
        if signature is None:
            # Subscribed with a secret: an unsigned push is not from the hub (§7.1). Acknowledged, ignored.
            WEBSUB_PUSHES.labels("unsigned").inc()
            log.warning("websub push without signature ignored", feed_id=feed_id)
            return True
        if not valid_signature(body, signature, callback.secret):
            WEBSUB_PUSHES.labels("bad_signature").inc()
            log.warning("websub push with a bad signature ignored", feed_id=feed_id)
            return True
        taken = self._push(feed_id, body, content_type)
        WEBSUB_PUSHES.labels("accepted" if taken else "not_owned").inc()
        return True

    # -- leases ----------------------------------------------------------------------------------

    async def _check_leases(self) -> None:
        while True:
            await asyncio.sleep(_CHECK_EVERY_SECONDS)
            with contextlib.suppress(Exception):
                self.check(time.monotonic())

    def check(self, now: float) -> None:
        for lease in list(self._leases.values()):
            if lease.pending is not None and now - lease.pending_since > self._settings.verify_timeout_seconds:
                self._failed(lease, lease.pending, "verify_timeout", f"not verified within {self._settings.verify_timeout_seconds:g}s")
            if lease.active is None:
                if lease.pending is None and now >= lease.retry_at:
                    self._request(lease)  # again at the hub last advertised (a changed document re-discovers it)
                continue
            if now >= lease.expires_at:
                self._failed(lease, None, "expired", "the lease ended before a renewal was verified")
                continue
            margin = min(self._settings.renew_before_seconds, lease.granted_seconds / 2)
            if lease.pending is None and now >= lease.retry_at and lease.expires_at - now <= margin:
                self._request(lease)

    def _gauge(self) -> None:
        WEBSUB_SUBSCRIPTIONS.set(sum(1 for lease in self._leases.values() if lease.active is not None))
