"""The real ``tocsin`` CLI in a subprocess, configured through a TOML file."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import tomli_w
from prometheus_client.parser import text_string_to_metric_families

from support.net import free_ports

TOCSIN = str(Path(sys.executable).parent / "tocsin")


def isolated_config(tmp_path: Path, bootstrap: str, **sections: Any) -> dict[str, Any]:
    """Settings isolated per test: own topics, consumer group, state and port."""
    run_id = uuid.uuid4().hex[:8]
    config: dict[str, Any] = {
        "data_dir": str(tmp_path / "state"),
        "kafka": {
            "bootstrap_servers": [bootstrap],
            "app_id": f"tocsin-test-{run_id}",
            "topics": {"prefix": f"test-{run_id}", "partitions": 2},
        },
        "feeds": {"interval_seconds": 1.0, "timeout_seconds": 5.0, "allow_private_addresses": True},
        "webhooks": {"allow_private_addresses": True},  # the receivers are on 127.0.0.1
        "metrics": {"host": "127.0.0.1", "port": free_ports(1)[0]},
        # The worker's API port too: concurrent test daemons must not share the default.
        "api": {"host": "127.0.0.1", "port": free_ports(1)[0]},
        "logging": {"level": "info", "format": "json"},
    }
    for name, values in sections.items():
        config[name] = {**config.get(name, {}), **values}
    return config


def write_config(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(config))
    return path


class Daemon:
    def __init__(self, config_file: Path, *command: str) -> None:
        self.config_file = config_file
        self.command = command or ("run",)
        self.log_file = config_file.with_suffix(".log")
        self.process: asyncio.subprocess.Process | None = None

    @property
    def metrics_url(self) -> str:
        import tomllib

        metrics = tomllib.loads(self.config_file.read_text())["metrics"]
        return f"http://{metrics['host']}:{metrics['port']}"

    async def start(self) -> None:
        log = self.log_file.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            TOCSIN, "--config", str(self.config_file), *self.command,
            stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, env={**os.environ},
        )
        log.close()

    async def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as session:
            while asyncio.get_running_loop().time() < deadline:
                assert self.process and self.process.returncode is None, f"daemon exited:\n{self.logs()}"
                try:
                    async with session.get(f"{self.metrics_url}/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.25)
        raise AssertionError(f"daemon not ready in {timeout}s:\n{self.logs()}")

    async def metrics(self) -> dict[str, float]:
        """Samples by name with their labels, e.g. ``tocsin_feed_fetches_total{outcome="ok"}``."""
        async with aiohttp.ClientSession() as session, session.get(f"{self.metrics_url}/metrics") as response:
            text = await response.text()
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
        return samples

    async def stop(self, sig: int = signal.SIGINT, timeout: float = 60.0) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
                raise AssertionError(f"daemon ignored {signal.Signals(sig).name} for {timeout}s:\n{self.logs()}")
        return self.process.returncode

    def logs(self) -> str:
        return self.log_file.read_text(errors="replace")[-20000:] if self.log_file.exists() else ""
