"""The poller in-process against misbehaving local servers and the real broker:
it keeps running, each outcome shows in metrics, nothing is published twice."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.poller import Poller
from support.net import free_ports
from support.poller import fetches, read_articles, sample, wait_for
from support.servers import FeedServer, RssItem, rss
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig
from tocsin.kafka.topics import Topics, ensure_topics, topics_for
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


STORY = RssItem("wire-1", "Russia launched 539 drones at Ukraine overnight", "<p>539 drones</p>", "http://news.example/wire/1?utm_source=a")


async def syndicated_same_link(_: web.Request) -> web.StreamResponse:
    copy = RssItem("other-guid", STORY.title, STORY.description, "http://news.example/wire/1?utm_medium=b#top")
    return web.Response(body=rss([copy]), content_type="application/rss+xml")


async def syndicated_same_headline(_: web.Request) -> web.StreamResponse:
    # A headline match folds only with similar text (and close in time).
    copy = RssItem("copy-1", STORY.title + "!", "<p>539 drones</p><p>(syndicated)</p>", "http://elsewhere.example/copy/1")
    return web.Response(body=rss([copy]), content_type="application/rss+xml")


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
    "wire": body(rss([STORY])),  # a plain feed whose story the next two repeat
    "syndicated_same_link": syndicated_same_link,
    "syndicated_same_headline": syndicated_same_headline,
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


def new_topics(bootstrap: str) -> Topics:
    kafka = KafkaSettings(bootstrap_servers=[bootstrap], topics={"prefix": f"test-{uuid.uuid4().hex[:8]}", "partitions": 2})
    topics = topics_for(kafka)
    ensure_topics([bootstrap], topics.all())
    return topics


async def poll_until(settings: FeedSettings, bootstrap: str, done: Callable[[], bool]) -> tuple[Topics, list[dict[str, Any]]]:
    """Runs a poller on fresh topics until ``done()``: the topics and the log events."""
    topics = new_topics(bootstrap)
    poller = Poller(settings, [bootstrap], topics, group_id=f"pollers-{uuid.uuid4().hex[:8]}")
    with capture_logs() as logs:
        await poller.start()
        try:
            await wait_for(done, 30, poller)
        finally:
            await poller.stop()
    return topics, logs


async def test_misbehaving_servers_never_stop_the_poller(servers: dict[str, TestServer], kafka_bootstrap: str) -> None:
    topics = new_topics(kafka_bootstrap)
    settings = FeedSettings(
        interval_seconds=0.5,
        timeout_seconds=3.0,
        read_timeout_seconds=1.0,
        max_body_bytes=1024 * 1024,
        allow_private_addresses=True,
        sources=[FeedConfig(url=str(s.make_url("/feed")), name=name) for name, s in servers.items()],
    )
    wanted = {
        "conditional": ("not_modified", "304"),
        "retry_after_date": ("http_503", "503"),
        "retry_after_seconds": ("http_429", "429"),
        "storm": ("http_500", "500"),
        "trickle": ("timeout", "none"),
        "bomb": ("too_large", "200"),
        "huge": ("too_large", "200"),
        "redirect_loop": ("redirects", "none"),
    }
    before = {key: fetches(*key) for key in [*wanted.values(), ("ok", "200")]}
    poller = Poller(settings, [kafka_bootstrap], topics, group_id=f"pollers-{uuid.uuid4().hex[:8]}")
    with capture_logs() as logs:
        await poller.start()
        try:
            def grew(key: tuple[str, str], by: float = 1) -> bool:
                return fetches(*key) >= before[key] + by

            deadline = asyncio.get_running_loop().time() + 60
            while not (all(grew(k) for k in wanted.values()) and grew(("http_500", "500"), 3) and grew(("too_large", "200"), 2)):
                assert asyncio.get_running_loop().time() < deadline, {k: fetches(*k) - before[k] for k in before}
                assert not poller.crashed
                await asyncio.sleep(0.2)
            # Several conditional polls later, still nothing published twice.
            await asyncio.sleep(2)
            assert not poller.crashed
        finally:
            await poller.stop()

    # Each failure is in the logs too, naming the feed.
    failures = {(e["feed"], e["reason"]) for e in logs if e["event"] == "feed poll failed"}
    assert {(name, outcome) for name, (outcome, _) in wanted.items() if outcome != "not_modified"} <= failures

    # conditional 2, wire 1 (its two copies fold into it), malformed 1, charset 1, repeated guids 2, xxe 1, laughs 1
    articles = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len({a.id for a in got}) >= 9, timeout=10)
    published = [(a.id, tuple(s.feed_name for s in a.sources)) for a in articles]
    assert len(published) == len(set(published)), "an article was published twice"
    titles = {a.title for a in articles}
    assert "Київ: нічна атака дронів" in titles  # valid UTF-8 beat the declared windows-1251
    assert {"First distinct story tonight", "Second distinct story tonight"} <= titles
    assert not any("root:" in a.title for a in articles)  # /etc/passwd never read
    laughs = next(a for a in articles if a.title.startswith("Laughs"))
    assert len(laughs.title) < 100  # entities never expanded
    assert all(a.url is None or "utm_" not in a.url for a in articles)
    # The same story in three feeds: one article id, its last version naming all three sources.
    story = [a for a in articles if a.title.startswith(STORY.title)]
    assert len({a.id for a in story}) == 1
    assert {s.feed_name for s in story[-1].sources} == {"wire", "syndicated_same_link", "syndicated_same_headline"}


async def test_private_addresses_are_refused_by_default_and_the_poller_carries_on(kafka_bootstrap: str) -> None:
    async with FeedServer(rss(items("private"))) as server:
        settings = FeedSettings(interval_seconds=0.5, timeout_seconds=3.0, sources=[FeedConfig(url=server.url, name="inside")])
        assert not settings.allow_private_addresses
        before = fetches("blocked_address", "none")
        # Refused, backed off, refused again.
        topics, logs = await poll_until(settings, kafka_bootstrap, lambda: fetches("blocked_address", "none") >= before + 2)
        assert server.requests == 0
        assert any(e["event"] == "feed poll failed" and e["reason"] == "blocked_address" for e in logs)
        assert await read_articles(kafka_bootstrap, topics.articles.name, lambda got: False, timeout=2) == []


@contextlib.contextmanager
def host_accepting_no_connection() -> Iterator[str]:
    """A feed URL whose host never completes a handshake: its listening socket's accept queue
    (backlog 0) holds one connection nobody accepts, so the kernel drops every further SYN."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = socket.socket()
    filler.connect(listener.getsockname())
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed"
    finally:
        filler.close()
        listener.close()


