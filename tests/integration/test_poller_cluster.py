"""Pollers as real `tocsin poll` processes on the real broker: a restart neither
repeats nor loses articles; two pollers split the feeds; a killed one's feeds move."""

from __future__ import annotations

import asyncio
import hashlib
import json
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiokafka import AIOKafkaConsumer

from support.daemon import TOCSIN, Daemon, isolated_config, write_config
from support.net import free_ports
from support.servers import RssItem, rss
from tocsin.records import Article

pytestmark = pytest.mark.integration


class FeedFarm:
    """Many growing feeds on one server; a feed answers 304 while unchanged."""

    def __init__(self, feeds: int) -> None:
        self.items: list[list[RssItem]] = [[] for _ in range(feeds)]
        self.requests = [0] * feeds
        app = web.Application()
        app.router.add_get("/feed/{n}", self._feed)
        self.server = TestServer(app, host="127.0.0.1")

    def url(self, n: int) -> str:
        return str(self.server.make_url(f"/feed/{n}"))

    def add(self, count: int) -> None:
        for n, items in enumerate(self.items):
            start = len(items)
            items += [RssItem(f"f{n}-{i}", f"Feed {n} item {i}", f"<p>item {i} of feed {n}</p>", f"http://news.example/{n}/{i}") for i in range(start, start + count)]

    @property
    def guids(self) -> set[str]:
        return {item.guid for items in self.items for item in items}

    async def _feed(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        self.requests[n] += 1
        body = rss(self.items[n][-30:], title=f"feed {n}")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def __aenter__(self) -> FeedFarm:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()


class Articles:
    """Everything on the articles topic, read from the start."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
        self.records: list[Article] = []

    async def drain(self) -> list[Article]:
        for records in (await self.consumer.getmany(timeout_ms=300)).values():
            self.records += [Article.from_bytes(r.value) for r in records]
        return self.records

    def titles(self) -> list[str]:
        return [a.title for a in self.records]


async def eventually(condition: Callable[[], Awaitable[bool]], timeout: float, what: str, *daemons: Daemon) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n" + "\n---\n".join(d.logs()[-4000:] for d in daemons))
        await asyncio.sleep(0.3)


def poller_config(tmp_path: Path, bootstrap: str, farm: FeedFarm, partitions: int, **overrides: Any) -> dict[str, Any]:
    config = isolated_config(tmp_path, bootstrap, feeds={"sources": [{"url": farm.url(n), "name": f"feed-{n}"} for n in range(len(farm.items))]})
    config["kafka"]["topics"]["partitions"] = partitions
    return config


def expected_titles(farm: FeedFarm) -> set[str]:
    return {item.title for items in farm.items for item in items}


async def test_restart_neither_repeats_nor_loses_articles(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with FeedFarm(4) as farm:
        farm.add(5)
        config = poller_config(tmp_path, kafka_bootstrap, farm, partitions=2)
        articles = Articles(kafka_bootstrap, f"{config['kafka']['topics']['prefix']}.articles")
        daemon = Daemon(write_config(tmp_path / "tocsin.toml", config), "poll")
        await daemon.start()
        try:
            await daemon.wait_ready()
            await articles.consumer.start()

            async def first_batch() -> bool:
                return len(await articles.drain()) >= 20

            await eventually(first_batch, 60, "the first 20 articles", daemon)
            farm.add(3)  # new items appear, and the poller is stopped mid-run
            await asyncio.sleep(0.5)
            assert await daemon.stop(signal.SIGINT) == 0, daemon.logs()
            farm.add(2)
            await daemon.start()
            await daemon.wait_ready()

            async def all_arrived() -> bool:
                return set((await articles.drain()) and articles.titles()) >= expected_titles(farm)

            await eventually(all_arrived, 60, "every article after the restart", daemon)
            polls = sum(farm.requests)
            await eventually(lambda: asyncio.sleep(0, sum(farm.requests) >= polls + 8), 30, "more polls", daemon)
            await articles.drain()
            titles = articles.titles()
            assert len(titles) == len(set(titles)) == 40, sorted(titles)
        finally:
            await articles.consumer.stop()
            await daemon.stop(signal.SIGINT)


async def test_two_pollers_split_the_feeds_and_a_killed_ones_feeds_move(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with FeedFarm(12) as farm:
        farm.add(2)
        config = poller_config(tmp_path, kafka_bootstrap, farm, partitions=6)
        other = {**config, "metrics": {**config["metrics"], "port": free_ports(1)[0]}}
        a = Daemon(write_config(tmp_path / "a.toml", config), "poll")
        b = Daemon(write_config(tmp_path / "b.toml", other), "poll")
        articles = Articles(kafka_bootstrap, f"{config['kafka']['topics']['prefix']}.articles")
        await a.start()
        await b.start()
        try:
            await a.wait_ready()
            await b.wait_ready()
            await articles.consumer.start()

            async def assigned(d: Daemon) -> float:
                return (await d.metrics()).get("tocsin_feeds_assigned", 0.0)

            async def split() -> bool:
                counts = [await assigned(a), await assigned(b)]
                return sum(counts) == 12 and min(counts) > 0

            await eventually(split, 60, "both pollers owning feeds", a, b)

            async def first_batch() -> bool:
                return set((await articles.drain()) and articles.titles()) >= expected_titles(farm)

            await eventually(first_batch, 60, "the first articles", a, b)
            await a.stop(signal.SIGKILL)

            async def taken_over() -> bool:
                return await assigned(b) == 12

            await eventually(taken_over, 60, "the survivor owning every feed", b)
            farm.add(2)
            await eventually(first_batch, 60, "the articles added after the kill", b)
            await asyncio.sleep(2)
            await articles.drain()
            titles = articles.titles()
            assert len(titles) == len(set(titles)) == 48, "each feed is polled by exactly one poller: nothing twice"
        finally:
            await articles.consumer.stop()
            for d in (a, b):
                await d.stop(signal.SIGINT)


async def tocsin(config: Path, *args: str) -> list[dict[str, Any]]:
    """One `tocsin` CLI command; its JSON-lines output."""
    process = await asyncio.create_subprocess_exec(
        TOCSIN, "--config", str(config), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


async def test_feeds_cli_adds_imports_lists_removes_and_shows_health(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with FeedFarm(3) as farm:
        farm.add(2)
        config = write_config(tmp_path / "tocsin.toml", isolated_config(tmp_path, kafka_bootstrap))
        opml = tmp_path / "feeds.opml"
        opml.write_text(
            f'<?xml version="1.0"?><opml version="2.0"><body><outline text="Wires">'
            f'<outline text="feed-0" xmlUrl="{farm.url(0)}"/><outline text="feed-1" xmlUrl="{farm.url(1)}"/></outline></body></opml>'
        )
        assert await tocsin(config, "feeds", "import", str(opml)) == [{"imported": 2}]
        (added,) = await tocsin(config, "feeds", "add", farm.url(2), "--name", "feed-2", "--tag", "extra", "--interval", "2")
        (broken,) = await tocsin(config, "feeds", "add", farm.server.make_url("/missing/feed").human_repr(), "--name", "broken")
        listed = {row["name"]: row for row in await tocsin(config, "feeds", "list")}
        assert set(listed) == {"feed-0", "feed-1", "feed-2", "broken"}
        assert listed["feed-0"]["tags"] == ["Wires"] and listed["feed-2"]["interval_seconds"] == 2.0

        daemon = Daemon(config, "poll")
        await daemon.start()
        try:
            await daemon.wait_ready()

            async def healthy() -> bool:
                rows = {row["name"]: row for row in await tocsin(config, "feeds", "status", "--json")}
                ok = all(rows[f"feed-{n}"].get("items_seen") == 2 and rows[f"feed-{n}"].get("last_success") for n in range(3))
                return ok and rows["broken"].get("consecutive_errors", 0) >= 1

            await eventually(healthy, 60, "every feed's health on the state topic", daemon)
            rows = {row["name"]: row for row in await tocsin(config, "feeds", "status", "--json")}
            assert "http_404" in rows["broken"]["last_error"] and rows["broken"]["last_success"] is None
            assert all(rows[f"feed-{n}"]["next_poll"] for n in range(3))
            table = await asyncio.create_subprocess_exec(TOCSIN, "--config", str(config), "feeds", "status", stdout=asyncio.subprocess.PIPE)
            header = (await table.communicate())[0].decode().splitlines()[0]
            assert header.split("\t") == ["name", "last_success", "last_error", "consecutive_errors", "next_poll", "items_seen"]

            assert await tocsin(config, "feeds", "remove", farm.url(2)) == [{"removed": [added["added"]]}]
            assert {row["name"] for row in await tocsin(config, "feeds", "list")} == {"feed-0", "feed-1", "broken"}

            async def dropped() -> bool:
                return (await daemon.metrics()).get("tocsin_feeds_assigned") == 3.0

            await eventually(dropped, 30, "the running poller dropping the removed feed", daemon)
        finally:
            await daemon.stop(signal.SIGINT)
