"""Webhook receivers that verify every request's Standard Webhooks signature."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiohttp.test_utils import TestServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from streams.deliver.sample import sample_alert
from support.daemon import Daemon
from tocsin.records import Alert, utc_now

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@dataclass(frozen=True)
class Request:
    at: float  # monotonic, in this (the test's) process
    message_id: str
    status: int


@dataclass
class SignedReceiver:
    """Answers with ``script`` (status, headers) entries first, then ``status``;
    ``hang`` never answers. Refuses (401) and counts any bad signature."""

    status: int = 200
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    hang: bool = False
    requests: list[Request] = field(default_factory=list)
    bodies: dict[str, dict] = field(default_factory=dict)
    bad_signatures: int = 0
    secret: str = SECRET  # the key this receiver verifies with

    def __post_init__(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._hook)
        self.server = TestServer(app, host="127.0.0.1")
        self._verifier = Webhook(self.secret)

    @property
    def url(self) -> str:
        return str(self.server.make_url("/hook"))

    @property
    def delivered(self) -> list[str]:
        """Message ids answered with 2xx, in order, repeats included."""
        return [r.message_id for r in self.requests if 200 <= r.status < 300]

    def attempted(self, message_id: str) -> int:
        return sum(r.message_id == message_id for r in self.requests)

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            payload = self._verifier.verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.bad_signatures += 1
            return web.Response(status=401)
        message_id = request.headers["webhook-id"]
        if self.hang:
            await asyncio.Event().wait()
        status, headers = self.script.pop(0) if self.script else (self.status, {})
        self.requests.append(Request(time.monotonic(), message_id, status))
        if 200 <= status < 300:
            self.bodies[message_id] = payload
        return web.Response(status=status, headers=headers)

    async def __aenter__(self) -> SignedReceiver:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()


async def publish_alerts(bootstrap: str, prefix: str, alerts: list[Alert]) -> None:
    """Alerts straight onto the alerts topic, as the detect stage publishes them."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for alert in alerts:
            await producer.send_and_wait(f"{prefix}.alerts", key=alert.alert_id.encode(), value=alert.to_bytes())
    finally:
        await producer.stop()


def alerts(run: str, n: int) -> list[Alert]:
    return [sample_alert(id_override=f"alert_{run}_{i}").model_copy(update={"raised_at": utc_now()}) for i in range(n)]


async def eventually(condition: Callable[[], Awaitable[bool] | bool], what: str, daemon: Daemon, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = condition()
        if await result if inspect.isawaitable(result) else result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}:\n{daemon.logs()}")
        await asyncio.sleep(0.1)
