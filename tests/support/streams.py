"""Helpers for stream-stage integration tests: CLI runs, topic reads, the worker API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiokafka import AIOKafkaConsumer, TopicPartition

from support.daemon import TOCSIN, Daemon, isolated_config, write_config


async def run_cli(config_file: Path, *args: str, timeout: float = 120.0) -> str:
    process = await asyncio.create_subprocess_exec(
        TOCSIN, "--config", str(config_file), *args,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    text = out.decode(errors="replace")
    assert process.returncode == 0, f"tocsin {' '.join(args)} exited {process.returncode}:\n{text}"
    return text


async def read_topic(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes]]:
    """Every message on the topic right now."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=100)
        partitions = list(consumer.assignment())
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        out: list[tuple[bytes | None, bytes]] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for messages in (await consumer.getmany(timeout_ms=1000)).values():
                out += [(m.key, m.value) for m in messages if m.offset < ends[TopicPartition(m.topic, m.partition)]]
        return out
    finally:
        await consumer.stop()


async def api_get(daemon: Daemon, path: str) -> Any:
    import tomllib

    api = tomllib.loads(daemon.config_file.read_text())["api"]
    async with aiohttp.ClientSession() as session, session.get(f"http://{api['host']}:{api['port']}{path}") as response:
        return json.loads(await response.text())


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float, what: str, daemon: Daemon) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{daemon.logs()}")
        await asyncio.sleep(0.5)


async def caught_up(daemon: Daemon) -> bool:
    """Every topic the worker consumes is at lag 0 (the gauge refreshes every 5 s)."""
    lags = {k: v for k, v in (await daemon.metrics()).items() if k.startswith("tocsin_consumer_lag")}
    return bool(lags) and all(v == 0 for v in lags.values())


def persisted_offsets(data_dir: Path, table: str) -> dict[int, int]:
    """Per partition, the changelog offset a stopped worker's RocksDB store says it has applied
    (Faust keeps it in the store; recovery resumes after it)."""
    from rocksdict import AccessType, Rdict

    out = {}
    for path in sorted((data_dir / "worker" / "v1" / "tables").glob(f"{table}-*.db")):
        db = Rdict(str(path), access_type=AccessType.read_only())
        try:
            if (offset := db.get(b"__faust\x00offset__")) is not None:
                out[int(path.stem.rpartition("-")[2])] = int(offset)
        finally:
            db.close()
    return out


async def backfilled(tmp_path: Path, bootstrap: str, csv: Path, until: str, **sections: Any) -> tuple[Path, str]:
    """An isolated config with record history backfilled from ``csv`` up to ``until``: its file and topic prefix."""
    config = isolated_config(tmp_path, bootstrap, **sections)
    config_file = write_config(tmp_path / "tocsin.toml", config)
    await run_cli(config_file, "backfill", "--csv", str(csv), "--until", until)
    return config_file, config["kafka"]["topics"]["prefix"]
