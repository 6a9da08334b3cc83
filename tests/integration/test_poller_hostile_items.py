"""Hostile and odd feed items through the real poller (real aiohttp feed servers, real broker):
a bad item costs only itself, the rest of its feed is published, the feed keeps being polled."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from structlog.testing import capture_logs

from monitor.poller import Poller
from monitor.publish import ArticlePublisher
from support.poller import fetches, read_articles, sample, wait_for
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.records import Article, ArticleSource
from tocsin.settings import FeedConfig, FeedSettings, KafkaSettings

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
# Incompressible, so that lz4 cannot hide it from the broker's size limit.
HUGE_TITLE = os.urandom(1024 * 1024).hex()


def _item(guid: str, title: str, link: str = "", extra: str = "", description: str = "") -> str:
    return f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link><description>{description}</description>{extra}</item>"


def _rss(*items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{"".join(items)}</channel></rss>'.encode()


HOSTILE = _rss(
    _item("h-ipv6", "Broken IPv6 link", "http://h.c[o/"),
    _item("h-port", "Bad port", "http://news.example:99999/a"),
    _item("h-js", "Script link", "javascript:alert(document.cookie)"),
    _item("h-data", "Data link", "data:text/html;base64,PHNjcmlwdD4="),
    _item("h-year", "Year nine thousand", "http://news.example/y", "<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>"),
    _item("h-huge", HUGE_TITLE, "http://news.example/huge"),
    _item("h-ok", "A plain story after all that", "http://news.example/ok", description="our&nbsp;DB &mdash; whole&hellip;"),
)
JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "j",
        "authors": {"name": "an object, not a list"},
        "items": [{"id": 7, "title": "Numeric id", "url": "http://json.example/7"}, "not an item", {"id": "s", "title": "String id"}],
    }
).encode()
EMPTY = _rss()
CYRILLIC = _rss(_item("c1", "Київ: нічна атака дронів", "http://uk.example/1")).decode().encode("cp1251")
# The same generic headline every day, each day's own text.
LIVE = _rss(*(
    _item(f"live-{n}", "Live updates: Russia's war in Ukraine, latest news", f"http://live.example/{n}",
          f"<pubDate>{(NOW - timedelta(days=n)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>",
          f"Day {n}: {n * 13} drones over Kharkiv and {n} missiles at Odesa overnight.")
    for n in range(5)
))
# Billion laughs in UTF-16, behind a decoy DOCTYPE in a comment and a "]>" inside an entity value.
LAUGHS_UTF16 = (
    '<?xml version="1.0" encoding="utf-16"?><!-- <!DOCTYPE decoy> --><!DOCTYPE r [<!ENTITY z "]>"><!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
    + ']><rss version="2.0"><channel><title>t</title><item><guid>lol-16</guid><title>Laughs &i;</title></item></channel></rss>'
).encode("utf-16")
FEEDS: dict[str, tuple[bytes, str]] = {
    "laughs_utf16": (LAUGHS_UTF16, "application/rss+xml"),
    "hostile": (HOSTILE, "application/rss+xml"),
    "json": (JSON_FEED, "application/feed+json"),
    "empty": (EMPTY, "application/rss+xml"),
    "cyrillic": (CYRILLIC, "application/rss+xml; charset=windows-1251"),  # the charset only in the header
    "live": (LIVE, "application/rss+xml"),
}


@pytest.fixture
async def servers() -> AsyncIterator[dict[str, tuple[TestServer, list[int]]]]:
    started: dict[str, tuple[TestServer, list[int]]] = {}
    try:
        for n, (name, (payload, content_type)) in enumerate(FEEDS.items(), start=20):
            hits = [0]

            async def handler(_: web.Request, payload: bytes = payload, content_type: str = content_type, hits: list[int] = hits) -> web.Response:
                hits[0] += 1
                return web.Response(body=payload, headers={"Content-Type": content_type})

            app = web.Application()
            app.router.add_get("/feed", handler)
            server = TestServer(app, host=f"127.0.0.{n}")
            await server.start_server()
            started[name] = (server, hits)
        yield started
    finally:
        for server, _ in started.values():
            await server.close()


async def test_hostile_items_cost_only_themselves_and_every_feed_keeps_being_polled(
    servers: dict[str, tuple[TestServer, list[int]]], kafka_bootstrap: str
) -> None:
    kafka = KafkaSettings(bootstrap_servers=[kafka_bootstrap], topics={"prefix": f"test-{uuid.uuid4().hex[:8]}", "partitions": 2})
    topics = topics_for(kafka)
    ensure_topics([kafka_bootstrap], topics.all())
    settings = FeedSettings(
        interval_seconds=0.5, timeout_seconds=5.0, allow_private_addresses=True,
        sources=[FeedConfig(url=str(server.make_url("/feed")), name=name) for name, (server, _) in servers.items()],
    )
    poller = Poller(settings, [kafka_bootstrap], topics, group_id=f"pollers-{uuid.uuid4().hex[:8]}", max_record_bytes=kafka.max_record_bytes)
    failed_before = sum(fetches(reason, status) for reason, status in (("parse_error", "200"), ("digest_error", "200"), ("internal_error", "none")))
    empty_before = sample("tocsin_feed_parses_total", parser="empty")
    with capture_logs() as logs:
        await poller.start()
        try:
            # Every feed polled again after its first document: none was stopped by what it held.
            await wait_for(lambda: all(hits[0] >= 3 for _, hits in servers.values()), 60, poller)
            assert poller.kafka_available  # the 2 MB item never read as "Kafka down"
        finally:
            await poller.stop()
    failed = sum(fetches(reason, status) for reason, status in (("parse_error", "200"), ("digest_error", "200"), ("internal_error", "none")))
    assert failed == failed_before, [e for e in logs if e["event"] in ("feed poll failed", "feed poll crashed")]
    assert not [e for e in logs if e["event"] in ("feed poll failed", "feed poll crashed", "kafka unavailable, polling paused")]
    assert sample("tocsin_feed_parses_total", parser="empty") > empty_before  # the empty feed: counted as empty, a success

    articles = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len({a.id for a in got}) >= 16, timeout=30)
    by_title = {a.title[:40]: a for a in articles}
    assert len(articles) == len({a.id for a in articles}) == 16, sorted((a.title[:12], a.url) for a in articles)  # 7 hostile, 2 JSON, 1 Cyrillic, 5 live, 1 laughs, each once
    for title in ("Broken IPv6 link", "Bad port", "Script link", "Data link"):
        assert by_title[title].url is None  # the link dropped, the story kept
    assert by_title["Year nine thousand"].published_clamped and by_title["Year nine thousand"].published_at == by_title["Year nine thousand"].fetched_at
    huge = next(a for a in articles if a.url == "http://news.example/huge")
    assert len(huge.to_bytes()) <= kafka.max_record_bytes and huge.title.endswith("[…]")
    assert by_title["A plain story after all that"].summary == "our DB \u2014 whole\u2026"
    assert {"Numeric id", "String id"} <= set(by_title)
    assert "Київ: нічна атака дронів" in by_title
    assert len(next(a for a in articles if a.title.startswith("Laughs")).title) < 100  # the entities never expanded
    assert sum(1 for a in articles if a.title.startswith("Live updates")) == 5
    skipped = [e for e in logs if e["event"] == "feed item skipped"]
    assert {e["feed"] for e in skipped} == {"json"} and "not an object" in skipped[0]["reason"]
    assert any(e["event"] == "feed items shortened to fit a record" and e["feed"] == "hostile" for e in logs)
    assert not [e for e in logs if e["event"] == "article refused by kafka"]


async def test_a_record_the_broker_refuses_is_counted_and_the_others_published(kafka_bootstrap: str) -> None:
    """Even when a producer's limit and a topic's disagree: a refused record is that record's
    problem, not "Kafka down"; the articles beside it in the batch are published."""
    small_topics = KafkaSettings(bootstrap_servers=[kafka_bootstrap], max_record_bytes=64 * 1024, topics={"prefix": f"test-{uuid.uuid4().hex[:8]}", "partitions": 1})
    topics = topics_for(small_topics)
    ensure_topics([kafka_bootstrap], topics.all())
    publisher = ArticlePublisher([kafka_bootstrap], topics.articles.name, topics.feed_state.name, max_record_bytes=1_000_000)
    source = (ArticleSource(feed_url="http://x/", feed_name="x"),)
    articles = [Article(id=f"art_{n}", url=None, title=f"small {n}", fetched_at=NOW, sources=source) for n in range(3)]
    too_big = Article(id="art_big", url=None, title=os.urandom(200_000).hex(), fetched_at=NOW, sources=source)
    refused_before = sample("tocsin_feed_items_skipped_total", reason="refused")
    await publisher.start()
    try:
        refused = await asyncio.wait_for(publisher.publish([articles[0], too_big, articles[1]]), 60)
        assert refused == {"art_big"}
        assert await asyncio.wait_for(publisher.publish([articles[2]]), 60) == set()  # and the producer carries on
    finally:
        await publisher.stop()
    assert sample("tocsin_feed_items_skipped_total", reason="refused") == refused_before + 1
    got = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len(got) >= 3, timeout=20)
    assert sorted(a.id for a in got) == ["art_0", "art_1", "art_2"]
