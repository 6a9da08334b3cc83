"""End to end on the real broker, from real-time sources to the webhook: a post on the local
Telegram preview → one alert; the post edited → an event revision, no second alert; a WebSub push
→ an alert with the feed's poll interval far away."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from support.daemon import Daemon, isolated_config, write_config
from support.net import free_ports
from support.servers import FeedServer, WebhookReceiver
from support.streams import api_get, eventually
from support.telegram import PreviewServer, TgPost
from support.websub_hub import Hub, realtime_feeds, topic_rss

pytestmark = pytest.mark.integration

ATTACK = "Russia attacked Ukraine overnight with 539 drones and 11 missiles, the air force said. Air defences neutralised 476 of the drones."
EDITED = "Russia attacked Ukraine overnight with 550 drones and 11 missiles, the air force said. Air defences neutralised 476 of the drones."


async def test_a_post_alerts_once_its_edit_revises_the_event_and_a_push_alerts_without_a_poll(tmp_path: Path, kafka_bootstrap: str) -> None:
    channel = [TgPost(7, "Good morning, the shelters are open", datetime.now(UTC))]
    (callback_port,) = free_ports(1)
    async with PreviewServer({"af_test": channel}) as preview, Hub() as hub, FeedServer(b"") as wire, WebhookReceiver() as receiver:
        topic = wire.url
        wire.body = topic_rss(topic, hub.url, [("calm", "A quiet evening in the capital", datetime.now(UTC))])
        config = isolated_config(
            tmp_path, kafka_bootstrap,
            feeds=realtime_feeds(preview.origin, callback_port, [
                {"url": "https://t.me/s/af_test", "type": "telegram", "name": "Air Force", "kind": "air_force", "interval_seconds": 0.5},
                {"url": topic, "name": "wire"},
            ]),
            webhooks={"endpoints": [{"name": "receiver", "url": receiver.url}]},
            rules={"threshold": [{"name": "big-drone-attack", "metric": "drones_launched", "op": ">=", "value": 400}], "record_metrics": []},
        )
        daemon = Daemon(write_config(tmp_path / "tocsin.toml", config))
        await daemon.start()
        try:
            await daemon.wait_ready()

            async def subscribed() -> bool:
                return bool(hub.active(topic)) and wire.requests >= 2

            await eventually(subscribed, 60, "the wire's WebSub subscription", daemon)
            channel.append(TgPost(8, ATTACK, datetime.now(UTC)))

            async def alerts(n: int) -> bool:
                return len(receiver.received) >= n

            await eventually(lambda: alerts(1), 60, "the post's alert", daemon)
            first = receiver.received[0]["data"]
            assert first["value"] == 539 and first["rule"]["name"] == "big-drone-attack"

            channel[-1] = TgPost(8, EDITED, channel[-1].date, edited=True)

            async def revised() -> bool:
                events = (await api_get(daemon, "/events"))["events"]
                return any(e["event_id"] == first["event"]["event_id"] and e["revision"] >= 2 and e["figures"]["drones_launched"] == 550 for e in events)

            await eventually(revised, 60, "the edit's event revision", daemon)

            # Another night's report, pushed by the hub: its alert arrives with the wire's next poll an hour away.
            polls = wire.requests
            earlier = datetime.now(UTC) - timedelta(days=3)
            pushed = topic_rss(topic, hub.url, [("night-3", "Russia launched 480 drones at Ukraine overnight, the air force said", earlier)])
            assert await hub.publish(topic, pushed) == [202]
            await eventually(lambda: alerts(2), 60, "the pushed report's alert", daemon)
            second = receiver.received[1]["data"]
            assert second["value"] == 480 and second["event"]["event_id"] != first["event"]["event_id"]
            assert wire.requests == polls
            assert len(receiver.received) == 2  # the edit raised none

            metrics = await daemon.metrics()
            assert metrics['tocsin_websub_pushes_total{outcome="accepted"}'] == 1
            assert metrics["tocsin_websub_subscriptions_active"] == 1
            assert metrics['tocsin_telegram_posts_total{kind="air_force",verdict="edited"}'] == 1
        finally:
            code = await daemon.stop(signal.SIGINT)
        assert code == 0, daemon.logs()
