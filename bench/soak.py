"""Soak: `tocsin run` for an hour against a churning local feed farm, a real local broker and
signed webhook receivers.

    .venv/bin/python bench/soak.py [--minutes 60] [--feeds 300] [--articles-per-second 3] [--attack-every 20]
        [--warmup-minutes 10] [--warmup-articles-per-second 20]

The farm (aiohttp, 127.0.0.1, in this process) serves ``--feeds`` RSS feeds with ETags: new
non-attack stories (tests/corpus non_attack articles, made unique) appear on random feeds at
``--articles-per-second`` (``--warmup-articles-per-second`` during the warm-up, so that bounded
caches such as the poller's 10,000-story index are full before memory growth is measured);
unchanged feeds answer 304; one feed in twenty always answers 500, one
answers 404 or malformed XML half the time, one hangs past the fetch timeout a third of the time.
Every ``--attack-every`` seconds an Air Force style report (bench/airforce_articles.py, English and
Ukrainian alternately) of a new night appears on a healthy feed; half the nights get a second report
in the other language from another feed a little later, which must update the same event, never
alert again. Records are off; two threshold rules (drones launched ≥ 1, missiles launched ≥ 1) give
every night a known set of alerts, each delivered to two endpoints that verify the Standard Webhooks
signature (one also answers 500 to a couple of requests a minute, so retries happen).

Every ``--sample-seconds`` the daemon's /metrics are scraped and the RSS of its process tree (the
JVM broker excluded, recorded separately) is sampled. At the end, after the farm stops changing,
the run waits for the pipeline to drain and prints ``name: value`` lines: throughput, latency
(report appeared in the farm → alert received, and the daemon's raw→delivered histogram), RSS
growth after warm-up (target ≤ 10%), lost, duplicate and unexpected alerts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as clock, timedelta
from pathlib import Path
from types import SimpleNamespace
from xml.sax.saxutils import escape

import psutil
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from airforce_articles import _en, _uk  # noqa: E402
from support.daemon import Daemon, isolated_config, write_config  # noqa: E402
from support.net import free_ports  # noqa: E402
from support.servers import RssItem, rss  # noqa: E402
from support.webhooks import SECRET, SignedReceiver  # noqa: E402
from streams.extract import extract  # noqa: E402
from streams.extract.articles import article_from_mapping  # noqa: E402
from tocsin.kafka.broker import LocalBroker, LocalBrokerConfig  # noqa: E402
from tocsin.records import Metric  # noqa: E402

RULES = {"soak-drones": Metric.DRONES_LAUNCHED, "soak-missiles": Metric.MISSILES_LAUNCHED}
FIRST_NIGHT = date(2021, 1, 1)  # nights advance one a report, so the newest night keeps its event open
ITEMS_PER_FEED = 20


@dataclass
class Night:
    """The two things airforce_articles reads from an AttackEvent."""

    night_of: date
    figures: dict[Metric, int]

    @property
    def window(self) -> SimpleNamespace:
        return SimpleNamespace(night_of=self.night_of)

    def value(self, metric: Metric) -> int | None:
        return self.figures.get(metric)

    @property
    def expected_rules(self) -> set[str]:
        return {rule for rule, metric in RULES.items() if self.figures.get(metric, 0) >= 1}


@dataclass
class Feed:
    number: int
    items: deque[RssItem] = field(default_factory=lambda: deque(maxlen=ITEMS_PER_FEED))
    version: int = 0

    @property
    def behaviour(self) -> str:
        return {0: "fails", 1: "flaky", 2: "slow"}.get(self.number % 20, "healthy")


class Farm:
    def __init__(self, feeds: int, timeout: float) -> None:
        self.feeds = [Feed(n) for n in range(feeds)]
        self.healthy = [f for f in self.feeds if f.behaviour == "healthy"]
        self.timeout = timeout
        self.answers: Counter[str] = Counter()
        self.added = 0
        app = web.Application()
        app.router.add_get("/feed/{n}", self._feed)
        self.runner = web.AppRunner(app, access_log=None)
        self.port = free_ports(1)[0]

    def url(self, feed: Feed) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{feed.number}"

    def add(self, feed: Feed, item: RssItem) -> None:
        feed.items.appendleft(item)
        feed.version += 1
        self.added += 1

    async def _feed(self, request: web.Request) -> web.Response:
        feed = self.feeds[int(request.match_info["n"])]
        roll = random.random()
        if feed.behaviour == "fails":
            return self._answer("500", web.Response(status=500))
        if feed.behaviour == "flaky" and roll < 0.25:
            return self._answer("404", web.Response(status=404))
        if feed.behaviour == "flaky" and roll < 0.5:
            return self._answer("malformed", web.Response(body=b"<rss><channel><item>", content_type="application/rss+xml"))
        if feed.behaviour == "slow" and roll < 0.33:
            self.answers["hang"] += 1
            await asyncio.sleep(self.timeout + 3)
        etag = f'"{feed.number}-{feed.version}"'
        if request.headers.get("If-None-Match") == etag:
            return self._answer("304", web.Response(status=304, headers={"ETag": etag}))
        body = rss(list(feed.items), title=f"Soak feed {feed.number}")
        return self._answer("200", web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag}))

    def _answer(self, kind: str, response: web.Response) -> web.Response:
        self.answers[kind] += 1
        return response

    async def __aenter__(self) -> Farm:
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, backlog=1024).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


def corpus_stories() -> list[dict]:
    """The corpus' non-attack stories that the extractor also reads as non-attacks: the soak counts the
    pipeline's alerts, not the extractor's misreadings (bench/score_extraction.py scores those)."""
    stories = []
    for path in sorted((ROOT / "tests" / "corpus").glob("*/non_attack.jsonl")):
        stories += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [s for s in stories if not extract(article_from_mapping(s, s["id"])).is_attack]


def story_item(story: dict, serial: int) -> RssItem:
    return RssItem(
        guid=f"soak-story-{serial}",
        title=escape(f"{story['title'] or story['body'][:60]} ({serial})"),
        description=story["body"],
        link=f"http://news.example/soak/{serial}",
    )


def report_item(night: Night, language: str) -> RssItem:
    text = _en(night) if language == "en" else _uk(night)  # type: ignore[arg-type]
    return RssItem(
        guid=f"soak-attack-{night.night_of.isoformat()}-{language}",
        title=escape(text["title"]),
        description=text["body"],
        link=f"http://airforce.example/{night.night_of.isoformat()}/{language}",
        # As the Air Force publishes: the morning after, so the report's "night of" resolves to this night.
        published=datetime.combine(night.night_of, clock(6, 0), tzinfo=UTC),
    )


@dataclass
class Churn:
    farm: Farm
    rng: random.Random
    articles_per_second: float
    warmup: tuple[float, float]  # seconds, articles per second during them
    attack_every: float
    stories: list[dict]
    nights: dict[str, Night] = field(default_factory=dict)
    appeared: dict[str, float] = field(default_factory=dict)  # night → monotonic time its first report appeared
    reports: int = 0

    def new_night(self) -> Night:
        drones = self.rng.randint(40, 800)
        missiles = self.rng.choice([0, 0, self.rng.randint(1, 60)])
        figures = {Metric.DRONES_LAUNCHED: drones, Metric.DRONES_NEUTRALIZED: int(drones * self.rng.uniform(0.7, 0.95))}
        if missiles:
            figures[Metric.MISSILES_LAUNCHED] = missiles
        return Night(FIRST_NIGHT + timedelta(days=len(self.nights)), figures)

    async def attacks(self) -> None:
        while True:
            night = self.new_night()
            key = night.night_of.isoformat()
            self.nights[key] = night
            first, second = ("en", "uk") if len(self.nights) % 2 else ("uk", "en")
            feeds = self.rng.sample(self.farm.healthy, 2)
            self.farm.add(feeds[0], report_item(night, first))
            self.appeared[key] = time.monotonic()
            self.reports += 1
            if self.rng.random() < 0.5:
                await asyncio.sleep(self.rng.uniform(0.2, 0.8) * self.attack_every)
                self.farm.add(feeds[1], report_item(night, second))
                self.reports += 1
                await asyncio.sleep(self.attack_every - (time.monotonic() - self.appeared[key]))
            else:
                await asyncio.sleep(self.attack_every)

    async def stories_loop(self) -> None:
        serial = 0
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            warmup_seconds, warmup_rate = self.warmup
            warm = min(elapsed, warmup_seconds)
            due = int(warm * warmup_rate + (elapsed - warm) * self.articles_per_second)
            while serial < due:
                feed = self.rng.choice(self.farm.feeds)
                if feed.behaviour != "fails":
                    self.farm.add(feed, story_item(self.rng.choice(self.stories), serial))
                serial += 1
            await asyncio.sleep(0.2)


class FlakyReceiver(SignedReceiver):
    """A signed receiver that answers 500 to a couple of requests every minute."""

    async def break_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(60)
            self.script += [(500, {}), (500, {})]


@dataclass
class Sample:
    at: float  # seconds since the daemon was ready
    daemon_rss: int
    broker_rss: int
    metrics: dict[str, float]


def tree_rss(pid: int, *, without_java: bool) -> int:
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in processes:
        try:
            if not (without_java and p.name() == "java"):
                total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def total(metrics: dict[str, float], name: str, **labels: str) -> float:
    """Sum of a metric's samples whose labels include ``labels``."""
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    return sum(
        v for k, v in metrics.items()
        if (k == name or k.startswith(name + "{")) and all(w in k for w in wanted)
    )


