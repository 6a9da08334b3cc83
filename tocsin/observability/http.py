"""The operator's HTTP endpoint: /metrics for Prometheus, /healthz and /readyz."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from aiohttp import web
from mode import Service
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tocsin.settings import ConfigError, MetricsSettings

log = structlog.get_logger(__name__)


class ObservabilityServer(Service):
    def __init__(self, settings: MetricsSettings, ready: Callable[[], bool]) -> None:
        super().__init__()
        self._settings = settings
        self._ready = ready
        self._runner: web.AppRunner | None = None

    async def on_start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._live)
        app.router.add_get("/readyz", self._readiness)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.host, self._settings.port)
        try:
            await site.start()
        except OSError as exc:
            raise ConfigError(
                f"config error: metrics.port: cannot listen on {self._settings.host}:{self._settings.port}: {exc.strerror}"
            ) from exc
        log.info("metrics endpoint listening", url=f"http://{self._settings.host}:{self._settings.port}/metrics")

    async def on_stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metrics(self, _: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _live(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readiness(self, _: web.Request) -> web.Response:
        ready = self._ready()
        return web.json_response({"ready": ready}, status=200 if ready else 503)
