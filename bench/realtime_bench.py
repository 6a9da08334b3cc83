"""Real-time sources, end to end on this machine: a report becomes visible → its alert reaches a webhook.

    flock /tmp/tocsin-bench.lock .venv/bin/python bench/realtime_bench.py [--rounds 40] [--telegram-interval 0.25] [--rss-interval 1]

A real local broker (its own, on free ports), ``tocsin run`` in a subprocess, and in this process:
a local Telegram preview server (tests/support/telegram.py), a local WebSub hub written to the spec
(tests/support/websub_hub.py), an ordinary RSS feed and a webhook receiver. Each round is a new
night's Air Force style report (its own event, so its own threshold alert), one path at a time:

- ``websub``: the report is pushed by the hub (the feed's poll an hour away) — t0 just before the push;
- ``telegram``: the report appears as a post on the channel polled every ``--telegram-interval`` s —
  t0 when the page starts showing it;
- ``rss`` (the baseline): the same kind of report appears in a feed polled every ``--rss-interval`` s.

t1 is the webhook's arrival at the receiver. Prints ``name: value`` lines: p50/p99/max per path and
the ratios of websub and telegram to the rss baseline measured in the same run.

First, on its own (before the daemon starts): the cost of language detection per item, as the
normaliser's ``article()`` per corpus item (tests/corpus, every language) for a source that declares
no language against the same items from one that declares it (the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.daemon import Daemon, isolated_config, write_config  # noqa: E402
from support.net import free_ports  # noqa: E402
from support.servers import FeedServer  # noqa: E402
from support.telegram import PreviewServer, TgPost  # noqa: E402
from support.websub_hub import Hub, realtime_feeds, topic_rss  # noqa: E402
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig  # noqa: E402


def report(drones: int) -> str:
    return f"Russia attacked Ukraine overnight with {drones} drones, the air force said. Air defences neutralised {drones - 20} of them."


class Receiver:
    def __init__(self) -> None:
        self.arrived: dict[float, float] = {}  # drones value → arrival (perf_counter)
        self.got = asyncio.Event()
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self.server = TestServer(app, host="127.0.0.1")

    async def _hook(self, request: web.Request) -> web.Response:
        at = time.perf_counter()
        body = json.loads(await request.read())
        self.arrived[float(body["data"]["value"])] = at
        self.got.set()
        return web.Response(status=200)


def language_cost() -> None:
    from monitor.normalise import ArticleNormaliser
    from monitor.normalise.language import detect_language
    from monitor.parse import FeedEntry
    from tocsin.settings import FeedConfig

    docs = [json.loads(line) for path in sorted((ROOT / "tests" / "corpus").glob("*/*.jsonl")) for line in path.read_text().splitlines() if line.strip()]
    entries = [FeedEntry(d["id"], None, d.get("title", ""), d.get("summary") or d.get("body", "")[:600], "", None, None) for d in docs]
    right = sum(detect_language(e.title, e.summary_html) == d.get("language") for e, d in zip(entries, docs, strict=True))
    timings = {}
    for name, language in (("declared", "en"), ("detected", None)):
        normaliser = ArticleNormaliser(FeedConfig(url="http://bench.example/feed", language=language))
        candidates = normaliser.candidates(tuple(entries))
        now = datetime.now(UTC)
        best = float("inf")
        for _ in range(3):
            began = time.perf_counter()
            for candidate in candidates:
                normaliser.article(candidate, now)
            best = min(best, time.perf_counter() - began)
        timings[name] = best / len(candidates)
    print(f"language.items: {len(entries)}")
    print(f"language.agrees_with_corpus_label: {right / len(entries):.3f}")
    print(f"language.normalise_declared_us_per_item: {timings['declared'] * 1e6:.0f}")
    print(f"language.normalise_detected_us_per_item: {timings['detected'] * 1e6:.0f}")
    print(f"language.detection_us_per_item: {(timings['detected'] - timings['declared']) * 1e6:.0f}")
    print(f"language.normalise_detected_vs_declared: {timings['detected'] / timings['declared']:.2f}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def run(args: argparse.Namespace, bootstrap: str, tmp: Path) -> None:
    receiver = Receiver()
    channel: list[TgPost] = [TgPost(1, "Good morning, the shelters are open", datetime.now(UTC))]
    (callback_port,) = free_ports(1)
    async with PreviewServer({"af_bench": channel}) as preview, Hub() as hub, FeedServer(b"") as pushed, FeedServer(b"") as polled:
        await receiver.server.start_server()
        push_url, poll_url = pushed.url, polled.url
        pushed.body, polled.body = topic_rss(push_url, hub.url, []), topic_rss(poll_url, None, [])
        config = isolated_config(
            tmp, bootstrap,
            feeds=realtime_feeds(preview.origin, callback_port, [
                {"url": "https://t.me/s/af_bench", "type": "telegram", "name": "Air Force", "kind": "air_force", "interval_seconds": args.telegram_interval, "language": "en"},
                {"url": push_url, "name": "pushed wire", "language": "en", "interval_seconds": 1.0},
                {"url": poll_url, "name": "polled wire", "language": "en", "interval_seconds": args.rss_interval},
            ]),
            webhooks={"endpoints": [{"name": "bench", "url": str(receiver.server.make_url("/hook"))}]},
            rules={"threshold": [{"name": "any-drones", "metric": "drones_launched", "op": ">=", "value": 1}], "record_metrics": []},
            logging={"level": "warning", "format": "json"},
        )
        daemon = Daemon(write_config(tmp / "tocsin.toml", config), "run")
        await daemon.start()
        latencies: dict[str, list[float]] = {"websub": [], "telegram": [], "rss": []}
        try:
            await daemon.wait_ready()
            deadline = time.monotonic() + 60
            while not (hub.active(push_url) and pushed.requests >= 2):
                assert time.monotonic() < deadline, "no WebSub subscription:\n" + daemon.logs()
                await asyncio.sleep(0.1)
            items: dict[str, list[tuple[str, str, datetime]]] = {"websub": [], "rss": []}
            drones = 100
            for n in range(args.rounds * 3 + 3):  # three warm-up rounds (one per path), not timed
                path = ("websub", "telegram", "rss")[n % 3]
                drones += 1
                night = datetime.now(UTC) - timedelta(days=n + 1)  # a night of its own: one event, one alert
                text = report(drones)
                receiver.got.clear()
                began = time.perf_counter()
                if path == "websub":
                    items[path] = [(f"p{n}", text, night), *items[path]][:20]
                    await hub.publish(push_url, topic_rss(push_url, hub.url, items[path]))
                elif path == "telegram":
                    channel.append(TgPost(n + 2, text, night))
                else:
                    items[path] = [(f"r{n}", text, night), *items[path]][:20]
                    polled.body = topic_rss(poll_url, None, items[path])
                while float(drones) not in receiver.arrived:
                    try:
                        async with asyncio.timeout(30):
                            await receiver.got.wait()
                    except TimeoutError:
                        raise AssertionError(f"no alert for round {n} ({path}):\n{daemon.logs()}") from None
                    receiver.got.clear()
                if n >= 3:
                    latencies[path].append(receiver.arrived[float(drones)] - began)
            polls_of_pushed_feed = pushed.requests
        finally:
            await daemon.stop(signal.SIGINT)
            await receiver.server.close()
    print(f"machine.cpus: {os.cpu_count()}")
    print(f"machine.loadavg_1m: {os.getloadavg()[0]:.2f}")
    print(f"rounds_per_path: {args.rounds}")
    print(f"telegram.poll_interval_s: {args.telegram_interval}")
    print(f"rss.poll_interval_s: {args.rss_interval}")
    print(f"websub.polls_of_the_pushed_feed: {polls_of_pushed_feed}")
    for path, values in latencies.items():
        ms = [v * 1000 for v in values]
        print(f"{path}.p50_ms: {statistics.median(ms):.0f}")
        print(f"{path}.p99_ms: {percentile(ms, 0.99):.0f}")
        print(f"{path}.max_ms: {max(ms):.0f}")
    base = percentile(latencies["rss"], 0.99)
    for path in ("websub", "telegram"):
        print(f"{path}.p99_vs_rss_baseline: {percentile(latencies[path], 0.99) / base:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40, help="timed reports per path")
    parser.add_argument("--telegram-interval", type=float, default=0.25)
    parser.add_argument("--rss-interval", type=float, default=1.0)
    args = parser.parse_args()
    language_cost()
    port, controller = free_ports(2)
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(LocalBrokerConfig(port=port, controller_port=controller, data_dir=Path(tmp) / "kafka")) as broker:
        asyncio.run(run(args, broker.bootstrap, Path(tmp)))


if __name__ == "__main__":
    main()
