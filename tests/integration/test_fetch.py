"""The fetch stage against real local HTTP servers."""

from __future__ import annotations

import gzip

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.exceptions import FetchError
from monitor.fetch import FeedFetcher, Validators
from tocsin.settings import FeedSettings

pytestmark = pytest.mark.integration

SETTINGS = FeedSettings(timeout_seconds=2.0, max_body_bytes=64 * 1024)


async def serve(handler) -> TestServer:  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def fetch(server: TestServer, validators: Validators = Validators(), path: str = "/feed"):  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as session:
        return await FeedFetcher(session, SETTINGS).fetch(str(server.make_url(path)), validators)


async def test_conditional_get_round_trip() -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"Last-Modified": "Fri, 04 Jul 2025 07:00:00 GMT"})
        return web.Response(body=b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Fri, 04 Jul 2025 06:00:00 GMT"})

    server = await serve(handler)
    try:
        first = await fetch(server)
        assert first.status == 200 and first.body == b"<rss/>" and first.validators.etag == '"v1"'
        second = await fetch(server, first.validators)
        assert second.not_modified
        # A refreshed Last-Modified on the 304 is kept, the ETag carried over.
        assert second.validators == Validators(etag='"v1"', last_modified="Fri, 04 Jul 2025 07:00:00 GMT")
    finally:
        await server.close()


async def test_decompressed_size_is_capped() -> None:
    bomb = gzip.compress(b"<" * (5 * 1024 * 1024))

    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/xml"})

    server = await serve(handler)
    try:
        with pytest.raises(FetchError) as caught:
            await fetch(server)
        assert caught.value.reason == "too_large"
    finally:
        await server.close()


async def test_redirect_loops_and_errors_are_typed() -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/loop":
            raise web.HTTPFound("/loop")
        return web.Response(status=503)

    server = await serve(handler)
    try:
        with pytest.raises(FetchError) as loop:
            await fetch(server, path="/loop")
        assert loop.value.reason == "redirects"
        with pytest.raises(FetchError) as unavailable:
            await fetch(server)
        assert unavailable.value.reason == "http_503"
    finally:
        await server.close()
