"""End to end on the real broker: feed → Kafka → Faust stages → webhook."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from support.daemon import Daemon, isolated_config, write_config
from support.servers import FeedServer, RssItem, WebhookReceiver, rss
from tocsin.records import DeadLetter

pytestmark = pytest.mark.integration

ATTACK = RssItem(
    guid="attack-0704",
    title="Russia launches record 539 drones and 11 missiles at Ukraine overnight",
    description=(
        "Russia attacked Ukraine overnight with 539 drones and 11 missiles, the air force said. "
        "Air defences neutralised 476 of the drones. The main target was Kyiv."
    ),
    link="http://127.0.0.1/news/attack-0704?utm_source=rss",
)
SPORTS = RssItem(
    guid="sport-1",
    title="Dynamo win 3-1 in front of 12,000 fans",
    description="A late goal sealed it.",
    link="http://127.0.0.1/news/sport-1",
)


async def wait_for(condition, timeout: float, what: str, daemon: Daemon) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{daemon.logs()}")
        await asyncio.sleep(0.25)


async def test_attack_report_becomes_exactly_one_webhook_alert(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with FeedServer(rss([ATTACK, SPORTS])) as feed, WebhookReceiver() as receiver:
        config = isolated_config(
            tmp_path,
            kafka_bootstrap,
            feeds={"sources": [{"url": feed.url, "name": "test-wire", "language": "en"}]},
            webhooks={"endpoints": [{"name": "receiver", "url": receiver.url}]},
            rules={"threshold": [{"name": "big-drone-attack", "metric": "drones_launched", "op": ">=", "value": 400}]},
        )
        daemon = Daemon(write_config(tmp_path / "tocsin.toml", config))
        await daemon.start()
        try:
            await daemon.wait_ready()

            async def delivered() -> bool:
                return len(receiver.received) >= 1

            await wait_for(delivered, 90, "the alert to reach the webhook", daemon)
            cloudevent = receiver.received[0]
            alert = cloudevent["data"]
            assert cloudevent["specversion"] == "1.0" and cloudevent["type"] == "io.tocsin.alert.threshold"
            assert cloudevent["id"] == alert["alert_id"]
            assert alert["schema"] == "tocsin.alert"
            assert alert["kind"] == "threshold"
            assert alert["metric"] == "drones_launched" and alert["value"] == 539
            assert alert["rule"]["name"] == "big-drone-attack"
            assert receiver.headers[0]["webhook-id"] == alert["alert_id"]

            # The unchanged feed is polled again several times: no second alert.
            polls_then = feed.requests

            async def polled_again() -> bool:
                return feed.requests >= polls_then + 3

            await wait_for(polled_again, 30, "three more polls", daemon)
            await asyncio.sleep(3)  # time for anything wrongly republished to travel the pipeline
            assert len(receiver.received) == 1
            assert feed.not_modified >= 3

            metrics = await daemon.metrics()
            assert metrics["tocsin_articles_fetched_total"] == 2
            assert metrics["tocsin_articles_published_total"] == 2
            assert metrics['tocsin_records_consumed_total{stage="extract"}'] == 2
            assert metrics['tocsin_alerts_raised_total{kind="threshold"}'] == 1
            assert metrics['tocsin_alerts_delivered_total{endpoint="receiver",outcome="delivered"}'] == 1
        finally:
            code = await daemon.stop(signal.SIGINT)
        assert code == 0, daemon.logs()


async def test_bad_record_is_dead_lettered_and_the_agent_keeps_running(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with WebhookReceiver() as receiver:
        config = isolated_config(
            tmp_path,
            kafka_bootstrap,
            webhooks={"endpoints": [{"name": "receiver", "url": receiver.url}]},
            rules={"threshold": [{"name": "any-drones", "metric": "drones_launched", "op": ">=", "value": 1}]},
        )
        prefix = config["kafka"]["topics"]["prefix"]
        daemon = Daemon(write_config(tmp_path / "tocsin.toml", config), "worker")
        await daemon.start()
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
        consumer = AIOKafkaConsumer(f"{prefix}.dead-letters", bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest")
        await producer.start()
        try:
            await daemon.wait_ready()  # topics exist from here on
            await consumer.start()
            await producer.send_and_wait(f"{prefix}.articles", key=b"junk", value=b"{not json")
            await producer.send_and_wait(
                f"{prefix}.articles", key=b"v9", value=b'{"schema":"tocsin.article","version":9}'
            )
            article = (
                '{"schema":"tocsin.article","version":1,"id":"art_1","url":null,'
                '"title":"Russia launched 120 drones at Ukraine overnight","fetched_at":"2025-07-04T06:00:00Z",'
                '"published_at":"2025-07-04T06:00:00Z","sources":[{"feed_url":"http://x/","feed_name":"x"}]}'
            )
            await producer.send_and_wait(f"{prefix}.articles", key=b"art_1", value=article.encode())

            letters = [DeadLetter.from_bytes((await asyncio.wait_for(consumer.getone(), 60)).value) for _ in range(2)]
            by_reason = {d.reason: d for d in letters}
            assert set(by_reason) == {"bad_json", "unsupported_version"}
            assert by_reason["bad_json"].value == "{not json" and by_reason["bad_json"].stage == "extract"
            assert by_reason["bad_json"].topic == f"{prefix}.articles" and by_reason["bad_json"].key == "junk"

            async def delivered() -> bool:
                return len(receiver.received) == 1

            await wait_for(delivered, 60, "the valid article's alert after the bad ones", daemon)
        finally:
            await consumer.stop()
            await producer.stop()
            code = await daemon.stop(signal.SIGTERM)
        assert code == 0, daemon.logs()
