"""The fetch stage against real local HTTP servers."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import aiohttp
import brotli
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.exceptions import BlockedAddressError, FetchError
from monitor.parse import parse_feed
from monitor.fetch import FeedFetcher, Validators, open_session
from monitor.fulltext import FullTextFetcher
from tocsin.records import Article, ArticleSource, utc_now
from tocsin.settings import FeedSettings

pytestmark = pytest.mark.integration

SETTINGS = FeedSettings(timeout_seconds=2.0, max_body_bytes=64 * 1024, allow_private_addresses=True)


async def serve(handler, host: str = "127.0.0.1") -> TestServer:  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    server = TestServer(app, host=host)
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


async def failure(server: TestServer, path: str = "/feed") -> str:
    """The reason the fetch failed."""
    with pytest.raises(FetchError) as caught:
        await fetch(server, path=path)
    return caught.value.reason


BOMB = b"<" * (5 * 1024 * 1024)
COMPRESSORS = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}


@pytest.mark.parametrize("encoding", sorted(COMPRESSORS))
async def test_decompressed_size_is_capped(encoding: str) -> None:
    bomb = COMPRESSORS[encoding](BOMB)
    assert len(bomb) < SETTINGS.max_body_bytes  # small on the wire, 5 MiB once decoded

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/small":
            return web.Response(body=COMPRESSORS[encoding](b"<rss/>"), headers={"Content-Encoding": encoding})
        return web.Response(body=bomb, headers={"Content-Encoding": encoding, "Content-Type": "application/xml"})

    server = await serve(handler)
    try:
        assert (await fetch(server, path="/small")).body == b"<rss/>"
        assert await failure(server) == "too_large"
    finally:
        await server.close()


async def test_a_declared_50_mb_body_is_refused_before_reading_it() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(50 * 1024 * 1024)})
        await response.prepare(request)
        await response.write(b"<" * 1024)  # the rest never comes: the cap must not wait for it
        return response

    server = await serve(handler)
    try:
        assert await failure(server) == "too_large"
    finally:
        await server.close()


async def test_a_server_that_goes_silent_hits_the_read_timeout() -> None:
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"<rss>")
        await release.wait()
        return response

    server = await serve(handler)
    patient = SETTINGS.model_copy(update={"timeout_seconds": 60.0, "read_timeout_seconds": 0.5})
    try:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(FetchError) as caught:
                await FeedFetcher(session, patient).fetch(str(server.make_url("/feed")))
        assert caught.value.reason == "timeout"
    finally:
        release.set()
        await server.close()


async def test_a_slow_host_cannot_stall_the_others() -> None:
    release = asyncio.Event()
    in_flight = {"now": 0, "most": 0}

    async def slow(_: web.Request) -> web.Response:
        in_flight["now"] += 1
        in_flight["most"] = max(in_flight["most"], in_flight["now"])
        await release.wait()
        in_flight["now"] -= 1
        return web.Response(body=b"<rss>slow</rss>")

    async def fast(_: web.Request) -> web.Response:
        return web.Response(body=b"<rss>fast</rss>")

    slow_server, fast_server = await serve(slow), await serve(fast, host="127.0.0.2")
    polite = SETTINGS.model_copy(update={"concurrency": 2, "per_host_concurrency": 1})
    try:
        async with open_session(polite) as session:
            fetcher = FeedFetcher(session, polite)
            stuck = [asyncio.create_task(fetcher.fetch(str(slow_server.make_url(f"/feed/{n}")))) for n in range(4)]
            # Four polls of the slow host queue behind its one slot; the other host still gets through.
            assert (await fetcher.fetch(str(fast_server.make_url("/feed")))).body == b"<rss>fast</rss>"
            assert in_flight["most"] == 1 and not any(t.done() for t in stuck)
            release.set()
            assert [r.body for r in await asyncio.gather(*stuck)] == [b"<rss>slow</rss>"] * 4
    finally:
        release.set()
        await slow_server.close()
        await fast_server.close()


async def test_full_text_replaces_the_summary_with_the_pages_main_text() -> None:
    paragraph = "Russia launched 539 drones and 11 missiles at Ukraine overnight, the air force said. " * 4
    page = f"""<html><head><title>Night attack</title></head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
        <article><h1>Night attack</h1><p>{paragraph}</p><p>{paragraph}</p><p>Kyiv was the main target of the attack.</p></article>
        <footer>Copyright, cookies and subscriptions</footer></body></html>""".encode()

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/story":
            return web.Response(body=page, content_type="text/html")
        return web.Response(status=404)

    server = await serve(handler)
    article = Article(
        id="art_1", url=str(server.make_url("/story")), title="Night attack", summary="Drones overnight.", fetched_at=utc_now(),
        sources=(ArticleSource(feed_url="http://news.example/feed", feed_name="news"),),
    )
    try:
        async with aiohttp.ClientSession() as session:
            full_text = FullTextFetcher(FeedFetcher(session, SETTINGS), concurrency=2)
            enriched = await full_text.enrich(article)
            assert "539 drones and 11 missiles" in enriched.body and "Kyiv was the main target" in enriched.body
            assert "cookies" not in enriched.body and enriched.summary == article.summary
            missing = article.model_copy(update={"url": str(server.make_url("/gone"))})
            assert await full_text.enrich(missing) == missing  # a page that cannot be had changes nothing
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


async def test_the_response_charset_reaches_the_parser() -> None:
    # A short Cyrillic title that byte statistics alone misread: only the header says windows-1251.
    body = '<?xml version="1.0"?><rss version="2.0"><channel><item><guid>g</guid><title>Київ</title></item></channel></rss>'.encode("cp1251")

    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": "application/rss+xml; charset=windows-1251"})

    server = await serve(handler)
    try:
        result = await fetch(server)
    finally:
        await server.close()
    assert result.content_type == "application/rss+xml; charset=windows-1251"
    assert parse_feed(result.body, result.url, result.content_type).entries[0].title == "Київ"
