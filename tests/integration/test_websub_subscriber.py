"""The WebSub subscriber against local hubs, without Kafka: what the callback refuses, a hub that
never verifies, a hub that redirects. (Pushes end to end: test_realtime.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest

from monitor.fetch import FetchResult
from monitor.state import Validators
from monitor.websub import CallbackServer, Subscriptions
from support.net import free_ports
from support.poller import sample
from support.websub_hub import Hub, topic_rss
from tocsin.settings import WebSubSettings

pytestmark = pytest.mark.integration

TOPIC = "http://127.0.0.1:9/feed.xml"


@dataclass
class Subscriber:
    subscriptions: Subscriptions
    base: str
    changes: list[tuple[str, bool]] = field(default_factory=list)
    pushes: list[bytes] = field(default_factory=list)

    def offer(self, hub: str, feed_id: str = "feed_1") -> None:
        body = topic_rss(TOPIC, hub, [])
        self.subscriptions.offer(feed_id, FetchResult(200, body, Validators(), "application/rss+xml", TOPIC, {}, len(body)))


@pytest.fixture
async def subscriber() -> AsyncIterator[Subscriber]:
    (port,) = free_ports(1)
    settings = WebSubSettings(callback_url=f"http://127.0.0.1:{port}/cb", port=port, verify_timeout_seconds=0.5, retry_seconds=0.3)
    async with aiohttp.ClientSession() as session:
        holder: list[Subscriber] = []
        subscriptions = Subscriptions(
            settings, session, allow_private_addresses=True,
            push=lambda feed_id, body, _: holder[0].pushes.append(body) is None, changed=lambda f, on: holder[0].changes.append((f, on)),
        )
        holder.append(Subscriber(subscriptions, f"http://127.0.0.1:{port}/cb"))
        server = CallbackServer(subscriptions, "127.0.0.1", port, max_body_bytes=1 << 20)
        await server.start()
        subscriptions.start()
        try:
            yield holder[0]
        finally:
            await server.stop()
            await subscriptions.stop()


async def until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_the_callback_confirms_only_what_it_asked_for(subscriber: Subscriber) -> None:
    async with Hub() as hub:
        subscriber.offer(hub.url)
        await until(lambda: bool(hub.active(TOPIC)))
        assert subscriber.changes == [("feed_1", True)]
        callback = hub.active(TOPIC)[0].callback
        token = callback.rsplit("/", 1)[1]
        async with aiohttp.ClientSession() as session:
            def verify(url: str, **query: str):  # type: ignore[no-untyped-def]
                return session.get(url, params={"hub.challenge": "c", "hub.lease_seconds": "60", **query})

            for url, query in [
                (callback, {"hub.mode": "subscribe", "hub.topic": "http://elsewhere.example/feed"}),  # another topic
                (callback, {"hub.mode": "unsubscribe", "hub.topic": TOPIC}),  # we never asked to unsubscribe
                (callback, {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.lease_seconds": "0"}),  # no lease
                (f"{subscriber.base}/feed_1/{token}x", {"hub.mode": "subscribe", "hub.topic": TOPIC}),  # a guessed token
                (f"{subscriber.base}/feed_2/{token}", {"hub.mode": "subscribe", "hub.topic": TOPIC}),  # another feed's path
            ]:
                async with verify(url, **query) as response:
                    assert response.status == 404, (url, query)
            async with verify(callback, **{"hub.mode": "subscribe", "hub.topic": TOPIC}) as response:
                assert response.status == 200 and await response.text() == "c"  # the hub re-confirming: fine
            async with session.post(f"{subscriber.base}/feed_1/nosuchtoken", data=b"x") as response:
                assert response.status == 410  # the hub may drop it
        assert await hub.publish(TOPIC, b"<rss/>") == [202] and subscriber.pushes == [b"<rss/>"]


async def test_a_hub_that_never_verifies_counts_as_failed_and_is_asked_again(subscriber: Subscriber) -> None:
    timeouts = sample("tocsin_websub_hub_failures_total", reason="verify_timeout")
    async with Hub() as hub:
        hub.silent = True
        subscriber.offer(hub.url)
        await until(lambda: sample("tocsin_websub_hub_failures_total", reason="verify_timeout") > timeouts)
        assert subscriber.changes == []  # never pushed: polling simply went on
        hub.silent = False
        await until(lambda: bool(hub.active(TOPIC)))  # asked again after the retry delay, and verified this time
        assert subscriber.changes == [("feed_1", True)] and len(hub.requests) >= 2


async def test_a_hub_that_moved_is_followed(subscriber: Subscriber) -> None:
    async with Hub() as old, Hub() as new:
        old.moved_to = new.url
        subscriber.offer(old.url)
        await until(lambda: bool(new.active(TOPIC)))
        assert len(old.requests) == 1 and old.active(TOPIC) == []
