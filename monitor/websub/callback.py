"""The callback server the hubs call: intent verification (GET) and content distribution (POST).

Runs inside the poller process on ``websub.host:websub.port`` (loopback by default: a reverse
proxy publishes it as ``websub.callback_url``). The path ends in ``/<feed id>/<token>``; whatever
comes before is the proxy's.
"""

from __future__ import annotations

from aiohttp import web

from monitor.websub.subscriptions import Answer, Subscriptions


def _not_found() -> web.Response:
    return web.Response(status=404, text="no such subscription")


class CallbackServer:
    def __init__(self, subscriptions: Subscriptions, host: str, port: int, *, max_body_bytes: int) -> None:
        self._subscriptions = subscriptions
        self._host, self._port = host, port
        app = web.Application(client_max_size=max_body_bytes)
        app.router.add_get("/{path:.*}", self._verify)
        app.router.add_post("/{path:.*}", self._content)
        self._runner = web.AppRunner(app, access_log=None)

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        await self._runner.cleanup()

    @staticmethod
    def _ids(request: web.Request) -> tuple[str, str] | None:
        parts = request.match_info["path"].rstrip("/").split("/")
        return (parts[-2], parts[-1]) if len(parts) >= 2 else None

    async def _verify(self, request: web.Request) -> web.Response:
        ids = self._ids(request)
        query = request.query
        challenge = query.get("hub.challenge", "")
        if ids is None or not query.get("hub.topic") or (query.get("hub.mode") != "denied" and not challenge):
            return _not_found()
        answer = self._subscriptions.verify(*ids, query.get("hub.mode", ""), query["hub.topic"], query.get("hub.lease_seconds"))
        if answer is Answer.VERIFIED:
            return web.Response(text=challenge, content_type="text/plain")
        if answer is Answer.DENIED:
            return web.Response(status=200)
        return _not_found()

    async def _content(self, request: web.Request) -> web.Response:
        ids = self._ids(request)
        if ids is None:
            return _not_found()
        body = await request.read()
        known = await self._subscriptions.content(*ids, body, request.headers.get("X-Hub-Signature"), request.headers.get("Content-Type"))
        # 410 Gone: the hub may drop a subscription we no longer have (WebSub §7).
        return web.Response(status=202) if known else web.Response(status=410, text="subscription gone")
