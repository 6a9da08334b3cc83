"""Faults on the real broker: a full disk under the worker's tables, worker crashes,
Kafka going away, a receiver that is down for a while. Each run ends with the
same events, records and alerts as a run without the fault."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from test_events import ARTICLES, FIXTURES, publish_articles

from support.daemon import Daemon, isolated_config, write_config
from support.streams import api_get, caught_up, eventually, read_topic, run_cli
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
