"""The worker's HTTP API (aiohttp): the page, events, records, alert feeds, exports,
its description, health and readiness (routes.py).

Events and records come from the worker's own tables, so with several workers
each answers for the partitions it owns (documented in the README); alerts and
feed state are read from their Kafka topics (sources.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import faust
import structlog
from aiohttp import web
from mode import Service

from streams.api.page import FeedHealth
from streams.api.routes import api_application
from streams.api.sources import KafkaSources
from streams.detect import RecordLadder
from streams.store import writable as store_writable
from streams.tables import EVENTS_TABLE, RECORDS_TABLE, REVISIONS_TABLE
from tocsin.kafka.decode import decode_or_skip
from tocsin.kafka.topics import Topics
from tocsin.records import Alert, AttackEvent
from tocsin.settings import ConfigError, Settings

log = structlog.get_logger(__name__)


def worker_ready(app: faust.App) -> bool:
    """Connected, done recovering its tables from their changelogs, and every table writable."""
    return bool(app.started and not app.rebalancing and app.tables.recovery.completed.is_set() and store_writable(app))


class WorkerData:
    """The API's data: the worker's tables, and Kafka for alerts and feed state."""

    def __init__(self, app: faust.App, sources: KafkaSources) -> None:
        self._app = app
        self._sources = sources

    def _table(self, name: str) -> Any:
        return self._app.tables[name]

    def events(self) -> Iterator[AttackEvent]:
        for key, raw in self._table(EVENTS_TABLE).items():
            if (event := decode_or_skip(AttackEvent, "api", EVENTS_TABLE, key.encode(), raw)) is not None:
                yield event

    def event(self, event_id: str) -> AttackEvent | None:
        raw = self._table(EVENTS_TABLE).get(event_id)
        if raw is None:
            return None
        return decode_or_skip(AttackEvent, "api", EVENTS_TABLE, event_id.encode(), raw)

    def revisions(self, event_id: str) -> list[dict[str, Any]]:
        return list(self._table(REVISIONS_TABLE).get(event_id) or [])

    def ladders(self) -> Iterable[tuple[str, RecordLadder]]:
        return ((key, RecordLadder.from_bytes(raw)) for key, raw in self._table(RECORDS_TABLE).items())

    def ready(self) -> bool:
        return worker_ready(self._app)

    async def alerts(self) -> list[Alert]:
        return await self._sources.alerts.get()

    async def feeds(self) -> list[FeedHealth]:
        return await self._sources.feeds.get()


class WorkerApi(Service):
    def __init__(self, app: faust.App, settings: Settings, bootstrap: list[str], topics: Topics) -> None:
        super().__init__()
        self._settings = settings.api
        self._data = WorkerData(app, KafkaSources(bootstrap, topics, settings.feeds))
        self._runner: web.AppRunner | None = None

    async def on_start(self) -> None:
        self._runner = web.AppRunner(api_application(self._data, self._settings), access_log=None)
        await self._runner.setup()
        host, port = self._settings.host, self._settings.port
        try:
            await web.TCPSite(self._runner, host, port).start()
        except OSError as exc:
            raise ConfigError(f"config error: api.port: cannot listen on {host}:{port}: {exc.strerror}") from exc
        log.info("worker api listening", url=f"http://{host}:{port}/", auth=self._settings.bearer_token is not None)

    async def on_stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
