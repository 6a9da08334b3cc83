"""The daemon (`tocsin run`, every role in one process) on the real broker, fed poison:
records on the alerts, feeds, feed-state and deliveries topics that do not decode (nested too
deeply, not UTF-8, a newer version, credentials in a stored feed URL) and an article that costs
the extractor seconds. Delivery and polling go on for everything else, health keeps answering,
each bad record is counted, logged and (on stream topics) dead-lettered with a bounded excerpt."""

from __future__ import annotations

import asyncio
import json
import tomllib
import uuid
from pathlib import Path

import aiohttp
import pytest
from aiokafka import AIOKafkaProducer

from support.daemon import Daemon, isolated_config, write_config
from support.servers import FeedServer, RssItem, rss
from support.streams import read_topic, run_cli
from support.webhooks import SECRET, SignedReceiver, alerts, eventually, publish_alerts
from tocsin.kafka.topics import ensure_topics, topics_for
from tocsin.records import Article, DeadLetter, utc_now
from tocsin.records.dead_letter import EXCERPT_BYTES
from tocsin.settings import load_settings

pytestmark = pytest.mark.integration

NESTED_ALERT = b'{"schema":"tocsin.alert","version":1,"event":' + b"[" * 200_000
NOT_UTF8 = b"\xff\xfe" * 400_000  # 800 KB: the dead letter must not copy it
NEWER_FEED = json.dumps({"schema": "tocsin.feed", "version": 2, "feed_id": "feed_v2", "config": {"url": "https://x.org/v2"}}).encode()
STORED_WITH_CREDENTIALS = json.dumps(
    {"schema": "tocsin.feed", "version": 1, "feed_id": "feed_creds", "config": {"url": "https://bob:hunter2@x.org/rss"}}
).encode()
# The extractor's cost grew superlinearly with counts in one sentence: seconds for this one.
HOSTILE_BODY = "500 drones " * 1500


