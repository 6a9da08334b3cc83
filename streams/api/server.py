"""The worker's HTTP API (aiohttp): events, records, health and readiness.

It reads the worker's own tables, so with several workers each answers for
the partitions it owns (documented in the README).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import faust
import structlog
from aiohttp import web
from mode import Service

from streams.agents.detect import RECORDS_TABLE
from streams.agents.merge import EVENTS_TABLE, REVISIONS_TABLE
from streams.api.views import EventQuery, current_records, recent_events
from streams.detect import RecordLadder
from streams.store import writable as store_writable
from tocsin.records import AttackEvent, Metric
from tocsin.settings import ApiSettings, ConfigError

log = structlog.get_logger(__name__)


def worker_ready(app: faust.App) -> bool:
    """Connected, done recovering its tables from their changelogs, and every table writable."""
    return bool(app.started and not app.rebalancing and app.tables.recovery.completed.is_set() and store_writable(app))


class WorkerApi(Service):
    def __init__(self, app: faust.App, settings: ApiSettings) -> None:
        super().__init__()
        self._app = app
        self._settings = settings
        self._runner: web.AppRunner | None = None

    async def on_start(self) -> None:
        api = web.Application()
        api.router.add_get("/events", self._events)
        api.router.add_get("/events/{event_id}", self._event)
        api.router.add_get("/records", self._records)
        api.router.add_get("/healthz", self._health)
        api.router.add_get("/readyz", self._readiness)
        self._runner = web.AppRunner(api, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self._settings.host, self._settings.port).start()
        except OSError as exc:
            raise ConfigError(f"config error: api.port: cannot listen on {self._settings.host}:{self._settings.port}: {exc.strerror}") from exc
        log.info("worker api listening", url=f"http://{self._settings.host}:{self._settings.port}/events")

    async def on_stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _table(self, name: str) -> Any:
        return self._app.tables[name]

    async def _events(self, request: web.Request) -> web.Response:
        try:
            query = EventQuery(
                since=datetime.fromisoformat(request.query["since"]) if "since" in request.query else None,
                target=request.query.get("target"),
                metric=Metric(request.query.get("metric", Metric.DRONES_LAUNCHED.value)),
                min_value=float(request.query["min"]) if "min" in request.query else None,
                limit=int(request.query.get("limit", 50)),
            )
        except ValueError as exc:
            return _json({"error": f"bad query: {exc}"}, 400)
        events = (AttackEvent.from_bytes(raw) for raw in self._table(EVENTS_TABLE).values())
        return _json({"events": recent_events(events, query)})

    async def _event(self, request: web.Request) -> web.Response:
        event_id = request.match_info["event_id"]
        raw = self._table(EVENTS_TABLE).get(event_id)
        if raw is None:
            return _json({"error": f"no event {event_id}"}, 404)
        event = json.loads(AttackEvent.from_bytes(raw).to_bytes())
        return _json({"event": event, "revisions": self._table(REVISIONS_TABLE).get(event_id) or []})

    async def _records(self, request: web.Request) -> web.Response:
        ladders = ((key, RecordLadder.from_bytes(raw)) for key, raw in self._table(RECORDS_TABLE).items())
        records = current_records(ladders)
        if scope := request.query.get("scope"):
            records = {scope: records.get(scope, {})}
        if metric := request.query.get("metric"):
            records = {s: {m: r for m, r in by.items() if m == metric} for s, by in records.items()}
        return _json({"records": records})

    async def _health(self, _: web.Request) -> web.Response:
        return _json({"status": "ok"})

    async def _readiness(self, _: web.Request) -> web.Response:
        ready = worker_ready(self._app)
        return _json({"ready": ready}, 200 if ready else 503)


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))
