"""Faults on the real broker: a full disk under the worker's tables, worker crashes,
Kafka going away, a receiver that is down for a while. Each run ends with the
same events, records and alerts as a run without the fault."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from test_events import ARTICLES, FIXTURES, publish_articles

from support.daemon import Daemon, isolated_config, write_config
from support.net import free_ports
from support.servers import WebhookReceiver
from support.webhooks import SECRET, SignedReceiver, alerts, publish_alerts
from support.webhooks import eventually as until
from support.streams import api_get, caught_up, eventually, read_topic, run_cli
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig
from tocsin.records import Alert

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def small_disk(path: Path, size: str = "128m") -> Iterator[Path]:
    """A tmpfs of its own, so the test can fill it (needs root)."""
    path.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> Path:
    ballast = disk / "ballast"
    with ballast.open("wb", buffering=0) as out:
        for chunk in (1 << 20, 4096, 1):  # to the last byte
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * chunk)
    return ballast


async def readiness(daemon: Daemon) -> int:
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{daemon.metrics_url}/readyz") as response:
            return response.status
    except aiohttp.ClientError:
        return 0


async def test_full_disk_stops_the_worker_and_loses_no_state(tmp_path: Path, kafka_bootstrap: str) -> None:
    with small_disk(tmp_path / "disk") as disk:
        config = isolated_config(tmp_path, kafka_bootstrap, rules={"record_metrics": ["drones_launched"]})
        config["data_dir"] = str(disk / "state")
        config_file = write_config(tmp_path / "tocsin.toml", config)
        prefix = config["kafka"]["topics"]["prefix"]
        await run_cli(config_file, "backfill", "--csv", str(FIXTURES / "attacks_sanity.csv"), "--until", "2025-06-30")
        daemon = Daemon(config_file, "worker")
        await daemon.start()
        try:
            await daemon.wait_ready()
            await publish_articles(kafka_bootstrap, f"{prefix}.articles", ARTICLES[:1], tmp_path)

            async def sources(n: int) -> bool:
                events = (await api_get(daemon, "/events?since=2025-01-01T00:00:00%2B00:00"))["events"]
                return [e["sources"] for e in events] == [n]

            await eventually(lambda: sources(1), 60, "the first report's event", daemon)
            ballast = fill(disk)
            # Reports keep coming while nothing can be written (each table's log has a page of slack).
            repeats = []

            async def not_ready() -> bool:
                if await readiness(daemon) == 503:
                    return True
                repeat = {**ARTICLES[0], "id": f"wire-1-{len(repeats)}", "source": f"Wire {len(repeats)}"}
                await publish_articles(kafka_bootstrap, f"{prefix}.articles", [repeat], tmp_path)
                repeats.append(repeat["id"])
                return False

            await eventually(not_ready, 60, "readiness to report the full disk", daemon)
            assert "table store failed" in daemon.logs()
            # The air force's 539 (a revision and a record alert) waits behind the held report.
            await publish_articles(kafka_bootstrap, f"{prefix}.articles", ARTICLES[1:2], tmp_path)
            ballast.unlink()
            await eventually(lambda: sources(len(repeats) + 2), 60, "the held reports to be merged once the disk has room", daemon)

            async def ready() -> bool:
                return await readiness(daemon) == 200

            await eventually(ready, 30, "readiness once the tables are writable", daemon)
            await publish_articles(kafka_bootstrap, f"{prefix}.articles", ARTICLES[2:], tmp_path)
            await eventually(lambda: sources(len(repeats) + 3), 60, "the last report", daemon)
        finally:
            assert await daemon.stop(signal.SIGTERM) == 0, daemon.logs()

        # What the tables hold after a restart (from disk and changelog) is what a run without the fault leaves.
        again = Daemon(config_file, "worker")
        await again.start()
        try:
            await again.wait_ready()
            await eventually(lambda: caught_up(again), 60, "an idle pipeline", again)
            (big,) = (await api_get(again, "/events?target=UA&min=400"))["events"]
            detail = await api_get(again, f"/events/{big['event_id']}")
            assert [s["article_id"] for s in detail["event"]["sources"]] == ["wire-1", *repeats, "uk-af-1", "daily-1"]
            assert [r["revision"] for r in detail["revisions"]] == list(range(1, len(repeats) + 4))
            current = (await api_get(again, "/records?scope=UA&metric=drones_launched"))["records"]["UA"]["drones_launched"]
            assert (current["value"], current["event_id"]) == (539, big["event_id"])
        finally:
            assert await again.stop(signal.SIGTERM) == 0, again.logs()
        records = [Alert.from_bytes(v) for _, v in await read_topic(kafka_bootstrap, f"{prefix}.alerts")]
        # Each alert revision once: held, not re-published, and the ladder's previous record is right.
        assert Counter((a.alert_id, a.revision, a.value) for a in records) == Counter(
            {(records[0].alert_id, 1, 500): 1, (records[0].alert_id, 2, 539): 1}
        ), records
        final = max(records, key=lambda a: a.revision)
        assert final.previous is not None and (final.previous.value, final.previous.night_of.isoformat()) == (479, "2025-06-09")


def night(day: int) -> dict[str, str]:
    """One air force report of a night in July 2025: an event, and an alert under the rule below."""
    return {"id": f"af-07-{day:02d}", "language": "en", "source": "Air Force", "source_kind": "air_force",
            "published": f"2025-07-{day:02d}T09:00:00+03:00", "title": f"Russia launched {100 + day} drones at Ukraine overnight",
            "body": f"Russia attacked Ukraine overnight with {100 + day} drones, the air force said."}


async def owned_partitions(daemon: Daemon, topic: str) -> set[str]:
    """The partitions of the topic this process consumes now (its lag series, refreshed every 5 s)."""
    try:
        metrics = await daemon.metrics()
    except aiohttp.ClientError:
        return set()
    return {k.split('partition="')[1].split('"')[0] for k in metrics if k.startswith("tocsin_consumer_lag_messages{") and f'topic="{topic}"' in k}


def failover_config(tmp_path: Path, bootstrap: str, receiver_url: str) -> dict:
    """A worker config whose every night alerts one receiver, with Kafka's lowest default session
    timeout: the shortest stall a dead member causes."""
    config = isolated_config(
        tmp_path, bootstrap,
        webhooks={"endpoints": [{"name": "receiver", "url": receiver_url}]},
        rules={"record_metrics": [], "threshold": [{"name": "any-drones", "metric": "drones_launched", "value": 1}]},
    )
    config["kafka"]["membership"] = {"session_timeout_seconds": 6.0, "heartbeat_interval_seconds": 1.0}
    return config


async def test_worker_killed_twice_resumes_its_partitions_and_loses_no_alert(tmp_path: Path, kafka_bootstrap: str) -> None:
    async with WebhookReceiver() as receiver:
        config = failover_config(tmp_path, kafka_bootstrap, receiver.url)
        config_file = write_config(tmp_path / "tocsin.toml", config)
        articles = f"{config['kafka']['topics']['prefix']}.articles"
        days = iter(range(1, 32))
        worker = Daemon(config_file, "worker")
        await worker.start()
        try:
            for round_ in range(3):
                await worker.wait_ready()

                async def owns_all(worker: Daemon = worker) -> bool:
                    # Its dead predecessor's partitions are its own again (the group dropped the dead member).
                    return await owned_partitions(worker, articles) == {"0", "1"}

                await eventually(owns_all, 60, "the worker to own every article partition", worker)
                await publish_articles(kafka_bootstrap, articles, [night(next(days)) for _ in range(3)], tmp_path)
                await eventually(lambda: delivered_count(receiver, 3 * round_ + 3), 60, "this round's alerts", worker)
                if round_ < 2:
                    await asyncio.sleep(1)  # the deliveries on record: the kill falls outside the webhook-id window
                    worker.process.kill()  # type: ignore[union-attr]
                    await worker.process.wait()  # type: ignore[union-attr]
                    worker = Daemon(config_file, "worker")
                    await worker.start()
            ids = [h["webhook-id"] for h in receiver.headers]
            assert len(ids) == len(set(ids)) == 9, ids  # every alert once: none lost, none doubled
        finally:
            await worker.stop(signal.SIGTERM)


async def delivered_count(receiver: WebhookReceiver, n: int) -> bool:
    return len(receiver.received) >= n


async def test_receiver_back_after_an_outage_gets_the_backlog_at_the_next_probe(tmp_path: Path, kafka_bootstrap: str) -> None:
    receiver = SignedReceiver(status=503)
    async with receiver:
        config = isolated_config(tmp_path, kafka_bootstrap, webhooks={
            # After two failures the schedule waits an hour: only the breaker's probes can notice the return.
            "retry_schedule_seconds": [0, 0.1, 3600], "retry_jitter": 0.0, "max_attempts": 5,
            "breaker_failures": 2, "breaker_cooldown_seconds": 0.1, "breaker_max_cooldown_seconds": 0.4,
            "endpoints": [{"name": "ops", "url": receiver.url, "secret": SECRET}],
        })
        daemon = Daemon(write_config(tmp_path / "tocsin.toml", config), "deliver")
        await daemon.start()
        try:
            await daemon.wait_ready()
            sent = alerts(uuid.uuid4().hex[:8], 4)
            ids = {a.alert_id for a in sent}
            await publish_alerts(kafka_bootstrap, config["kafka"]["topics"]["prefix"], sent)
            # Down for longer than every retry the schedule allows (5 attempts): probes only.
            await until(lambda: len(receiver.requests) >= 4 * 5 + 3, "probes well past the schedule's attempts", daemon)
            receiver.status = 200
            await until(lambda: set(receiver.delivered) == ids, "the backlog once the receiver is back", daemon)
            assert sorted(receiver.delivered) == sorted(ids)
            # Nothing was dead-lettered: a probe does not use up an alert's attempts.
            metrics = await daemon.metrics()
            assert metrics.get('tocsin_alerts_delivered_total{endpoint="ops",outcome="dead"}', 0) == 0
            logs = daemon.logs()
            assert logs.count("breaker opened") == 1 and logs.count("breaker closed") == 1, logs
            assert logs.index("breaker opened") < logs.index("probe failed") < logs.index("breaker closed")
        finally:
            assert await daemon.stop(signal.SIGTERM) == 0, daemon.logs()


async def test_broker_away_makes_every_component_unready_in_a_few_log_lines(tmp_path: Path) -> None:
    port, controller = free_ports(2)  # its own broker, to take away under a running daemon
    broker = LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=tmp_path / "kafka"))
    await asyncio.to_thread(broker.start)
    daemon = Daemon(write_config(tmp_path / "tocsin.toml", isolated_config(tmp_path, broker.bootstrap)), "run")
    try:
        await daemon.start()
        await daemon.wait_ready()
        lines_before = len(daemon.log_file.read_text().splitlines())
        await asyncio.to_thread(broker.stop)

        async def unready() -> bool:
            return await readiness_body(daemon) == {"ready": False, "components": {"poll": False, "deliver": False, "work": False}}

        await eventually(unready, 60, "every component to report Kafka gone", daemon)
        await asyncio.sleep(2)  # every client retries (and used to complain) several times a second
        outage = daemon.log_file.read_text().splitlines()[lines_before:]
        await asyncio.to_thread(broker.start)
        await daemon.wait_ready()
        assert len(outage) <= 40, "\n".join(outage)
        assert sum('"kafka unreachable"' in line for line in outage) == 1
    finally:
        try:
            await daemon.stop(signal.SIGTERM)
        finally:
            await asyncio.to_thread(broker.stop)


async def readiness_body(daemon: Daemon) -> dict:
    try:
        async with aiohttp.ClientSession() as session, session.get(f"{daemon.metrics_url}/readyz") as response:
            return await response.json()
    except aiohttp.ClientError:
        return {}
