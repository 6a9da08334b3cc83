"""The API over HTTP (a real aiohttp server on 127.0.0.1, data held in memory): its OpenAPI
description is valid and every documented response of every operation matches it; auth,
problems, cursors, alert feeds and exports."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import feedparser
import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from api_data import MemoryData, sample
from streams.api.openapi import document
from streams.api.routes import api_application
from streams.history import events_from_csv
from support.openapi import check_response
from tocsin.settings import ApiSettings

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
TOKEN = "test-token-0123456789abcdef"


def schema_file(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text()), format_checker=Draft202012Validator.FORMAT_CHECKER)


class Api:
    """A running API; every response is checked against the description."""

    def __init__(self, server: TestServer, session: ClientSession) -> None:
        self.server, self.session = server, session
        self.checked: set[tuple[str, str]] = set()

    async def get(self, path: str, template: str | None = None, token: str | None = TOKEN, **params: str) -> tuple[int, str, bytes]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.get(self.server.make_url(path), params=params, headers=headers) as response:
            body = await response.read()
            check_response(template or path, response.status, response.content_type, body)
            self.checked.add((template or path, str(response.status)))
            return response.status, response.content_type, body


@pytest.fixture
async def api() -> AsyncIterator[tuple[Api, MemoryData]]:
    data = sample()
    server = TestServer(api_application(data, ApiSettings(token=TOKEN)), host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as session:
        yield Api(server, session), data
    await server.close()


def test_the_description_is_valid_openapi_3_1() -> None:
    validate(document())
    assert document()["openapi"].startswith("3.1")


async def test_every_documented_response_matches_the_description(api: tuple[Api, MemoryData]) -> None:
    client, data = api
    assert (await client.get("/"))[0] == 200
    assert (await client.get("/", cursor="nonsense"))[0] == 400
    assert (await client.get("/events", limit="5"))[0] == 200
    assert (await client.get("/events", since="yesterday"))[0] == 400
    assert (await client.get("/events/evt_live_0704", "/events/{event_id}"))[0] == 200
    assert (await client.get("/events/evt_nope", "/events/{event_id}"))[0] == 404
    assert (await client.get("/records"))[0] == 200
    assert (await client.get("/records", metric="drones_launched"))[0] == 200
    assert (await client.get("/records", metric="bogus"))[0] == 400
    for feed in ("/alerts.atom", "/alerts.json"):
        assert (await client.get(feed))[0] == 200
        assert (await client.get(feed, min_severity="dire"))[0] == 400
    for fmt in ("csv", "geojson", "jsonl"):
        assert (await client.get("/export", format=fmt))[0] == 200
    assert (await client.get("/export", format="xls"))[0] == 400
    assert (await client.get("/healthz", token=None))[0] == 200
    assert (await client.get("/readyz", token=None))[0] == 200
    assert (await client.get("/openapi.json", token=None))[0] == 200
    for path in ("/", "/events", "/records", "/alerts.atom", "/alerts.json", "/export"):
        assert (await client.get(path, token=None))[0] == 401
    assert (await client.get("/events/evt_live_0704", "/events/{event_id}", token=None))[0] == 401
    data.is_ready = False
    assert (await client.get("/readyz", token=None))[0] == 503
    data.kafka_down = True
    for feed in ("/alerts.atom", "/alerts.json"):
        assert (await client.get(feed))[0] == 503
    documented = {(p, s) for p, ops in document()["paths"].items() for s in ops["get"]["responses"]}
    assert documented - client.checked == set(), "documented responses never checked"


async def test_auth_refuses_a_wrong_token_and_takes_the_query_parameter(api: tuple[Api, MemoryData]) -> None:
    client, _ = api
    status, media, body = await client.get("/events", token="not-the-token-at-all")
    assert (status, media) == (401, "application/problem+json") and json.loads(body)["status"] == 401
    async with client.session.get(client.server.make_url("/events"), params={"access_token": TOKEN}) as response:
        assert response.status == 200
    async with client.session.get(client.server.make_url("/alerts.json"), params={"access_token": TOKEN, "kinds": "record"}) as response:
        feed = await response.json(content_type=None)
        assert TOKEN not in json.dumps(feed) and feed["feed_url"].endswith("/alerts.json?kinds=record")
    async with client.session.get(client.server.make_url("/"), params={"access_token": TOKEN}) as response:
        links = re.findall(r'href="(/[^"]*)"', html.unescape(await response.text()))
    for link in (k for k in links if k != "/openapi.json"):  # a page opened with the token in the address: its links work
        async with client.session.get(client.server.make_url(link)) as response:
            assert response.status == 200, link
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with client.session.get(client.server.make_url("/nowhere"), headers=auth) as response:
        assert (response.status, response.content_type) == (404, "application/problem+json")
    async with client.session.post(client.server.make_url("/events"), headers=auth) as response:
        assert (response.status, response.content_type, response.headers["Allow"]) == (405, "application/problem+json", "GET,HEAD")


async def test_an_unexpected_failure_is_a_problem_not_a_traceback(api: tuple[Api, MemoryData]) -> None:
    client, data = api
    data.stored.append(None)  # type: ignore[arg-type]  # a table value the code cannot handle
    async with client.session.get(client.server.make_url("/events"), headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        problem = await response.json(content_type=None)
        assert (response.status, response.content_type) == (500, "application/problem+json")
        assert "Traceback" not in json.dumps(problem) and problem["status"] == 500


def test_a_token_is_required_unless_the_api_is_on_loopback(tmp_path: Path) -> None:
    for host in ("127.0.0.1", "::1", "localhost"):
        assert ApiSettings(host=host).bearer_token is None
    with pytest.raises(ValueError, match="not a loopback address"):
        ApiSettings(host="0.0.0.0")
    assert ApiSettings(host="0.0.0.0", token=TOKEN).bearer_token is not None
    (tmp_path / "token").write_text(TOKEN + "\n")
    assert ApiSettings(host="0.0.0.0", token_file=tmp_path / "token").bearer_token.get_secret_value() == TOKEN
    with pytest.raises(ValueError, match="at least 16"):
        ApiSettings(token="short")


async def test_a_cursor_walks_every_event_once_newest_first(api: tuple[Api, MemoryData]) -> None:
    client, data = api
    seen: list[str] = []
    cursor: dict[str, str] = {}
    while True:
        _, _, body = await client.get("/events", limit="40", **cursor)
        page = json.loads(body)
        seen += [e["event_id"] for e in page["events"]]
        if page["next_cursor"] is None:
            break
        cursor = {"cursor": page["next_cursor"]}
    assert len(seen) == len(set(seen)) == len(data.stored)
    assert seen[0] == "evt_live_0704"


async def test_alert_feeds_parse_with_one_entry_per_alert_and_the_alert_ids(api: tuple[Api, MemoryData]) -> None:
    client, data = api
    ids = {a.alert_id for a in data.raised}
    _, _, atom = await client.get("/alerts.atom")
    parsed = feedparser.parse(atom)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert {e.id for e in parsed.entries} == ids and len(parsed.entries) == len(ids)
    assert any("previous record" in e.content[0].value.lower() for e in parsed.entries)
    _, _, feed = await client.get("/alerts.json")
    body = json.loads(feed)
    schema_file("jsonfeed-1.1.schema.json").validate(body)
    assert {i["id"] for i in body["items"]} == ids
    _, _, only_records = await client.get("/alerts.json", kinds="record", min_severity="critical", targets="UA")
    assert [i["_tocsin"]["alert"]["kind"] for i in json.loads(only_records)["items"]] == ["record"]
    _, _, none = await client.get("/alerts.atom", targets="RU")
    assert feedparser.parse(none).entries == []


async def test_exports_geojson_valid_and_csv_read_back_by_the_backfill(api: tuple[Api, MemoryData]) -> None:
    client, data = api
    _, _, geo = await client.get("/export", format="geojson")
    collection = json.loads(geo)
    schema_file("geojson-points.schema.json").validate(collection)
    assert [f["properties"]["place"] for f in collection["features"]] == ["Kyiv"]  # the place without coordinates is left out
    assert collection["features"][0]["geometry"]["coordinates"] == [30.52, 50.45]
    _, _, table = await client.get("/export", format="csv")
    header = next(csv.reader(io.StringIO(table.decode())))
    with (Path(__file__).resolve().parents[2] / "fixtures" / "attacks_2025.csv").open() as dataset:
        assert set(header) <= set(next(csv.reader(dataset)))
    again = {e.event_id: e for e in events_from_csv(io.StringIO(table.decode()))}
    historical = [e for e in data.stored if e.historical]
    assert [again[e.event_id].to_bytes() for e in historical] == [e.to_bytes() for e in historical]
    (live,) = [e for e in again.values() if e.window.night_of.isoformat() == "2025-07-04"]
    assert {f.metric.value: f.value for f in live.figures} == {
        "drones_launched": 539, "drones_neutralized": 476, "drones_shot_down": 476, "missiles_launched": 11, "missiles_intercepted": 0, "aerial_weapons_launched": 550,
    }  # neutralised alone is written as destroyed, an unknown interception as an empty cell (read as 0, like the dataset's)
    _, _, lines = await client.get("/export", format="jsonl", since="2025-07-04T00:00:00+00:00")
    assert [json.loads(line)["event_id"] for line in lines.decode().splitlines()] == ["evt_live_0704"]
