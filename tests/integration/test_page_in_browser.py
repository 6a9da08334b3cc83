"""What people and other tools get from a running Tocsin after a back-test: the web page in
a real headless Chromium, the alert feeds, the exports (HTTP and `tocsin export`), all behind
a bearer token.

History is backfilled to 2025-05-01 and the Air Force style reports of the following months
replayed, as in test_backtest.py; one configured feed points at a port where nothing listens,
so the page's feed health has a failing feed.
"""

from __future__ import annotations

import json
import signal
import tomllib
from pathlib import Path

import aiohttp
import feedparser
import pytest
from jsonschema import Draft202012Validator

from streams.history import events_from_csv
from support.browser import Chromium
from support.daemon import Daemon, isolated_config, write_config
from support.net import free_ports
from support.openapi import check_response
from support.streams import caught_up, eventually, read_topic, run_cli
from tocsin.records import Alert

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SCHEMAS = ROOT / "tests" / "schemas"
TOKEN = "page-test-token-5b1d0c7e"
RECORD_NIGHTS = 8  # test_backtest.RECORD_NIGHTS
# A report naming the places hit, for the GeoJSON export (the Air Force reports name none).
PLACES = {
    "id": "wire-2025-09-21", "source": "Test wire", "published": "2025-09-21T07:00:00+00:00", "language": "en",
    "title": "Russia attacks Ukraine overnight with 40 drones",
    "body": "Russia attacked Ukraine overnight with 40 drones, the air force said. Drones hit Kharkiv and Odesa, officials said.",
}


async def get(url: str, token: str | None = TOKEN) -> tuple[int, str, bytes]:
    """GET, and check the answer against the API's description."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        body = await response.read()
        check_response(response.url.path, response.status, response.content_type, body)
        return response.status, response.content_type, body


async def test_the_page_feeds_and_exports_after_a_backtest(tmp_path: Path, kafka_bootstrap: str) -> None:
    (dead_port,) = free_ports(1)
    config = isolated_config(
        tmp_path, kafka_bootstrap,
        rules={"record_metrics": ["drones_launched"]},
        api={"token": TOKEN},
        feeds={"sources": [{"name": "gone-away", "url": f"http://127.0.0.1:{dead_port}/feed.xml"}]},
    )
    config_file = write_config(tmp_path / "tocsin.toml", config)
    prefix = config["kafka"]["topics"]["prefix"]
    api = f"http://127.0.0.1:{tomllib.loads(config_file.read_text())['api']['port']}"
    await run_cli(config_file, "backfill", "--csv", str(FIXTURES / "attacks_2025.csv"), "--until", "2025-05-01")
    daemon = Daemon(config_file, "run")
    await daemon.start()
    try:
        await daemon.wait_ready()
        await run_cli(config_file, "replay", str(FIXTURES / "backtest_articles.jsonl"))
        (tmp_path / "places.jsonl").write_text(json.dumps(PLACES) + "\n")
        await run_cli(config_file, "replay", str(tmp_path / "places.jsonl"))

        async def alerts() -> dict[str, Alert]:
            return {(a := Alert.from_bytes(v)).alert_id: a for _, v in await read_topic(kafka_bootstrap, f"{prefix}.alerts")}

        async def done() -> bool:
            return len(await alerts()) >= RECORD_NIGHTS and await caught_up(daemon)

        await eventually(done, 90, "the back-test's record alerts and an idle pipeline", daemon)
        raised = await alerts()

        # Guarded: no token, no data.
        assert (await get(f"{api}/events", token=None))[:2] == (401, "application/problem+json")
        assert (await get(f"{api}/healthz", token=None))[0] == 200
        for path in ("/events?limit=3", "/records", "/openapi.json"):
            assert (await get(f"{api}{path}"))[0] == 200

        # The page, in a real browser: the 4 July event with its sources and evidence, the ladder, the failing feed.
        # Under var/ (git-ignored): pytest's own temporary directories are pruned after a few runs.
        screenshot = ROOT / "var" / "tocsin-page.png"
        screenshot.parent.mkdir(exist_ok=True)
        screenshot.unlink(missing_ok=True)
        async with Chromium(tmp_path / "chromium") as browser:
            visit = await browser.visit(
                f"{api}/?until=2025-07-04", screenshot, {"Authorization": f"Bearer {TOKEN}"},
                selectors=("article.event", "figure.ladder svg polyline", "tr.failing"),
            )
        print(f"\nscreenshot of the page: {screenshot}")
        assert visit.errors == []
        assert visit.counts == {"article.event": 10, "figure.ladder svg polyline": 1, "tr.failing": 1}, visit.counts
        first_event = visit.text.split("RU → UA · night of ")[1]
        assert first_event.startswith("2025-07-04")
        assert "539" in first_event.split("Sources")[0]  # the figure, with its evidence
        assert "Sources (" in first_event and "air_force" in first_event.split("RU → UA")[0]
        assert "810 · 2025-09-07" in visit.text and "gone-away" in visit.text
        assert screenshot.stat().st_size > 10_000

        # Alert feeds: one entry per alert, ids the alert ids.
        status, media, atom = await get(f"{api}/alerts.atom?limit=500")
        assert (status, media) == (200, "application/atom+xml")
        parsed = feedparser.parse(atom)
        assert not parsed.bozo and {e.id for e in parsed.entries} == set(raised) and len(parsed.entries) == len(raised)
        status, media, body = await get(f"{api}/alerts.json?kinds=record&limit=500")
        feed = json.loads(body)
        Draft202012Validator(json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())).validate(feed)
        assert {i["id"] for i in feed["items"]} == {k for k, a in raised.items() if a.kind.value == "record"}

        # Exports: the same events over HTTP and from `tocsin export`; the CSV reads back to the same figures.
        _, _, http_jsonl = await get(f"{api}/export?format=jsonl")
        await run_cli(config_file, "export", "--format", "jsonl", "-o", str(tmp_path / "events.jsonl"))
        cli_jsonl = (tmp_path / "events.jsonl").read_text()
        ids = lambda text: {json.loads(line)["event_id"] for line in text.splitlines()}  # noqa: E731
        assert ids(http_jsonl.decode()) == ids(cli_jsonl) and len(ids(cli_jsonl)) > 50
        exported = tmp_path / "events.csv"
        await run_cli(config_file, "export", "--format", "csv", "--since", "2025-05-01", "-o", str(exported))
        with exported.open(newline="") as lines:
            nights = {
                e.window.night_of.isoformat(): {f.metric.value: f.value for f in e.figures} for e in events_from_csv(lines)
            }
        assert nights["2025-07-04"]["drones_launched"] == 539
        assert "backfilled" in await run_cli(config_file, "backfill", "--csv", str(exported))
        geojson = json.loads((await get(f"{api}/export?format=geojson"))[2])
        Draft202012Validator(json.loads((SCHEMAS / "geojson-points.schema.json").read_text())).validate(geojson)
        assert {f["properties"]["place"] for f in geojson["features"]} >= {"Kharkiv", "Odesa"}, geojson
    finally:
        assert await daemon.stop(signal.SIGTERM) == 0, daemon.logs()
    assert '"level": "error"' not in daemon.log_file.read_text()
