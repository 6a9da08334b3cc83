"""Webhook fan-out on this machine: a real local broker, `tocsin deliver` in a
subprocess, and aiohttp receivers in this process.

    python bench/webhooks_bench.py [--endpoints 50] [--alerts 400] [--rate 100] [--seconds 20]

throughput: ``--alerts`` alerts published at once to ``--endpoints`` endpoints;
deliveries per second from the first publish to the last delivery (after one
warm-up alert, so that joining the consumer group is not timed).
latency: ``--rate`` alerts/s for ``--seconds`` to two healthy endpoints while a
third never answers (10 s timeout); alert raised → received at the receiver.
baseline: the same two scenarios without Tocsin, in the same run: a bare aiohttp
loop POSTing the same signed alert bodies to the same receivers (8 at a time per
endpoint, like the deliverer's endpoints); the deliverer's figures are printed as
ratios to it.
Prints ``name: value`` lines.

    flock /tmp/tocsin-bench.lock .venv/bin/python bench/webhooks_bench.py [--port P --controller-port C | --bootstrap HOST:PORT]
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

import aiohttp
from aiohttp import web
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from streams.deliver.sample import sample_alert  # noqa: E402
from streams.deliver.signing import Signer  # noqa: E402
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


CONCURRENCY = 8
TIMEOUT_SECONDS = 10.0


class BareLoop:
    """The baseline: sign and POST each alert body to each endpoint, at most CONCURRENCY at a time per endpoint."""

    def __init__(self, port: int, names: list[str]) -> None:
        self._urls = {n: f"http://127.0.0.1:{port}/{n}" for n in names}
        self._slots = {n: asyncio.Semaphore(CONCURRENCY) for n in names}
        self._signer = Signer(SecretStr(SECRET))
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
                                              connector=aiohttp.TCPConnector(limit=0))

    async def close(self) -> None:
        await self._session.close()

    async def post(self, name: str, alert_id: str, body: bytes) -> None:
        async with self._slots[name]:
            headers = {**self._signer.headers(alert_id, body, datetime.now(UTC)), "content-type": "application/json"}
            try:
                async with self._session.post(self._urls[name], data=body, headers=headers) as response:
                    await response.read()
            except TimeoutError:
                pass  # the hanging endpoint


async def bare_throughput(endpoints: int, alerts: int) -> float:
    names = [f"e{i}" for i in range(endpoints)]
    async with Receivers(set()) as receivers:
        loop = BareLoop(receivers.port, names)
        try:
            bodies = [(a.alert_id, a.to_bytes()) for a in (sample_alert(id_override=f"alert_bare_{i}") for i in range(alerts))]
            started = time.monotonic()
            await asyncio.gather(*(loop.post(n, i, b) for i, b in bodies for n in names))
            elapsed = time.monotonic() - started
        finally:
            await loop.close()
    rate = alerts * endpoints / elapsed
    print(f"baseline.throughput.deliveries_per_second: {rate:.0f}")
    return rate


async def bare_latency(rate: float, seconds: float) -> float:
    names = ["healthy-a", "healthy-b", "hanging"]
    async with Receivers({"hanging"}) as receivers:
        loop = BareLoop(receivers.port, names)
        raised: dict[str, datetime] = {}
        tasks = []
        try:
            start = time.monotonic()
            for i in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
                alert = sample_alert(id_override=f"alert_bare_{i}").model_copy(update={"raised_at": utc_now()})
                raised[alert.alert_id] = alert.raised_at
                body = alert.to_bytes()
                tasks += [asyncio.create_task(loop.post(n, alert.alert_id, body)) for n in names]
            healthy = [t for n, t in zip(names * (len(tasks) // 3), tasks) if n != "hanging"]
            await asyncio.gather(*healthy)
            for task in tasks:
                task.cancel()
        finally:
            await loop.close()
    latencies = sorted((at - raised[i]).total_seconds() * 1000 for n, i, at in receivers.received if n != "hanging")
    cut = latencies[int(len(latencies) * 0.99) - 1]
    print(f"baseline.latency.p99_ms: {cut:.1f}")
    return cut


async def throughput(bootstrap: str, endpoints: int, alerts: int) -> float:
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
            return expected / elapsed


async def latency(bootstrap: str, rate: float, seconds: float) -> float:
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
            return cut


async def scenarios(args: argparse.Namespace, bootstrap: str) -> None:
    if args.scenario in ("all", "throughput"):
        bare = await bare_throughput(args.endpoints, args.alerts)
        ours = await throughput(bootstrap, args.endpoints, args.alerts)
        print(f"throughput.ratio_to_baseline: {ours / bare:.2f}")
    if args.scenario in ("all", "latency"):
        bare = await bare_latency(args.rate, args.seconds)
        ours = await latency(bootstrap, args.rate, args.seconds)
        print(f"latency.p99_ratio_to_baseline: {ours / bare:.2f}")
    print(f"machine_loadavg_1m: {os.getloadavg()[0]:.1f}")


async def main(args: argparse.Namespace) -> None:
    if args.bootstrap:
        await scenarios(args, args.bootstrap)
        return
    free = iter(free_ports(2))
    port, controller = args.port or next(free), args.controller_port or next(free)
    with tempfile.TemporaryDirectory() as data, LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=Path(data))) as broker:
        await scenarios(args, broker.bootstrap)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", choices=["all", "throughput", "latency"], default="all")
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--alerts", type=int, default=400)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--bootstrap", help="an existing broker; default: a fresh local one")
    parser.add_argument("--port", type=int, help="the fresh broker's port (default: a free one)")
    parser.add_argument("--controller-port", type=int, help="the fresh broker's controller port (default: a free one)")
    asyncio.run(main(parser.parse_args()))
