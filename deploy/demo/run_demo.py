"""`make demo`: watch Tocsin turn a bundled feed into webhook alerts, offline.

Serves deploy/demo/sample_feed.xml and a webhook receiver on 127.0.0.1:8765,
starts the local Kafka, backfills the bundled nightly history
(deploy/demo/history/nightly.csv) so that records have something to beat,
runs `tocsin run` with deploy/demo/demo.toml, prints each alert as it arrives
and the web page's address, and stops everything once the expected alerts
came (or, with --stay, on Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

HERE = Path(__file__).resolve().parent
HISTORY = HERE / "history" / "nightly.csv"
PAGE = "http://127.0.0.1:19465/"  # demo.toml's api port
# Two rules and two records (drones 539 over 479, aerial weapons 550 over 537) on the
# 539-drone night, one rule on the 322-drone night.
EXPECTED_ALERTS = 5


def describe(alert: dict) -> str:
    """One line per alert; a record names the record it broke."""
    event = alert["event"]
    what = f"{alert['kind']} '{alert['rule']['name']}'" if alert.get("rule") else f"{alert['kind']} {alert['metric']}"
    line = (
        f"{what} [{alert['severity']}]: {alert['metric']} = {alert['value']:g} "
        f"({event['attacker']}→{event['target']}, night of {event['window']['night_of']}, id {alert['alert_id']})"
    )
    if previous := alert.get("previous"):
        line += f"; previous record {previous['value']:g} on {previous['night_of']}"
    return line


async def tocsin(env: dict[str, str], *args: str) -> None:
    """One `tocsin` command with the demo's config; raises if it fails."""
    command = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "tocsin"), "--config", str(HERE / "demo.toml"), *args,
        stdin=asyncio.subprocess.DEVNULL, env=env,
    )
    if await command.wait() != 0:
        raise RuntimeError(f"tocsin {' '.join(args)} exited with {command.returncode}")


async def main(timeout: float, stay: bool) -> int:
    alerts: asyncio.Queue[dict] = asyncio.Queue()

    async def feed(_: web.Request) -> web.Response:
        return web.Response(body=(HERE / "sample_feed.xml").read_bytes(), content_type="application/rss+xml")

    async def hook(request: web.Request) -> web.Response:
        await alerts.put(json.loads(await request.read()))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 8765).start()
    print("demo: feed and webhook receiver on http://127.0.0.1:8765; starting Kafka and Tocsin ...", flush=True)

    # Fresh broker and table state every run, so the demo's alerts are new each time.
    state = Path(tempfile.mkdtemp(prefix="tocsin-demo-"))
    env = {**os.environ, "TOCSIN_DATA_DIR": str(state / "worker"), "TOCSIN_KAFKA__LOCAL__DATA_DIR": str(state / "kafka")}
    started = time.monotonic()
    daemon = None
    received = 0
    try:
        # Kafka first, then the history, then the daemon: the history is on the events topic
        # before the first report, so the detector knows 479 was the record.
        await tocsin(env, "kafka", "start")
        await tocsin(env, "backfill", "--csv", str(HISTORY))
        daemon = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "tocsin"), "--config", str(HERE / "demo.toml"), "run",
            stdin=asyncio.subprocess.DEVNULL, env=env,
        )
        print(f"demo: the page: {PAGE}", flush=True)
        while received < EXPECTED_ALERTS:
            alert = (await asyncio.wait_for(alerts.get(), timeout - (time.monotonic() - started)))["data"]  # a CloudEvent
            received += 1
            print(f"demo: ALERT after {time.monotonic() - started:.1f}s  {describe(alert)}", flush=True)
        print(f"demo: all {EXPECTED_ALERTS} alerts arrived; the page: {PAGE}", flush=True)
        if stay:
            print("demo: Ctrl-C stops Tocsin and Kafka", flush=True)
            stop = asyncio.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):  # handled even where the shell ignores SIGINT
                asyncio.get_running_loop().add_signal_handler(signum, stop.set)
            await stop.wait()
        return 0
    except TimeoutError:
        print(f"demo: only {received} of {EXPECTED_ALERTS} alerts within {timeout:.0f}s", file=sys.stderr)
        return 1
    finally:
        print("demo: stopping Tocsin and Kafka", flush=True)
        if daemon is not None and daemon.returncode is None:
            daemon.send_signal(signal.SIGINT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(daemon.wait(), 60)
            if daemon.returncode is None:
                daemon.kill()
        await tocsin(env, "kafka", "stop")
        await runner.cleanup()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=180.0, help="give up after this many seconds")
    parser.add_argument("--stay", action="store_true", help="keep running after the alerts, to look at the page, until Ctrl-C")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.timeout, arguments.stay)))
