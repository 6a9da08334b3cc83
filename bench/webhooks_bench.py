"""Webhook fan-out on this machine: a real local broker, `tocsin deliver` in a
subprocess, and aiohttp receivers in this process.

    python bench/webhooks_bench.py [--endpoints 50] [--alerts 400] [--rate 100] [--seconds 20]

throughput: ``--alerts`` alerts published at once to ``--endpoints`` endpoints;
deliveries per second from the first publish to the last delivery (after one
warm-up alert, so that joining the consumer group is not timed).
latency: ``--rate`` alerts/s for ``--seconds`` to two healthy endpoints while a
third never answers (10 s timeout); alert raised → received at the receiver.
Prints ``name: value`` lines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from aiokafka import AIOKafkaProducer

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from streams.deliver.sample import sample_alert  # noqa: E402
from support.daemon import Daemon, isolated_config, write_config  # noqa: E402
from support.net import free_ports  # noqa: E402
from support.webhooks import SECRET  # noqa: E402
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig  # noqa: E402
from tocsin.records import utc_now  # noqa: E402


class Receivers:
    """One server, one path per endpoint; records (endpoint, alert id, wall-clock receipt)."""

    def __init__(self, hanging: set[str]) -> None:
        self.received: list[tuple[str, str, datetime]] = []
        self._hanging = hanging
        app = web.Application()
        app.router.add_post("/{name}", self._hook)
        self.runner = web.AppRunner(app, access_log=None)
        self.port = free_ports(1)[0]

    async def _hook(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name in self._hanging:
            await asyncio.sleep(3600)
        self.received.append((name, request.headers["webhook-id"], datetime.now(UTC)))
        await request.read()
        return web.Response(status=204)

    async def __aenter__(self) -> Receivers:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, backlog=4096).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.shutdown()
        await self.runner.cleanup()


def cpu_seconds(daemon: Daemon) -> float:
    """User + system CPU of the deliverer process so far (Linux /proc)."""
    assert daemon.process is not None
    fields = Path(f"/proc/{daemon.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_deliverer(tmp: Path, bootstrap: str, names: list[str], port: int, **webhooks: object) -> tuple[Daemon, str]:
    # Signed like a real deployment (the receivers do not verify: that is the receivers' CPU, not ours).
    endpoints = [{"name": n, "url": f"http://127.0.0.1:{port}/{n}", "secret": SECRET, "timeout_seconds": 10.0, "concurrency": 8} for n in names]
    config = isolated_config(tmp, bootstrap, webhooks={"endpoints": endpoints, **webhooks}, logging={"level": "warning", "format": "json"})
    daemon = Daemon(write_config(tmp / "tocsin.toml", config), "deliver")
    await daemon.start()
    await daemon.wait_ready()
    return daemon, config["kafka"]["topics"]["prefix"]


async def throughput(bootstrap: str, endpoints: int, alerts: int) -> None:
    names = [f"e{i}" for i in range(endpoints)]
    with tempfile.TemporaryDirectory() as tmp:
        async with Receivers(set()) as receivers:
            daemon, prefix = await run_deliverer(Path(tmp), bootstrap, names, receivers.port)
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
            await producer.start()
            try:
                run = uuid.uuid4().hex[:8]
                # Warm-up: one alert through, so group join and state load are not timed.
                warmup = sample_alert(id_override=f"alert_{run}_warmup").model_copy(update={"raised_at": utc_now()})
                await producer.send_and_wait(f"{prefix}.alerts", key=warmup.alert_id.encode(), value=warmup.to_bytes())
                while len(receivers.received) < endpoints:
                    await asyncio.sleep(0.05)
                receivers.received.clear()
                started, cpu_before, own_before = time.monotonic(), cpu_seconds(daemon), time.process_time()
                for i in range(alerts):
                    alert = sample_alert(id_override=f"alert_{run}_{i}").model_copy(update={"raised_at": utc_now()})
                    await producer.send(f"{prefix}.alerts", key=alert.alert_id.encode(), value=alert.to_bytes())
                await producer.flush()
                expected = alerts * endpoints
                while len(receivers.received) < expected:
                    await asyncio.sleep(0.05)
                    if time.monotonic() - started > 600:
                        raise SystemExit(f"only {len(receivers.received)} of {expected} deliveries")
                elapsed, cpu, own = time.monotonic() - started, cpu_seconds(daemon) - cpu_before, time.process_time() - own_before
            finally:
                await producer.stop()
                await daemon.stop(signal.SIGTERM)
            duplicates = len(receivers.received) - len({(n, i) for n, i, _ in receivers.received})
            print(f"throughput.endpoints: {endpoints}")
            print(f"throughput.deliveries: {expected}")
            print(f"throughput.seconds: {elapsed:.2f}")
            print(f"throughput.deliveries_per_second: {expected / elapsed:.0f}")
            print(f"throughput.duplicates: {duplicates}")
            print(f"throughput.deliverer_cpu_seconds: {cpu:.1f}")
            print(f"throughput.receivers_cpu_seconds: {own:.1f}")  # this process: the receivers and the alert producer


async def latency(bootstrap: str, rate: float, seconds: float) -> None:
    names = ["healthy-a", "healthy-b", "hanging"]
    with tempfile.TemporaryDirectory() as tmp:
        async with Receivers({"hanging"}) as receivers:
            daemon, prefix = await run_deliverer(Path(tmp), bootstrap, names, receivers.port)
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=0)
            await producer.start()
            raised: dict[str, datetime] = {}
            try:
                run = uuid.uuid4().hex[:8]
                warmup = sample_alert(id_override=f"alert_{run}_warmup").model_copy(update={"raised_at": utc_now()})
                await producer.send_and_wait(f"{prefix}.alerts", key=warmup.alert_id.encode(), value=warmup.to_bytes())
                while len(receivers.received) < 2:
                    await asyncio.sleep(0.05)
                receivers.received.clear()
                count = int(rate * seconds)
                start = time.monotonic()
                for i in range(count):
                    await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
                    alert = sample_alert(id_override=f"alert_{run}_{i}").model_copy(update={"raised_at": utc_now()})
                    raised[alert.alert_id] = alert.raised_at
                    await producer.send(f"{prefix}.alerts", key=alert.alert_id.encode(), value=alert.to_bytes())
                deadline = time.monotonic() + 60
                while sum(n != "hanging" for n, _, _ in receivers.received) < 2 * count and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
            finally:
                await producer.stop()
                await daemon.stop(signal.SIGTERM, timeout=90)
            latencies = sorted((at - raised[i]).total_seconds() * 1000 for n, i, at in receivers.received if n != "hanging")
            cut = latencies[int(len(latencies) * 0.99) - 1]
            print(f"latency.alerts_per_second: {rate:g}")
            print(f"latency.healthy_deliveries: {len(latencies)} of {2 * count}")
            print(f"latency.hanging_answered: {sum(n == 'hanging' for n, _, _ in receivers.received)}")
            print(f"latency.p50_ms: {statistics.median(latencies):.1f}")
            print(f"latency.p99_ms: {cut:.1f}")
            print(f"latency.max_ms: {latencies[-1]:.1f}")


async def main(args: argparse.Namespace) -> None:
    port, controller = free_ports(2)
    with tempfile.TemporaryDirectory() as data, LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=Path(data))) as broker:
        if args.scenario in ("all", "throughput"):
            await throughput(broker.bootstrap, args.endpoints, args.alerts)
        if args.scenario in ("all", "latency"):
            await latency(broker.bootstrap, args.rate, args.seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", choices=["all", "throughput", "latency"], default="all")
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--alerts", type=int, default=400)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    asyncio.run(main(parser.parse_args()))
