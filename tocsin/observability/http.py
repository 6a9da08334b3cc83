"""The operator's HTTP endpoint, one per process: /metrics for Prometheus,
/healthz (liveness) and /readyz (readiness).

Live: no component of the process has crashed (a restart is the cure).
Ready: every component started and is ready by its own measure, each while
Kafka answers the process (``GroupWatch``): the poller while Kafka
acknowledges its articles, the worker once its tables are recovered and
while they are writable, the deliverer once it joined its group. Each
verdict is also the ``tocsin_ready`` gauge. The worker's API answers the same
two probes with the same handlers (``health_handlers``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog
from aiohttp import web
from mode import Service
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tocsin.observability.metrics import READY
from tocsin.settings import ConfigError, MetricsSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Component:
    """One part of a process as the probes see it: ``poll``, ``work`` or ``deliver``."""

    name: str
    service: Service
    ready_check: Callable[[], bool] = lambda: True

    @property
    def live(self) -> bool:
        return not self.service.crashed

    @property
    def ready(self) -> bool:
        return self.service.started and self.live and self.ready_check()


Probe = Callable[[web.Request], Awaitable[web.Response]]


def health_handlers(crashed: Callable[[], list[str]], readiness: Callable[[], dict[str, bool]]) -> tuple[Probe, Probe]:
    """/healthz and /readyz: alive unless a component crashed (named); ready when every component is."""

    async def live(_: web.Request) -> web.Response:
        if names := crashed():
            return web.json_response({"status": "crashed", "crashed": names}, status=503)
        return web.json_response({"status": "ok"})

    async def ready(_: web.Request) -> web.Response:
        components = readiness()
        verdict = all(components.values())
        return web.json_response({"ready": verdict, "components": components}, status=200 if verdict else 503)

    return live, ready


class ObservabilityServer(Service):
    def __init__(self, settings: MetricsSettings, components: Sequence[Component]) -> None:
        super().__init__()
        self._settings = settings
        self._components = tuple(components)
        self._runner: web.AppRunner | None = None
        for component in self._components:
            READY.labels(component.name).set_function(lambda c=component: float(c.ready))

    async def on_start(self) -> None:
        live, ready = health_handlers(
            lambda: [c.name for c in self._components if not c.live], lambda: {c.name: c.ready for c in self._components}
        )
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", live)
        app.router.add_get("/readyz", ready)
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
