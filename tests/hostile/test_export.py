"""`tocsin export` over an events topic holding a record this build cannot read (a newer
version, poison): compaction keeps it for good, so it is reported in one line and left out,
and every readable event is still exported."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from support.daemon import TOCSIN
from support.streams import backfilled

pytestmark = pytest.mark.integration

HISTORY = (
    "time_start,time_end,model,launched,destroyed,not_reach_goal,source\n"
    "2025-06-08 20:00,2025-06-09 08:00,Shahed-136/131,479,460,,kpszsu/posts/a\n"
    "2025-07-03 18:00,2025-07-04 06:00,Shahed-136/131,539,476,,kpszsu/posts/b\n"
)


async def test_export_leaves_out_an_unreadable_event_and_says_so(tmp_path: Path, kafka_bootstrap: str) -> None:
    history = tmp_path / "history.csv"
    history.write_text(HISTORY)
    config_file, prefix = await backfilled(tmp_path, kafka_bootstrap, history, "2025-07-04")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(f"{prefix}.events", key=b"evt_from_a_newer_build", value=b'{"schema": "tocsin.event", "version": 99}')
    finally:
        await producer.stop()

    done = subprocess.run([TOCSIN, "--config", str(config_file), "export", "--format", "csv", "--historical"],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    (reported,) = [line for line in done.stderr.splitlines() if "evt_from_a_newer_build" in line]
    assert "unsupported_version" in reported and reported.endswith("(left out)")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted(r["launched"] for r in rows) == ["479", "539"]