def histogram_quantile(metrics: dict[str, float], name: str, q: float) -> float:
    """As Prometheus' histogram_quantile over all label sets (linear within a bucket)."""
    buckets: Counter[float] = Counter()
    for key, value in metrics.items():
        if key.startswith(name + "_bucket{"):
            le = key.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(le)] += value
    bounds = sorted(buckets)
    count = buckets[float("inf")]
    if not count:
        return float("nan")
    rank, lower, below = q * count, 0.0, 0.0
    for bound in bounds:
        if buckets[bound] >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / max(buckets[bound] - below, 1e-9)
        lower, below = bound, buckets[bound]
    return lower


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def alert_key(payload: dict) -> tuple[str, str]:
    alert = payload.get("data", payload)
    return alert["event"]["window"]["night_of"], alert["rule"]["name"] if alert.get("rule") else alert["kind"]


async def sample(daemon: Daemon, broker_pid: int, began: float) -> Sample:
    assert daemon.process is not None
    return Sample(
        at=time.monotonic() - began,
        daemon_rss=tree_rss(daemon.process.pid, without_java=True),
        broker_rss=tree_rss(broker_pid, without_java=False),
        metrics=await daemon.metrics(),
    )


def rate(a: Sample, b: Sample, name: str, **labels: str) -> float:
    return (total(b.metrics, name, **labels) - total(a.metrics, name, **labels)) / (b.at - a.at)


