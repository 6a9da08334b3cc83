"""Feed servers and webhook receivers: real aiohttp servers on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime, UTC

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class RssItem:
    guid: str
    title: str
    description: str
    link: str
    published: datetime = field(default_factory=lambda: datetime.now(UTC))


def rss(items: list[RssItem], *, title: str = "Test feed") -> bytes:
    entries = "".join(
        f"<item><guid>{i.guid}</guid><title>{i.title}</title><link>{i.link}</link>"
        f"<description><![CDATA[{i.description}]]></description>"
        f"<pubDate>{format_datetime(i.published)}</pubDate></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link><description>t</description>{entries}</channel></rss>"
    ).encode()


class FeedServer:
    """Serves one RSS document with an ETag; answers 304 to a matching If-None-Match."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests = 0
        self.not_modified = 0
        app = web.Application()
        app.router.add_get("/feed.xml", self._feed)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def url(self) -> str:
        return str(self.server.make_url("/feed.xml"))

    async def _feed(self, request: web.Request) -> web.Response:
        self.requests += 1
        etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=self.body, content_type="application/rss+xml", headers={"ETag": etag})

    async def __aenter__(self) -> FeedServer:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()


class WebhookReceiver:
    """Collects every POST body; answers with the statuses queued in ``script``, then 200."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.script: list[int] = []
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def url(self) -> str:
        return str(self.server.make_url("/hook"))

    async def _hook(self, request: web.Request) -> web.Response:
        status = self.script.pop(0) if self.script else 200
        if status == 200:
            self.received.append(json.loads(await request.read()))
            self.headers.append(dict(request.headers))
        return web.Response(status=status)

    async def __aenter__(self) -> WebhookReceiver:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()
