"""The operator's view, checked against the real thing: Debian's Prometheus
scrapes a running ``tocsin run`` (real broker, local feeds and receivers) with
the repository's rules loaded, and every dashboard query and every rule is
evaluated through Prometheus' HTTP API.

Dashboard queries and recording rules must return samples. An alerting rule's
expression is empty while all is well (that is the point of it), so for those
the test requires that Prometheus evaluated the rule without error and that
every metric selector inside the expression matches live series: a renamed
metric or a mistyped label would leave a rule silently unable to fire.

The scene has a bit of everything an operator looks at: an attack article that
becomes an alert, one receiver that takes it and one that rejects it (a dead
delivery and a dead letter), and a feed that answered once and then went away
(a stale, failing feed for the feed-health table).
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from support.daemon import Daemon, isolated_config, write_config
from support.net import free_ports
from support.servers import FeedServer, RssItem, WebhookReceiver, rss

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
RULE_FILES = [PROMETHEUS_DIR / "recording.rules.yml", PROMETHEUS_DIR / "alerts.rules.yml"]
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "tocsin.json"
# Grafana's variables as an "All" selection sees them; the window spans several 1 s scrapes.
GRAFANA_VARIABLES = {"$__rate_interval": "30s", "$instance": ".*"}
REJECTIONS = 100
SELECTOR = re.compile(r"(?<![\w:])(up|tocsin[_:][a-zA-Z0-9_:]*)(\{[^}]*\})?")

ATTACK = RssItem(
    guid="attack-0712",
    title="Overnight attack: Russia fires 472 drones and 9 missiles at Ukraine",
    description="Russia launched 472 drones and 9 missiles at Ukraine overnight, the air force said. Air defences shot down 440 drones.",
    link="http://127.0.0.1/news/attack-0712",
)
SPORTS = RssItem(guid="sport-1", title="Dynamo win 3-1", description="A late goal sealed it.", link="http://127.0.0.1/news/sport-1")
WEATHER = RssItem(guid="weather-1", title="Sunny weekend ahead", description="Warm and dry.", link="http://127.0.0.1/news/weather-1")


@pytest.fixture(scope="session")
def promtool_available() -> None:
    subprocess.run(["sh", str(PROMETHEUS_DIR / "install-prometheus.sh")], check=True)


def test_promtool_checks_the_rules(promtool_available: None) -> None:
    result = subprocess.run(["promtool", "check", "rules", *map(str, RULE_FILES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_checks_the_compose_config(promtool_available: None) -> None:
    result = subprocess.run(["promtool", "check", "config", str(PROMETHEUS_DIR / "prometheus.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def dashboard_queries() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    queries = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            queries.append((f"{panel['title']} / {target['refId']}", expr))
    return queries


def rules() -> list[dict[str, Any]]:
    return [rule for path in RULE_FILES for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


@pytest.fixture
def prometheus(tmp_path: Path, promtool_available: None) -> Iterator[tuple[str, Callable[[str], None]]]:
    """A Prometheus on a free port (its URL), and how to start it scraping a target."""
    port = free_ports(1)[0]
    config = tmp_path / "prometheus.yml"
    process: subprocess.Popen[bytes] | None = None

    def start(target: str) -> None:
        nonlocal process
        config.write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(p) for p in RULE_FILES],
            "scrape_configs": [{"job_name": "tocsin", "static_configs": [{"targets": [target]}]}],
        }))
        log = (tmp_path / "prometheus.log").open("wb")
        process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )

    yield f"http://127.0.0.1:{port}", start
    if process is not None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def query(session: aiohttp.ClientSession, base: str, expr: str) -> list[dict[str, Any]]:
    async with session.get(f"{base}/api/v1/query", params={"query": expr}) as response:
        body = await response.json()
    assert body["status"] == "success", f"{expr}: {body}"
    return body["data"]["result"]


async def eventually(check, timeout: float, what: str, logs) -> Any:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{logs()}")
        await asyncio.sleep(0.5)


async def test_every_dashboard_query_and_rule_finds_live_series(
    tmp_path: Path, kafka_bootstrap: str, prometheus: Any
) -> None:
    base, start_prometheus = prometheus
    async with (
        FeedServer(rss([SPORTS])) as wire,
        FeedServer(rss([WEATHER])) as vanishing,
        WebhookReceiver() as receiver,
        WebhookReceiver() as rejecting,
    ):
        rejecting.script = [400] * REJECTIONS  # every delivery rejected: dead at once
        config = isolated_config(
            tmp_path,
            kafka_bootstrap,
            feeds={"sources": [
                {"url": wire.url, "name": "test-wire", "language": "en"},
                {"url": vanishing.url, "name": "vanishing", "language": "en"},
            ]},
            webhooks={"endpoints": [{"name": "receiver", "url": receiver.url}, {"name": "rejecting", "url": rejecting.url}]},
            rules={"threshold": [{"name": "big-drone-attack", "metric": "drones_launched", "op": ">=", "value": 400}]},
        )
        daemon = Daemon(write_config(tmp_path / "tocsin.toml", config))
        start_prometheus(daemon.metrics_url.removeprefix("http://"))
        await daemon.start()
        try:
            await daemon.wait_ready()
            async with aiohttp.ClientSession() as session:
                # The attack appears only once Prometheus watches, so counters rise inside its window.
                await eventually(lambda: query(session, base, 'tocsin_ready{job="tocsin"}'), 60, "the first scrape", daemon.logs)
                await eventually(lambda: _true(wire.requests >= 2 and vanishing.requests >= 2), 30, "two polls", daemon.logs)
                wire.body = rss([ATTACK, SPORTS])
                await eventually(
                    lambda: _true(receiver.received and len(rejecting.script) < REJECTIONS), 90, "both deliveries", daemon.logs
                )
                await vanishing.server.close()  # from now on the feed fails, and after three intervals it is stale

                failures: dict[str, str] = {}
                for name, expr in dashboard_queries() + [(r["record"], r["expr"]) for r in rules() if "record" in r]:
                    try:
                        await eventually(lambda e=expr: query(session, base, e), 60, f"data for {name}", daemon.logs)
                    except AssertionError:
                        failures[name] = expr
                for rule in (r for r in rules() if "alert" in r):
                    for selector in (m.group(0) for m in SELECTOR.finditer(rule["expr"])):
                        if not await query(session, base, selector):
                            failures[f"{rule['alert']}: {selector}"] = rule["expr"]
                assert not failures, "no data for:\n" + "\n".join(f"  {k}: {v}" for k, v in failures.items())

                async with session.get(f"{base}/api/v1/rules") as response:
                    groups = (await response.json())["data"]["groups"]
                evaluated = {r["name"]: (r["health"], r.get("lastError", "")) for g in groups for r in g["rules"]}
                expected = {r.get("alert") or r["record"] for r in rules()}
                assert set(evaluated) == expected
                assert all(health == "ok" for health, _ in evaluated.values()), evaluated
        finally:
            code = await daemon.stop(signal.SIGINT)
        assert code == 0, daemon.logs()


async def _true(value: object) -> bool:
    return bool(value)