def progress(previous: Sample, now: Sample) -> None:
    print(
        f"[{now.at:6.0f}s] published/s {rate(previous, now, 'tocsin_articles_published_total'):5.2f}"
        f"  extracted/s {rate(previous, now, 'tocsin_records_consumed_total', stage='extract'):5.2f}"
        f"  alerts {total(now.metrics, 'tocsin_alerts_raised_total'):4.0f}"
        f"  delivered {total(now.metrics, 'tocsin_alerts_delivered_total', outcome='delivered'):4.0f}"
        f"  daemon_rss_mb {now.daemon_rss / 2**20:6.1f}  broker_rss_mb {now.broker_rss / 2**20:6.1f}",
        file=sys.stderr, flush=True,
    )


def mb(n: float) -> str:
    return f"{n / 2**20:.1f}"


async def soak(args: argparse.Namespace, bootstrap: str, broker_pid: int, tmp: Path) -> None:
    rng = random.Random(args.seed)
    fetch_timeout = 5.0
    async with Farm(args.feeds, fetch_timeout) as farm, SignedReceiver() as steady, FlakyReceiver() as flaky:
        warmup = (args.warmup_minutes * 60, args.warmup_articles_per_second or args.articles_per_second)
        churn = Churn(farm, rng, args.articles_per_second, warmup, args.attack_every, corpus_stories())
        # The farm starts with one story per feed, so the first polls have something to publish.
        for feed in farm.feeds:
            farm.add(feed, story_item(rng.choice(churn.stories), -1 - feed.number))
        config = isolated_config(
            tmp, bootstrap,
            feeds={
                "interval_seconds": args.interval, "timeout_seconds": fetch_timeout, "per_host_concurrency": 32,
                "sources": [{"url": farm.url(f), "name": f"soak-{f.number}"} for f in farm.feeds],
            },
            webhooks={
                "retry_schedule_seconds": [0, 1, 2, 5],
                "endpoints": [
                    {"name": "steady", "url": steady.url, "secret": SECRET},
                    {"name": "flaky", "url": flaky.url, "secret": SECRET},
                ],
            },
            rules={
                "record_metrics": [],
                "threshold": [{"name": name, "metric": metric.value, "op": ">=", "value": 1} for name, metric in RULES.items()],
            },
            logging={"level": "warning", "format": "json"},
        )
        daemon = Daemon(write_config(tmp / "tocsin.toml", config), "run")
        await daemon.start()
        tasks: list[asyncio.Task[None]] = []
        try:
            await daemon.wait_ready()
            began = time.monotonic()
            print(f"daemon ready; soaking for {args.minutes} min", file=sys.stderr, flush=True)
            samples = [await sample(daemon, broker_pid, began)]
            tasks = [asyncio.create_task(c) for c in (churn.attacks(), churn.stories_loop(), flaky.break_now_and_then())]
            end = began + args.minutes * 60
            while time.monotonic() < end:
                await asyncio.sleep(min(args.sample_seconds, max(0.0, end - time.monotonic())))
                samples.append(await sample(daemon, broker_pid, began))
                progress(samples[-2], samples[-1])
                if daemon.process and daemon.process.returncode is not None:
                    raise SystemExit(f"daemon exited with {daemon.process.returncode}:\n{daemon.logs()}")
            for task in tasks:
                task.cancel()
            churn_end = samples[-1]

            expected = {(night, rule) for night, n in churn.nights.items() for rule in n.expected_rules}
            receivers = {"steady": steady, "flaky": flaky}

            def delivered(receiver: SignedReceiver) -> set[tuple[str, str]]:
                return {alert_key(receiver.bodies[m]) for m in set(receiver.delivered)}

            drain_started = time.monotonic()
            while time.monotonic() - drain_started < args.drain_seconds:
                if all(expected <= delivered(r) for r in receivers.values()):
                    break
                await asyncio.sleep(1)
            drain_seconds = time.monotonic() - drain_started
            await asyncio.sleep(10)  # anything sent twice arrives now
            final = await sample(daemon, broker_pid, began)
        finally:
            for task in tasks:
                task.cancel()
            code = await daemon.stop(signal.SIGTERM, timeout=90)

    # Figures.
    warm = min(samples, key=lambda s: abs(s.at - args.warmup_minutes * 60))
    after_warmup = [s for s in samples if s.at >= warm.at]
    windows = list(zip(after_warmup, after_warmup[1:]))
    published = [rate(a, b, "tocsin_articles_published_total") for a, b in windows]
    extracted = [rate(a, b, "tocsin_records_consumed_total", stage="extract") for a, b in windows]
    first = samples[0]

    latencies = []
    for receiver in receivers.values():
        first_arrival: dict[tuple[str, str], float] = {}
        for request in receiver.requests:
            if 200 <= request.status < 300:
                key = alert_key(receiver.bodies[request.message_id])
                first_arrival.setdefault(key, request.at)
        latencies += [at - churn.appeared[night] for (night, _), at in first_arrival.items() if night in churn.appeared]

    print(f"minutes: {args.minutes:g}")
    print(f"warmup: {args.warmup_minutes:g} min, new stories {args.warmup_articles_per_second or args.articles_per_second:g}/s, then {args.articles_per_second:g}/s")
    print(f"feeds: {args.feeds} ({len(farm.healthy)} healthy, poll interval {args.interval:g}s)")
    print(f"farm_answers: {', '.join(f'{k}={v}' for k, v in sorted(farm.answers.items()))}")
    print(f"farm_items_added: {farm.added}")
    print(f"attack_nights: {len(churn.nights)}")
    print(f"attack_reports: {churn.reports}")
    print(f"articles_published: {total(final.metrics, 'tocsin_articles_published_total'):.0f}")
    print(f"articles_extracted: {total(final.metrics, 'tocsin_records_consumed_total', stage='extract'):.0f}")
    print(f"merges: {', '.join(f'{k.split(chr(34))[1]}={v:.0f}' for k, v in sorted(final.metrics.items()) if k.startswith('tocsin_merges_total{'))}")
    print(f"feed_items: {', '.join(f'{k.split(chr(34))[1]}={v:.0f}' for k, v in sorted(final.metrics.items()) if k.startswith('tocsin_feed_items_total{'))}")
    print(f"dead_letters: {total(final.metrics, 'tocsin_dead_letters_total'):.0f}")
    print(f"published_per_s_mean: {rate(first, churn_end, 'tocsin_articles_published_total'):.2f}")
    print(f"published_per_s_min_max_after_warmup: {min(published):.2f} / {max(published):.2f}")
    print(f"extracted_per_s_mean: {rate(first, churn_end, 'tocsin_records_consumed_total', stage='extract'):.2f}")
    print(f"extracted_per_s_min_max_after_warmup: {min(extracted):.2f} / {max(extracted):.2f}")
    print(f"published_per_s_series: {' '.join(f'{r:.2f}' for r in published)}")
    print(f"alerts_expected: {len(expected)}")
    print(f"alerts_raised: {total(final.metrics, 'tocsin_alerts_raised_total'):.0f}")
    for name, receiver in receivers.items():
        got = delivered(receiver)
        repeats = sum(n - 1 for n in Counter(receiver.delivered).values() if n > 1)
        print(f"{name}.delivered_unique: {len(got)}")
        print(f"{name}.lost: {len(expected - got)}")
        print(f"{name}.duplicates: {repeats}")
        print(f"{name}.unexpected: {len(got - expected)}")
        # A night split into two events would alert twice under different ids for the same (night, rule).
        print(f"{name}.extra_alert_ids: {len(set(receiver.delivered)) - len(got)}")
        print(f"{name}.bad_signatures: {receiver.bad_signatures}")
        print(f"{name}.non_2xx_answers: {sum(not 200 <= r.status < 300 for r in receiver.requests)}")
        if expected - got:
            print(f"{name}.lost_keys: {sorted(expected - got)[:20]}")
        if got - expected:
            print(f"{name}.unexpected_keys: {sorted(got - expected)[:20]}")
    print(f"drain_seconds: {drain_seconds:.0f}")
    print(f"latency_report_to_receiver_p50_s: {statistics.median(latencies):.2f}")
    print(f"latency_report_to_receiver_p90_s: {percentile(latencies, 0.90):.2f}")
    print(f"latency_report_to_receiver_p99_s: {percentile(latencies, 0.99):.2f}")
    print(f"latency_report_to_receiver_max_s: {max(latencies):.2f}")
    for q in (0.5, 0.9, 0.99):
        print(f"raw_to_delivered_histogram_p{round(q * 100)}_s: {histogram_quantile(final.metrics, 'tocsin_raw_to_delivered_seconds', q):.3f}")
    print(f"rss_sample_seconds: {args.sample_seconds:g}")
    print(f"daemon_rss_mb_series: {' '.join(mb(s.daemon_rss) for s in samples)}")
    print(f"broker_rss_mb_series: {' '.join(mb(s.broker_rss) for s in samples)}")
    print(f"daemon_rss_mb_at_ready: {mb(first.daemon_rss)}")
    print(f"daemon_rss_mb_after_warmup: {mb(warm.daemon_rss)} (at {warm.at:.0f}s)")
    print(f"daemon_rss_mb_end: {mb(churn_end.daemon_rss)} (at {churn_end.at:.0f}s)")
    print(f"daemon_rss_mb_max: {mb(max(s.daemon_rss for s in samples))}")
    print(f"daemon_rss_growth_after_warmup_percent: {(churn_end.daemon_rss - warm.daemon_rss) / warm.daemon_rss * 100:.1f}")
    print(f"broker_rss_mb_after_warmup_end: {mb(warm.broker_rss)} / {mb(churn_end.broker_rss)}")
    print(f"daemon_exit_code: {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--warmup-minutes", type=float, help="default: 10, or a third of a shorter run")
    parser.add_argument("--warmup-articles-per-second", type=float, help="default: --articles-per-second")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--interval", type=float, default=10.0, help="feed poll interval, seconds")
    parser.add_argument("--articles-per-second", type=float, default=3.0)
    parser.add_argument("--attack-every", type=float, default=20.0, help="seconds between attack nights")
    parser.add_argument("--sample-seconds", type=float, default=30.0)
    parser.add_argument("--drain-seconds", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.warmup_minutes is None:
        args.warmup_minutes = min(10.0, args.minutes / 3)
    port, controller = free_ports(2)
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(
        LocalBrokerConfig(port=port, controller_port=controller, data_dir=Path(tmp) / "kafka")
    ) as broker:
        asyncio.run(soak(args, broker.bootstrap, broker.status().pid, Path(tmp)))


if __name__ == "__main__":
    main()
