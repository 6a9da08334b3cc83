"""A WebSub hub written to the W3C recommendation, on 127.0.0.1: accepts subscription requests
with 202, verifies intent with a random challenge (§5.3), grants its own lease, and distributes
content signed with X-Hub-Signature under each subscription's hub.secret (§7.1)."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.websub import sign


@dataclass
class HubSubscription:
    topic: str
    callback: str
    secret: str | None
    expires_at: float


class Hub:
    def __init__(self, *, lease_seconds: int | None = None, method: str = "sha256") -> None:
        self.lease_seconds = lease_seconds  # None: grant what was asked
        self.method = method
        self.refuse = False  # answer subscription requests with 500
        self.silent = False  # accept subscription requests (202) and never verify them
        self.moved_to: str | None = None  # answer 307 Temporary Redirect to this hub (§5.1.2)
        self.requests: list[dict[str, str]] = []
        self.verified: list[HubSubscription] = []  # every verification that succeeded, renewals included
        self.subscriptions: dict[tuple[str, str], HubSubscription] = {}
        self.deliveries: list[int] = []  # callback statuses of content distributions
        self._tasks: set[asyncio.Task[None]] = set()
        app = web.Application()
        app.router.add_post("/hub", self._request)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def url(self) -> str:
        return str(self.server.make_url("/hub"))

    async def _request(self, request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        self.requests.append(form)
        if self.refuse:
            return web.Response(status=500, text="hub down")
        if self.moved_to:
            return web.Response(status=307, headers={"Location": self.moved_to})
        if form.get("hub.mode") not in ("subscribe", "unsubscribe") or not form.get("hub.topic") or not form.get("hub.callback"):
            return web.Response(status=400, text="hub.mode, hub.topic and hub.callback are required")
        if len(form.get("hub.secret", "").encode()) >= 200:
            return web.Response(status=400, text="hub.secret must be under 200 bytes")
        if self.silent:
            return web.Response(status=202)
        task = asyncio.create_task(self._verify(form))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(status=202)

    async def _verify(self, form: dict[str, str]) -> None:
        lease = self.lease_seconds or int(form.get("hub.lease_seconds") or 864000)
        challenge = secrets.token_urlsafe(16)
        query = {"hub.mode": form["hub.mode"], "hub.topic": form["hub.topic"], "hub.challenge": challenge, "hub.lease_seconds": str(lease)}
        async with aiohttp.ClientSession() as session, session.get(form["hub.callback"], params=query) as response:
            ok = 200 <= response.status < 300 and await response.text() == challenge
        if not ok:
            return  # state unchanged on a failed verification
        key = (form["hub.topic"], form["hub.callback"])
        if form["hub.mode"] == "unsubscribe":
            self.subscriptions.pop(key, None)
            return
        subscription = HubSubscription(form["hub.topic"], form["hub.callback"], form.get("hub.secret"), time.monotonic() + lease)
        # Renewals come with a new callback (and secret): the old one stays until its lease ends, as hubs keep it.
        self.subscriptions[key] = subscription
        self.verified.append(subscription)

    def active(self, topic: str) -> list[HubSubscription]:
        now = time.monotonic()
        return [s for s in self.subscriptions.values() if s.topic == topic and s.expires_at > now]

    async def publish(self, topic: str, body: bytes, content_type: str = "application/rss+xml", *, secret: str | None = None) -> list[int]:
        """Distribute ``body`` to every active subscriber of ``topic`` (the newest subscription per callback
        path's feed); ``secret`` forges the signature with another key."""
        statuses = []
        async with aiohttp.ClientSession() as session:
            for sub in self.active(topic):
                headers = {"Content-Type": content_type, "Link": f'<{self.url}>; rel="hub", <{topic}>; rel="self"'}
                key = secret or sub.secret
                if key:
                    headers["X-Hub-Signature"] = sign(body, key, self.method)
                async with session.post(sub.callback, data=body, headers=headers) as response:
                    statuses.append(response.status)
                if response.status == 410:  # the subscriber says it is gone (§7)
                    self.subscriptions.pop((sub.topic, sub.callback), None)
        self.deliveries += statuses
        return statuses

    async def deny(self, topic: str) -> None:
        async with aiohttp.ClientSession() as session:
            for sub in self.active(topic):
                async with session.get(sub.callback, params={"hub.mode": "denied", "hub.topic": topic, "hub.reason": "test"}):
                    pass
                del self.subscriptions[(sub.topic, sub.callback)]

    async def __aenter__(self) -> Hub:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await self.server.close()


def topic_rss(topic: str, hub: str | None, items: list[tuple[str, str, datetime]]) -> bytes:
    """An RSS feed of (guid, text, published) items advertising ``hub`` and itself as the topic (no hub: a plain feed)."""
    links = f'<atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{topic}"/>' if hub else ""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{escape(text)}</title><link>http://wire.example/{guid}</link>"
        f"<description>{escape(text)}</description><pubDate>{format_datetime(when)}</pubDate></item>"
        for guid, text, when in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>Wire</title>{links}{entries}</channel></rss>"
    ).encode()



def realtime_feeds(preview_origin: str, callback_port: int, sources: list[dict[str, object]]) -> dict[str, object]:
    """A daemon's ``feeds`` section for local real-time sources: channel previews from ``preview_origin``,
    the WebSub callback server on ``callback_port`` (pushed feeds polled hourly as a safety net)."""
    return {
        "telegram": {"origin": preview_origin},
        "websub": {"callback_url": f"http://127.0.0.1:{callback_port}/websub", "port": callback_port, "subscribed_interval_seconds": 3600},
        "sources": sources,
    }