async def _produce(bootstrap: str, records: list[tuple[str, bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for topic, key, value in records:
            await producer.send_and_wait(topic, key=key, value=value)
    finally:
        await producer.stop()


async def _probe_health(url: str, failures: list[str], stop: asyncio.Event) -> None:
    """/healthz as a liveness probe would ask it (2 s timeout), until told to stop."""
    timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while not stop.is_set():
            try:
                async with session.get(url) as response:
                    if response.status != 200:
                        failures.append(f"status {response.status}")
            except (TimeoutError, aiohttp.ClientError) as exc:
                failures.append(type(exc).__name__)
            await asyncio.sleep(0.1)


async def test_poison_on_every_topic_stops_nothing_else(tmp_path: Path, kafka_bootstrap: str) -> None:
    run = uuid.uuid4().hex[:8]
    item = RssItem(guid=f"{run}-1", title="Weather in Lviv", description="Sunny.", link=f"https://news.example/{run}")
    async with SignedReceiver() as receiver, FeedServer(rss([item])) as feed:
        config = isolated_config(
            tmp_path, kafka_bootstrap,
            feeds={"sources": [{"url": feed.url, "name": "good"}]},
            webhooks={"endpoints": [{"name": "hook", "url": receiver.url, "secret": SECRET}],
                      "retry_schedule_seconds": [0, 0.2], "retry_jitter": 0.0},
        )
        config_file = write_config(tmp_path / "tocsin.toml", config)
        settings = load_settings(config_file)
        topics = topics_for(settings.kafka)
        prefix = settings.kafka.topics.prefix
        ensure_topics([kafka_bootstrap], topics.all())
        await _produce(kafka_bootstrap, [
            (topics.alerts.name, b"poison-nested", NESTED_ALERT),
            (topics.alerts.name, b"k" * 5000, NOT_UTF8),
            (topics.articles.name, b"deep", b"[" * 200_000),
            (topics.feeds.name, b"feed_v2", NEWER_FEED),
            (topics.feeds.name, b"feed_deep", b"[" * 200_000),
            (topics.feeds.name, b"feed_creds", STORED_WITH_CREDENTIALS),
            (topics.feeds.name, b"\xff\xfe not utf-8", b"{}"),
            (topics.feed_state.name, b"feed_deep", b'{"schema":"tocsin.feed_state","version":1,"health":' + b"{" * 100_000),
            (topics.deliveries.name, b"x|hook", json.dumps({"schema": "tocsin.delivery", "version": 2}).encode()),
        ])
        (good,) = alerts(run, 1)
        await publish_alerts(kafka_bootstrap, prefix, [good])

        daemon = Daemon(config_file, "run")
        await daemon.start()
        failures: list[str] = []
        stop = asyncio.Event()
        prober: asyncio.Task[None] | None = None
        try:
            await daemon.wait_ready()
            prober = asyncio.create_task(_probe_health(f"{daemon.metrics_url}/healthz", failures, stop))
            hostile = Article(id=f"hostile-{run}", url=None, title="Russia attacked Ukraine overnight", body=HOSTILE_BODY,
                              fetched_at=utc_now(), sources=())
            await _produce(kafka_bootstrap, [(topics.articles.name, hostile.id.encode(), hostile.to_bytes())])

            await eventually(lambda: receiver.delivered == [good.alert_id], "the good alert delivered", daemon)
            await eventually(lambda: feed.requests > 0, "the good feed polled", daemon)

            async def counted() -> bool:
                m = await daemon.metrics()
                extracted = sum(v for k, v in m.items() if k.startswith("tocsin_extractions_total"))
                return (
                    m.get('tocsin_articles_published_total', 0) >= 1
                    and m.get('tocsin_extractions_capped_total', 0) >= 1  # the hostile article, read within the caps
                    and extracted >= m.get('tocsin_records_consumed_total{stage="extract"}', 0) - 1 >= 2  # less the dead letter
                    and m.get('tocsin_records_skipped_total{reason="unsupported_version",stage="poll"}', 0) >= 1
                    and m.get('tocsin_records_skipped_total{reason="invalid",stage="poll"}', 0) >= 1  # credentials
                    and m.get('tocsin_records_skipped_total{reason="unsupported_version",stage="deliver"}', 0) >= 1
                    and sum(v for k, v in m.items() if k.startswith("tocsin_records_skipped_total") and 'stage="poll"' in k) >= 5
                    and sum(v for k, v in m.items() if k.startswith("tocsin_dead_letters_total") and 'stage="deliver"' in k) >= 2
                )

            await eventually(counted, "the feed's article published and extracted, the hostile one too, every poison counted", daemon, timeout=120)

            # The worker's API: a bad parameter is a 400 naming it, never a 500.
            api = tomllib.loads(config_file.read_text())["api"]
            async with aiohttp.ClientSession() as session:
                for query, parameter in [("since=2025-07-04T00:00:00", "since"), ("limit=-1", "limit"), ("limit=lots", "limit"),
                                         ("min=nan", "min"), ("metric=%00", "metric")]:
                    async with session.get(f"http://{api['host']}:{api['port']}/events?{query}") as response:
                        body = await response.text()
                        assert response.status == 400 and f"{parameter}:" in body, (query, body)

            # `feeds list` reads past the same poison: the good feed, nothing of the others, no password.
            listed = await run_cli(config_file, "feeds", "list")
            assert feed.url in listed and "hunter2" not in listed and "x.org/v2" not in listed
        finally:
            stop.set()
            if prober is not None:
                await prober
            assert await daemon.stop() == 0, daemon.logs()
        assert not failures, f"health probes failed while the hostile article was extracted: {failures}"
        assert "Traceback" not in daemon.logs() and "hunter2" not in daemon.logs()

    letters = [DeadLetter.from_bytes(v) for _, v in await read_topic(kafka_bootstrap, topics.dead_letters.name)]
    assert sorted((letter.stage, letter.reason, letter.value_bytes) for letter in letters) == [
        ("deliver", "bad_json", len(NESTED_ALERT)), ("deliver", "bad_json", len(NOT_UTF8)), ("extract", "too_deep", 200_000),
    ]
    for letter in letters:  # an excerpt, never the whole value: a letter always fits in a record
        assert len(letter.value.encode()) <= EXCERPT_BYTES and len(letter.key or "") <= 1024
        assert len(letter.to_bytes()) < 64 * 1024
