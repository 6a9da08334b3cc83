"""Poller throughput against a local farm of feeds, with a real local broker.

    PYTHONPATH=tests:. .venv/bin/python bench/poll_farm.py [--feeds 10000] [--seconds 20]

Phase "unchanged": every feed answers 304 to its ETag → polls/s.
Phase "changed": every fetch returns a new 30-item (~50 KB) document → changed
feeds/s parsed, normalised and acknowledged by Kafka (acks=all), articles/s.
Prints `name: value` lines. The farm runs in its own process on the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
import uuid
from pathlib import Path

import psutil
from aiohttp import web
from prometheus_client import REGISTRY

from monitor.poller import Poller
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.observability.logs import configure_logging
from tocsin.settings import FeedConfig, FeedSettings, KafkaSettings, LoggingSettings

ITEM = (
    "<item><guid>{feed}-{version}-{i}</guid><title>Feed {feed} story {version}.{i}</title>"
    "<link>http://news.example/{feed}/{version}/{i}?utm_source=rss</link>"
    "<description><![CDATA[<p>{text}</p>]]></description><pubDate>Fri, 04 Jul 2025 06:00:00 GMT</pubDate></item>"
)
TEXT = "Russia attacked Ukraine overnight with drones and missiles, the air force said. " * 19


def document(feed: int, version: int, items: int) -> bytes:
    body = "".join(ITEM.format(feed=feed, version=version, i=i, text=TEXT) for i in range(items))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>f{feed}</title><link>http://x/</link><description>d</description>{body}</channel></rss>'.encode()


def serve_farm(port: int) -> None:
    state = {"mode": "unchanged", "version": 0}

    async def feed(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if state["mode"] == "unchanged":
            if request.headers.get("If-None-Match") == '"v0"':
                return web.Response(status=304, headers={"ETag": '"v0"'})
            return web.Response(body=document(n, 0, 1), content_type="application/rss+xml", headers={"ETag": '"v0"'})
        state["version"] += 1
        return web.Response(body=document(n, state["version"], 30), content_type="application/rss+xml")

    async def mode(request: web.Request) -> web.Response:
        state["mode"] = request.match_info["mode"]
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/feed/{n}", feed)
    app.router.add_get("/mode/{mode}", mode)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def measure(seconds: float) -> dict[str, float]:
    start = {
        "ok": counter("tocsin_feed_fetches_total", outcome="ok", status="200"),
        "304": counter("tocsin_feed_fetches_total", outcome="not_modified", status="304"),
        "published": counter("tocsin_articles_published_total"),
    }
    began = time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - began
    return {
        "ok_per_s": (counter("tocsin_feed_fetches_total", outcome="ok", status="200") - start["ok"]) / elapsed,
        "not_modified_per_s": (counter("tocsin_feed_fetches_total", outcome="not_modified", status="304") - start["304"]) / elapsed,
        "articles_per_s": (counter("tocsin_articles_published_total") - start["published"]) / elapsed,
    }


async def bench(bootstrap: str, farm_port: int, feeds: int, seconds: float) -> None:
    import aiohttp

    kafka = KafkaSettings(bootstrap_servers=[bootstrap], topics={"prefix": f"bench-{uuid.uuid4().hex[:6]}", "partitions": 6})
    topics = topics_for(kafka)
    ensure_topics([bootstrap], topics.all())
    settings = FeedSettings(
        interval_seconds=1.0,
        allow_private_addresses=True,
        concurrency=256,
        per_host_concurrency=256,  # the whole farm is one host; real feed sets spread over many
        sources=[FeedConfig(url=f"http://127.0.0.1:{farm_port}/feed/{n}") for n in range(feeds)],
    )
    poller = Poller(settings, [bootstrap], topics, group_id=f"bench-{uuid.uuid4().hex[:6]}")
    process = psutil.Process()
    await poller.start()
    try:
        # Warm-up: every feed fetched once (200) and its one article acknowledged.
        while counter("tocsin_feed_fetches_total", outcome="ok", status="200") < feeds:
            await asyncio.sleep(1)
        unchanged = await measure(seconds)
        print(f"feeds: {feeds}")
        print(f"unchanged_polls_per_s: {unchanged['not_modified_per_s']:.0f}")
        print(f"rss_mb_unchanged: {process.memory_info().rss / 2**20:.0f}")
        async with aiohttp.ClientSession() as session:
            await (await session.get(f"http://127.0.0.1:{farm_port}/mode/changed")).read()
        await asyncio.sleep(3)
        changed = await measure(seconds)
        print(f"changed_feeds_per_s: {changed['ok_per_s']:.0f}")
        print(f"articles_acknowledged_per_s: {changed['articles_per_s']:.0f}")
        print(f"rss_mb_changed: {process.memory_info().rss / 2**20:.0f}")
    finally:
        await poller.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    from support.net import free_ports  # the tests' helper, on the path when run from the repo root

    configure_logging(LoggingSettings(level="warning", format="console"))

    farm_port, port, controller = free_ports(3)
    farm = multiprocessing.Process(target=serve_farm, args=(farm_port,), daemon=True)
    farm.start()
    try:
        with tempfile.TemporaryDirectory() as data, LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=Path(data))) as broker:
            asyncio.run(bench(broker.bootstrap, farm_port, args.feeds, args.seconds))
    finally:
        farm.terminate()
        farm.join()


if __name__ == "__main__":
    main()
