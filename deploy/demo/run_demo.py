"""`make demo`: watch Tocsin turn a bundled feed into webhook alerts, offline.

Serves deploy/demo/sample_feed.xml and a webhook receiver on 127.0.0.1:8765,
runs `tocsin run` with deploy/demo/demo.toml (starting the local Kafka), prints
each alert as it arrives, and stops everything once the expected alerts came
(or on Ctrl-C).
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
EXPECTED_ALERTS = 3  # two rules on the 539-drone night, one on the 322-drone night


async def main(timeout: float) -> int:
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
    tocsin = str(Path(sys.executable).parent / "tocsin")
    daemon = await asyncio.create_subprocess_exec(
        tocsin, "--config", str(HERE / "demo.toml"), "run", stdin=asyncio.subprocess.DEVNULL, env=env
    )
    started = time.monotonic()
    received = 0
    try:
        while received < EXPECTED_ALERTS:
            alert = (await asyncio.wait_for(alerts.get(), timeout - (time.monotonic() - started)))["data"]  # a CloudEvent
            received += 1
            event = alert["event"]
            print(
                f"demo: ALERT after {time.monotonic() - started:.1f}s  {alert['kind']} '{alert['rule']['name']}' "
                f"[{alert['severity']}]: {alert['metric']} = {alert['value']:g} "
                f"({event['attacker']}→{event['target']}, night of {event['window']['night_of']}, id {alert['alert_id']})",
                flush=True,
            )
        print(f"demo: all {EXPECTED_ALERTS} alerts arrived; stopping Tocsin and Kafka", flush=True)
        return 0
    except TimeoutError:
        print(f"demo: only {received} of {EXPECTED_ALERTS} alerts within {timeout:.0f}s", file=sys.stderr)
        return 1
    finally:
        if daemon.returncode is None:
            daemon.send_signal(signal.SIGINT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(daemon.wait(), 60)
            if daemon.returncode is None:
                daemon.kill()
        await runner.cleanup()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=180.0, help="give up after this many seconds")
    sys.exit(asyncio.run(main(parser.parse_args().timeout)))
