"""The fetch stage against real local HTTP servers."""

from __future__ import annotations

import asyncio
import gzip

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.exceptions import BlockedAddressError, FetchError
from monitor.fetch import FeedFetcher, Validators, open_session
from tocsin.settings import FeedSettings

pytestmark = pytest.mark.integration

SETTINGS = FeedSettings(timeout_seconds=2.0, max_body_bytes=64 * 1024, allow_private_addresses=True)


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


async def test_private_addresses_are_refused_after_resolution_by_default() -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/to-private":
            raise web.HTTPFound("http://10.0.0.1/feed")
        return web.Response(body=b"<rss/>")

    server = await serve(handler)
    guarded = FeedSettings(timeout_seconds=2.0)
    assert not guarded.allow_private_addresses
    try:
        async with open_session(guarded) as session:
            fetcher = FeedFetcher(session, guarded)
            for url in (str(server.make_url("/feed")), f"http://localhost:{server.port}/feed", "http://[::1]/feed", "http://169.254.169.254/latest"):
                with pytest.raises(BlockedAddressError):
                    await fetcher.fetch(url)
        # A public-looking start that redirects inside is refused at the hop.
        async with open_session(SETTINGS) as session:
            permissive = FeedFetcher(session, SETTINGS.model_copy(update={"allow_private_addresses": True}))
            assert (await permissive.fetch(str(server.make_url("/feed")))).body == b"<rss/>"
        async with aiohttp.ClientSession() as session:
            hop_guard = FeedFetcher(session, SETTINGS.model_copy(update={"allow_private_addresses": False}))
            with pytest.raises(BlockedAddressError):
                await hop_guard.fetch(str(server.make_url("/to-private")).replace("127.0.0.1", "localhost"))
    finally:
        await server.close()


async def test_throttling_backs_off_the_whole_host_and_trickling_is_cut_by_the_total_timeout() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/busy":
            return web.Response(status=429, headers={"Retry-After": "120"})
        if request.path == "/trickle":
            response = web.StreamResponse()
            await response.prepare(request)
            for _ in range(50):
                await response.write(b"<")
                await asyncio.sleep(0.2)  # never silent long enough for the read timeout
            return response
        return web.Response(body=b"<rss/>")

    server = await serve(handler)
    try:
        async with aiohttp.ClientSession() as session:
            fetcher = FeedFetcher(session, SETTINGS)
            with pytest.raises(FetchError) as trickled:
                await fetcher.fetch(str(server.make_url("/trickle")))
            assert trickled.value.reason == "timeout"
            with pytest.raises(FetchError) as busy:
                await fetcher.fetch(str(server.make_url("/busy")))
            assert busy.value.reason == "http_429" and busy.value.retry_after >= 120
            # Another feed of the same host now waits without a request being made.
            with pytest.raises(FetchError) as deferred:
                await fetcher.fetch(str(server.make_url("/other")))
            assert deferred.value.reason == "host_backoff" and deferred.value.retry_after > 100
    finally:
        await server.close()
