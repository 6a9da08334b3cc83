"""The poller in-process against misbehaving local servers and the real broker:
it keeps running, each outcome shows in metrics, nothing is published twice."""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiokafka import AIOKafkaConsumer
from prometheus_client import REGISTRY

from monitor.poller import Poller
from support.servers import RssItem, rss
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.records import Article
from tocsin.settings import FeedConfig, FeedSettings, KafkaSettings

pytestmark = pytest.mark.integration

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LAST_MODIFIED = "Fri, 04 Jul 2025 06:00:00 GMT"


def items(prefix: str, n: int = 2) -> list[RssItem]:
    return [RssItem(f"{prefix}-{i}", f"{prefix} story number {i} about the night", f"<p>{prefix} {i}</p>", f"http://news.example/{prefix}/{i}?utm_source=x") for i in range(n)]


async def conditional(request: web.Request) -> web.StreamResponse:
    if request.headers.get("If-None-Match") == '"v1"' or request.headers.get("If-Modified-Since") == LAST_MODIFIED:
        return web.Response(status=304, headers={"ETag": '"v1"'})
    return web.Response(body=rss(items("cond")), headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED})


async def retry_after_date(_: web.Request) -> web.StreamResponse:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    return web.Response(status=503, headers={"Retry-After": when})


async def retry_after_seconds(_: web.Request) -> web.StreamResponse:
    return web.Response(status=429, headers={"Retry-After": "2"})


async def storm(_: web.Request) -> web.StreamResponse:
    return web.Response(status=500)


async def trickle(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    for _ in range(100):
        await response.write(b"<")
        await asyncio.sleep(0.2)
    return response


async def bomb(_: web.Request) -> web.StreamResponse:
    return web.Response(body=gzip.compress(b" " * (20 * 1024 * 1024)), headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})


async def huge(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
    await response.prepare(request)
    chunk = b"x" * (1024 * 1024)
    for _ in range(50):
        await response.write(chunk)
    return response


async def redirect_loop(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(str(request.url))


async def malformed(_: web.Request) -> web.StreamResponse:
    return web.Response(body=b"<rss version='2.0'><channel><title>x</title><item><title>broken & unclosed<guid>m1</guid></item><item><title>Fine", content_type="application/rss+xml")


async def wrong_charset(_: web.Request) -> web.StreamResponse:
    body = rss([RssItem("c1", "Київ: нічна атака дронів", "<p>Повітряні сили</p>", "http://news.example/uk/1")])
    return web.Response(body=body.replace(b'encoding="UTF-8"', b'encoding="windows-1251"'), content_type="application/rss+xml")


async def repeating_guids(_: web.Request) -> web.StreamResponse:
    same = [RssItem("same-guid", "First distinct story tonight", "a", "http://news.example/g/1"), RssItem("same-guid", "Second distinct story tonight", "b", "http://news.example/g/2")]
    return web.Response(body=rss(same), content_type="application/rss+xml")


XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>t</title><item><guid>xxe-1</guid><title>XXE &x; title</title></item></channel></rss>'
LOL = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'.encode() for p, c in zip("abcdefgh", "bcdefghi"))
    + b']><rss version="2.0"><channel><title>t</title><item><guid>lol-1</guid><title>Laughs &i;</title></item></channel></rss>'
)


def body(payload: bytes) -> Handler:
    async def handler(_: web.Request) -> web.StreamResponse:
        return web.Response(body=payload, content_type="application/rss+xml")

    return handler


# Each misbehaviour on its own loopback address, i.e. its own host for the per-host rules.
CASES: dict[str, Handler] = {
    "conditional": conditional,
    "retry_after_date": retry_after_date,
    "retry_after_seconds": retry_after_seconds,
    "storm": storm,
    "trickle": trickle,
    "bomb": bomb,
    "huge": huge,
    "redirect_loop": redirect_loop,
    "malformed": malformed,
    "wrong_charset": wrong_charset,
    "repeating_guids": repeating_guids,
    "xxe": body(XXE),
    "billion_laughs": body(LOL),
}


@pytest.fixture
async def servers() -> AsyncIterator[dict[str, TestServer]]:
    started: dict[str, TestServer] = {}
    try:
        for n, (name, handler) in enumerate(CASES.items(), start=2):
            app = web.Application()
            app.router.add_get("/feed", handler)
            server = TestServer(app, host=f"127.0.0.{n}")
            await server.start_server()
            started[name] = server
        yield started
    finally:
        for server in started.values():
            await server.close()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def read_articles(bootstrap: str, topic: str, until: Callable[[list[Article]], bool], timeout: float = 60.0) -> list[Article]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    got: list[Article] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not until(got) and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                got += [Article.from_bytes(r.value) for r in records]
        return got
    finally:
        await consumer.stop()


async def test_misbehaving_servers_never_stop_the_poller(servers: dict[str, TestServer], kafka_bootstrap: str) -> None:
    kafka = KafkaSettings(bootstrap_servers=[kafka_bootstrap], topics={"prefix": f"test-{uuid.uuid4().hex[:8]}", "partitions": 2})
    topics = topics_for(kafka)
    ensure_topics([kafka_bootstrap], topics.all())
    settings = FeedSettings(
        interval_seconds=0.5,
        timeout_seconds=3.0,
        read_timeout_seconds=1.0,
        max_body_bytes=1024 * 1024,
        allow_private_addresses=True,
        sources=[FeedConfig(url=str(s.make_url("/feed")), name=name) for name, s in servers.items()],
    )
    before = {key: sample("tocsin_feed_fetches_total", outcome=key[0], status=key[1]) for key in [
        ("not_modified", "304"), ("http_503", "503"), ("http_429", "429"), ("http_500", "500"), ("timeout", "none"),
        ("too_large", "200"), ("redirects", "none"), ("ok", "200"),
    ]}
    poller = Poller(settings, [kafka_bootstrap], topics, group_id=f"pollers-{uuid.uuid4().hex[:8]}")
    await poller.start()
    try:
        def grew(key: tuple[str, str], by: float = 1) -> bool:
            return sample("tocsin_feed_fetches_total", outcome=key[0], status=key[1]) >= before[key] + by

        deadline = asyncio.get_running_loop().time() + 60
        wanted = [("not_modified", "304"), ("http_503", "503"), ("http_429", "429"), ("timeout", "none"), ("too_large", "200"), ("redirects", "none")]
        while not (all(grew(k) for k in wanted) and grew(("http_500", "500"), 3)):
            assert asyncio.get_running_loop().time() < deadline, {k: sample("tocsin_feed_fetches_total", outcome=k[0], status=k[1]) - before[k] for k in before}
            assert not poller.crashed
            await asyncio.sleep(0.2)
        # Several conditional polls later, still nothing published twice.
        await asyncio.sleep(2)
        assert not poller.crashed
    finally:
        await poller.stop()

    expected_guids = 2 + 1 + 2 + 1 + 1  # conditional, charset, repeated guids, xxe, laughs
    articles = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len(got) >= expected_guids + 1, timeout=10)
    ids = [a.id for a in articles]
    assert len(ids) == len(set(ids)), "an article was published twice"
    titles = {a.title for a in articles}
    assert "Київ: нічна атака дронів" in titles  # valid UTF-8 beat the declared windows-1251
    assert {"First distinct story tonight", "Second distinct story tonight"} <= titles
    assert not any("root:" in a.title for a in articles)  # /etc/passwd never read
    laughs = next(a for a in articles if a.title.startswith("Laughs"))
    assert len(laughs.title) < 100  # entities never expanded
    assert all(a.url is None or "utm_" not in a.url for a in articles)
