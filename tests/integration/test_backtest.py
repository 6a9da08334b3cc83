"""Back-test on history, and a crash mid-stream: record alerts exactly on record-breaking nights.

History is backfilled to 2025-05-01 from a committed extract of the Air Force
dataset; Air Force style reports of the following months (generated from the
same figures by bench/airforce_articles.py, half English, half Ukrainian) are
replayed through the real extractor and stages.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from support.daemon import Daemon
from support.servers import WebhookReceiver
from streams.deliver.render import message_id
from support.streams import api_get, backfilled, caught_up, eventually, read_topic, run_cli
from tocsin.cli.replay import REPLAY_PARTITION, read_articles
from tocsin.records import Alert

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ARTICLES = FIXTURES / "backtest_articles.jsonl"
# (night, drones launched, previous record, its night): the drone records after 2025-05-01
# (data README: 479 on 2025-06-09, then 539 on 2025-07-04).
RECORD_NIGHTS = [
    ("2025-05-18", 273, 267, "2025-02-23"),
    ("2025-05-25", 298, 273, "2025-05-18"),
    ("2025-05-26", 355, 298, "2025-05-25"),
    ("2025-06-01", 472, 355, "2025-05-26"),
    ("2025-06-09", 479, 472, "2025-06-01"),
    ("2025-07-04", 539, 479, "2025-06-09"),
    ("2025-07-09", 728, 539, "2025-07-04"),
    ("2025-09-07", 810, 728, "2025-07-09"),
]


async def setup(tmp_path: Path, bootstrap: str, **sections: Any) -> tuple[Path, str]:
    return await backfilled(tmp_path, bootstrap, FIXTURES / "attacks_2025.csv", "2025-05-01", rules={"record_metrics": ["drones_launched"]}, **sections)


async def record_alerts(bootstrap: str, prefix: str) -> list[Alert]:
    return [a for _, v in await read_topic(bootstrap, f"{prefix}.alerts") if (a := Alert.from_bytes(v)).kind.value == "record"]


def by_night(alerts: list[Alert]) -> list[tuple[str, float, float, str]]:
    return sorted(
        (a.event.window.night_of.isoformat(), a.value, a.previous.value, a.previous.night_of.isoformat())
        for a in alerts
        if a.previous is not None
    )


async def finished(daemon: Daemon, bootstrap: str, prefix: str) -> None:
    async def done() -> bool:
        return len({a.alert_id for a in await record_alerts(bootstrap, prefix)}) >= len(RECORD_NIGHTS) and await caught_up(daemon)

    await eventually(done, 90, "every record night's alert and an idle pipeline", daemon)


async def test_backfill_then_replay_alerts_exactly_on_record_nights(tmp_path: Path, kafka_bootstrap: str) -> None:
    config_file, prefix = await setup(tmp_path, kafka_bootstrap)
    daemon = Daemon(config_file, "worker")
    await daemon.start()
    try:
        await daemon.wait_ready()
        await run_cli(config_file, "replay", str(ARTICLES))
        await finished(daemon, kafka_bootstrap, prefix)
        alerts = await record_alerts(kafka_bootstrap, prefix)
        assert by_night(alerts) == RECORD_NIGHTS
        assert len(alerts) == len(RECORD_NIGHTS)  # no updates, no repeats
        records = (await api_get(daemon, "/records?scope=UA&metric=drones_launched"))["records"]["UA"]["drones_launched"]
        assert (records["value"], records["night_of"]) == (810, "2025-09-07")
    finally:
        assert await daemon.stop(signal.SIGTERM) == 0, daemon.logs()


async def test_sigkill_mid_stream_loses_and_repeats_nothing(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with WebhookReceiver() as receiver:
        config_file, prefix = await setup(tmp_path, kafka_bootstrap, webhooks={"endpoints": [{"name": "receiver", "url": receiver.url}]})
        articles = read_articles(ARTICLES)
        daemon = Daemon(config_file, "worker")
        await daemon.start()
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
        await producer.start()
        try:
            await daemon.wait_ready()

            async def publish_paced() -> None:
                # Paced so the worker is still busy when it is killed; in order, as `tocsin replay` does.
                for article in articles:
                    await producer.send_and_wait(f"{prefix}.articles", key=article.id.encode(), value=article.to_bytes(), partition=REPLAY_PARTITION)
                    await asyncio.sleep(0.02)

            publishing = asyncio.create_task(publish_paced())

            async def first_alert() -> bool:
                return bool(await record_alerts(kafka_bootstrap, prefix))

            await eventually(first_alert, 60, "the first record alert", daemon)
            assert daemon.process is not None
            daemon.process.kill()  # SIGKILL: no commit, no flush, no goodbye
            await daemon.process.wait()
            assert not publishing.done(), "the stream had ended before the kill"
            await publishing
        finally:
            await producer.stop()
            await daemon.stop(signal.SIGKILL)

        restarted = Daemon(config_file, "worker")
        await restarted.start()
        try:
            await restarted.wait_ready()  # ready = tables recovered
            await finished(restarted, kafka_bootstrap, prefix)
            alerts = await record_alerts(kafka_bootstrap, prefix)
            assert by_night(list({a.alert_id: a for a in alerts}.values())) == RECORD_NIGHTS  # none lost

            async def all_delivered() -> bool:
                return {h["webhook-id"] for h in receiver.headers} >= {message_id(a) for a in alerts}

            await eventually(all_delivered, 60, "every record alert at the receiver", restarted)
            assert '"stage"' not in json.dumps(await api_get(restarted, "/healthz"))
        finally:
            assert await restarted.stop(signal.SIGTERM) == 0, restarted.logs()
    # A kill between publishing an alert and recording it may repeat it on the alerts topic
    # (at-least-once); the receiver must still get each alert once.
    repeats = {k: n for k, n in Counter(h["webhook-id"] for h in receiver.headers).items() if n > 1}
    assert not repeats, f"alerts delivered twice: {repeats}"


async def test_a_backlog_of_nights_out_of_order_ends_with_the_in_order_alerts(tmp_path: Path, kafka_bootstrap: str) -> None:
    """A backlog arrives newest night first (as a poll of several nights once did): every record is judged
    against the earlier nights whenever they arrive, and an alert a late earlier night outranks is updated
    under its own id, superseded or naming the right previous record."""
    config_file, prefix = await setup(tmp_path, kafka_bootstrap)
    lines = [line for line in ARTICLES.read_text().splitlines() if line.strip()]
    backlog = tmp_path / "backlog.jsonl"
    backlog.write_text("".join(line + "\n" for line in sorted(lines, key=lambda line: json.loads(line)["published"], reverse=True)))
    daemon = Daemon(config_file, "worker")
    await daemon.start()
    try:
        await daemon.wait_ready()
        out = await run_cli(config_file, "replay", "--wait", str(backlog))
        alerts = await record_alerts(kafka_bootstrap, prefix)
        records = (await api_get(daemon, "/records?scope=UA&metric=drones_launched"))["records"]["UA"]["drones_launched"]
    finally:
        assert await daemon.stop(signal.SIGTERM) == 0, daemon.logs()
    latest: dict[str, Alert] = {}
    for alert in alerts:
        if alert.alert_id not in latest or alert.revision > latest[alert.alert_id].revision:
            latest[alert.alert_id] = alert
    standing = [a for a in latest.values() if not a.superseded]
    assert by_night(standing) == RECORD_NIGHTS  # the right nights, each naming the right previous record
    superseded = [a for a in latest.values() if a.superseded]
    assert superseded, "the backlog should have raised records that earlier nights outrank"
    assert all(a.updated and a.revision > 1 for a in superseded)
    assert f"alerts superseded: {len(superseded)}" in out.splitlines()
    assert (records["value"], records["night_of"]) == (810, "2025-09-07")