async def test_a_host_that_accepts_no_connection_times_out_and_the_poller_carries_on(kafka_bootstrap: str) -> None:
    async with FeedServer(rss(items("beside"))) as beside:
        with host_accepting_no_connection() as silent:
            settings = FeedSettings(
                interval_seconds=0.3, timeout_seconds=30.0, connect_timeout_seconds=0.5, allow_private_addresses=True,
                sources=[FeedConfig(url=silent, name="silent"), FeedConfig(url=beside.url, name="beside")],
            )
            before = fetches("timeout", "none")
            # Timed out, backed off, timed out again; the other feed polled all along.
            topics, logs = await poll_until(settings, kafka_bootstrap, lambda: fetches("timeout", "none") >= before + 2 and beside.requests >= 3)
    failures = [e for e in logs if e["event"] == "feed poll failed"]
    assert len(failures) >= 2 and {(e["feed"], e["reason"]) for e in failures} == {("silent", "timeout")}
    articles = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len(got) > 2, timeout=3)
    assert sorted(a.title for a in articles) == sorted(item.title for item in items("beside"))  # each once, none from the silent host


async def test_kafka_down_pauses_polling_and_nothing_is_lost_or_repeated(tmp_path: Path) -> None:
    # Its own broker, to stop and start again. start() runs on the main thread (the broker is tied
    # to the thread that starts it), so the poller's loop is frozen while Kafka comes back: harmless.
    port, controller = free_ports(2)
    broker = LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=tmp_path / "kafka"))
    broker.start()
    try:
        async with FeedServer(rss(items("before", 3))) as server:
            topics = new_topics(broker.bootstrap)
            settings = FeedSettings(
                interval_seconds=0.3, timeout_seconds=3.0, publish_timeout_seconds=3.0, allow_private_addresses=True,
                sources=[FeedConfig(url=server.url, name="steady")],
            )
            poller = Poller(settings, [broker.bootstrap], topics, group_id=f"pollers-{uuid.uuid4().hex[:8]}")
            published = fetches("ok", "200")
            await poller.start()
            try:
                await wait_for(lambda: fetches("ok", "200") > published, 60, poller)  # the first poll's articles acknowledged
                await asyncio.to_thread(broker.stop)
                server.body = rss([*items("before", 3), *items("during", 3)])
                await wait_for(lambda: sample("tocsin_polling_paused") == 1, 60, poller)
                requests = server.requests
                await asyncio.sleep(1.5)
                assert server.requests - requests <= 3  # paused: not polling at the interval's pace
                broker.start()
                await wait_for(lambda: sample("tocsin_polling_paused") == 0 and server.requests > requests + 3, 90, poller)
            finally:
                await poller.stop()
            articles = await read_articles(broker.bootstrap, topics.articles.name, lambda got: len(got) >= 6, timeout=30)
            titles = [a.title for a in articles]
            assert sorted(titles) == sorted(i.title for i in [*items("before", 3), *items("during", 3)]), titles
    finally:
        await asyncio.to_thread(broker.stop)
