"""Poller throughput against a local farm of feeds, with a real local broker.

    PYTHONPATH=tests:. .venv/bin/python bench/poll_farm.py [--feeds 10000] [--seconds 20] [--pollers 1] [--new-per-change 30]

Phase "unchanged": every feed answers 304 to its ETag → polls/s (304s the farm served).
Phase "changed": every fetch returns a changed 30-item (~50 KB) document whose newest
``--new-per-change`` items (default 30: all of them, the worst case) were not in the last one.
Measured once every feed has had its first change: changed feeds/s (changed documents the farm
served), new items served/s, and articles acknowledged by Kafka (acks=all; growth of the
articles topic's end offsets) per second, which keeps up with the new items when the pollers do.
``--pollers N`` runs N poller processes in one consumer group (Kafka splits the feeds).
Prints `name: value` lines, with the CPU each process used (100 = one core) and each
poller's RSS. The farm (a bare asyncio HTTP server) and the broker run in their own
processes on the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import tempfile
import time
import uuid
from multiprocessing.synchronize import Event
from pathlib import Path

import aiohttp
import psutil
from aiokafka import AIOKafkaConsumer, TopicPartition

from monitor.poller import Poller
from tocsin.app import tune_collector
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig
from tocsin.kafka.topics import Topics, ensure_topics, topics_for
from tocsin.observability.logs import configure_logging
from tocsin.settings import FeedConfig, FeedSettings, KafkaSettings, LoggingSettings

ITEMS_PER_DOCUMENT = 30

ITEM = (
    "<item><guid>{feed}-{n}</guid><title>Feed {feed} story {n}</title>"
    "<link>http://news.example/{feed}/{n}?utm_source=rss</link>"
    "<description><![CDATA[<p>{text}</p>]]></description><pubDate>Fri, 04 Jul 2025 06:00:00 GMT</pubDate></item>"
)
TEXT = "Russia attacked Ukraine overnight with drones and missiles, the air force said. " * 19


def document(feed: int, first: int, items: int) -> bytes:
    body = "".join(ITEM.format(feed=feed, n=n, text=TEXT) for n in range(first, first + items))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>f{feed}</title><link>http://x/</link><description>d</description>{body}</channel></rss>'.encode()


class FarmProtocol(asyncio.Protocol):
    """A bare HTTP/1.1 keep-alive server: the farm stands in for thousands of publishers' machines,
    so it must cost the shared two cores as little as possible (aiohttp's server costs about as much
    CPU per request as the poller's client)."""

    state: dict[str, int | str] = {"mode": "unchanged", "first": 0, "not_modified": 0, "changed": 0, "first_changes": 0, "new_items": 0}
    changes: dict[int, int] = {}
    new_per_change = ITEMS_PER_DOCUMENT

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            self.transport.write(self.answer(head))  # type: ignore[attr-defined]

    def answer(self, head: bytes) -> bytes:
        path = head.split(b" ", 2)[1].decode()
        if path == "/stats":
            return response(200, json.dumps(self.state).encode())
        if path.startswith("/mode/"):
            self.state["mode"] = path.removeprefix("/mode/")
            return response(200, b"ok")
        feed = int(path.rpartition("/")[2])
        if self.state["mode"] == "unchanged":
            if b'if-none-match: "v0"' in head.lower():
                self.state["not_modified"] += 1
                return NOT_MODIFIED
            self.state["first"] += 1
            return response(200, document(feed, 0, 1), etag=b'"v0"')
        change = self.changes[feed] = self.changes.get(feed, 0) + 1
        self.state["changed"] += 1
        # The first change replaces the warm-up's one item with a whole new document; later ones
        # slide it by new_per_change items, the steady state that is measured.
        if change == 1:
            self.state["first_changes"] += 1
        else:
            self.state["new_items"] += self.new_per_change
        return response(200, document(feed, change * self.new_per_change, ITEMS_PER_DOCUMENT))


NOT_MODIFIED = b'HTTP/1.1 304 Not Modified\r\nETag: "v0"\r\nContent-Length: 0\r\n\r\n'


def response(status: int, body: bytes, etag: bytes | None = None) -> bytes:
    headers = b"Content-Type: application/rss+xml\r\n" + (b"ETag: " + etag + b"\r\n" if etag else b"")
    return b"HTTP/1.1 %d OK\r\n%sContent-Length: %d\r\n\r\n%s" % (status, headers, len(body), body)


def serve_farm(port: int, new_per_change: int) -> None:
    FarmProtocol.new_per_change = new_per_change

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(FarmProtocol, "127.0.0.1", port, backlog=1024)
        await server.serve_forever()

    asyncio.run(serve())


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine used, whoever they belong to."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def run_poller(bootstrap: str, prefix: str, group: str, farm_port: int, feeds: int, stop: Event) -> None:
    configure_logging(LoggingSettings(level="warning", format="console"))

    async def poll() -> None:
        settings = FeedSettings(
            interval_seconds=1.0,
            allow_private_addresses=True,
            concurrency=256,
            per_host_concurrency=256,  # the whole farm is one host; real feed sets spread over many
            sources=[FeedConfig(url=f"http://127.0.0.1:{farm_port}/feed/{n}") for n in range(feeds)],
        )
        poller = Poller(settings, [bootstrap], topics_for(kafka_settings(bootstrap, prefix)), group_id=group)
        await poller.start()
        tune_collector(polling=True)  # as `tocsin poll` does once started
        try:
            while not stop.is_set():
                await asyncio.sleep(0.2)
        finally:
            await poller.stop()

    asyncio.run(poll())


def kafka_settings(bootstrap: str, prefix: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=[bootstrap], topics={"prefix": prefix, "partitions": 6})


class Probe:
    """What the pollers achieved, read from outside them: the farm's answers and Kafka's offsets."""

    def __init__(self, farm_port: int, bootstrap: str, topics: Topics, processes: dict[str, psutil.Process]) -> None:
        self.farm = f"http://127.0.0.1:{farm_port}"
        self.processes = processes
        self.consumer = AIOKafkaConsumer(bootstrap_servers=[bootstrap])
        self.partitions = [TopicPartition(topics.articles.name, p) for p in range(topics.articles.partitions)]

    async def farm_stats(self) -> dict[str, int]:
        async with aiohttp.ClientSession() as session, session.get(f"{self.farm}/stats") as response:
            return json.loads(await response.read())

    async def acknowledged(self) -> int:
        return sum((await self.consumer.end_offsets(self.partitions)).values())

    async def measure(self, seconds: float) -> dict[str, float]:
        cpu = {name: cpu_seconds(p) for name, p in self.processes.items()}
        busy = machine_busy_seconds()
        farm, articles = await self.farm_stats(), await self.acknowledged()
        began = time.perf_counter()
        await asyncio.sleep(seconds)
        elapsed = time.perf_counter() - began
        farm_after, articles_after = await self.farm_stats(), await self.acknowledged()
        return {
            **{f"{key}_per_s": (farm_after[key] - farm[key]) / elapsed for key in ("not_modified", "changed", "new_items")},
            "articles_per_s": (articles_after - articles) / elapsed,
            **{f"{name}_cpu_percent": (cpu_seconds(p) - cpu[name]) / elapsed * 100 for name, p in self.processes.items()},
            "machine_cpu_percent": (machine_busy_seconds() - busy) / elapsed * 100,
        }

    def report(self, phase: str, figures: dict[str, float]) -> None:
        print(f"{phase}_machine_cpu_percent: {figures['machine_cpu_percent']:.0f}")  # of {psutil.cpu_count() * 100}
        for name in self.processes:
            print(f"{phase}_{name}_cpu_percent: {figures[f'{name}_cpu_percent']:.0f}")
        for name, process in self.processes.items():
            if name.startswith("poller"):
                print(f"{phase}_{name}_rss_mb: {process.memory_info().rss / 2**20:.0f}")


async def bench(bootstrap: str, farm_port: int, feeds: int, seconds: float, pollers: int, new_per_change: int, others: dict[str, int]) -> None:
    prefix, group = f"bench-{uuid.uuid4().hex[:6]}", f"bench-{uuid.uuid4().hex[:6]}"
    topics = topics_for(kafka_settings(bootstrap, prefix))
    ensure_topics([bootstrap], topics.all())
    # Spawned, not forked: this process already runs an event loop.
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    children = [
        spawn.Process(target=run_poller, args=(bootstrap, prefix, group, farm_port, feeds, stop), name=f"poller{n}")
        for n in range(pollers)
    ]
    for child in children:
        child.start()
    processes = {**{f"poller{n}": psutil.Process(c.pid) for n, c in enumerate(children)}, **{k: psutil.Process(v) for k, v in others.items()}}
    probe = Probe(farm_port, bootstrap, topics, processes)
    await probe.consumer.start()
    try:
        # Warm-up: every feed fetched once (200) and its one article acknowledged.
        began = time.perf_counter()
        while (await probe.farm_stats())["first"] < feeds or await probe.acknowledged() < feeds:
            await asyncio.sleep(1)
        print(f"feeds: {feeds}")
        print(f"pollers: {pollers}")
        print(f"warm_up_seconds: {time.perf_counter() - began:.0f}", flush=True)
        unchanged = await probe.measure(seconds)
        print(f"unchanged_polls_per_s: {unchanged['not_modified_per_s']:.0f}")
        probe.report("unchanged", unchanged)
        async with aiohttp.ClientSession() as session:
            await (await session.get(f"http://127.0.0.1:{farm_port}/mode/changed")).read()
        began = time.perf_counter()
        while (await probe.farm_stats())["first_changes"] < feeds:
            await asyncio.sleep(1)
        print(f"new_per_change: {new_per_change}")
        print(f"first_changes_seconds: {time.perf_counter() - began:.0f}", flush=True)
        changed = await probe.measure(seconds)
        print(f"changed_feeds_per_s: {changed['changed_per_s']:.0f}")
        print(f"new_items_served_per_s: {changed['new_items_per_s']:.0f}")
        print(f"articles_acknowledged_per_s: {changed['articles_per_s']:.0f}")
        probe.report("changed", changed)
    finally:
        await probe.consumer.stop()
        stop.set()
        for child in children:
            child.join(60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pollers", type=int, default=1, help="poller processes in one consumer group")
    parser.add_argument("--new-per-change", type=int, default=ITEMS_PER_DOCUMENT, help="items of a changed document that are new")
    args = parser.parse_args()
    from support.net import free_ports  # the tests' helper, on the path when run from the repo root

    configure_logging(LoggingSettings(level="warning", format="console"))

    farm_port, port, controller = free_ports(3)
    farm = multiprocessing.Process(target=serve_farm, args=(farm_port, args.new_per_change), daemon=True)
    farm.start()
    try:
        with tempfile.TemporaryDirectory() as data, LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=Path(data))) as broker:
            others = {"farm": farm.pid, "broker": broker.status().pid}
            asyncio.run(bench(broker.bootstrap, farm_port, args.feeds, args.seconds, args.pollers, args.new_per_change, others))
    finally:
        farm.terminate()
        farm.join()


if __name__ == "__main__":
    main()
