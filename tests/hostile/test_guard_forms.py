"""The one private-address guard on the real fetcher (feeds, full-text pages) and the real
webhook sender: a receiver on 127.0.0.1 is reachable through the IPv4-mapped form (shown with
the guard off), and every IPv6 form embedding a private IPv4 is refused with the guard on,
before any connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.exceptions import BlockedAddressError
from monitor.fetch import FeedFetcher, open_session
from streams.deliver.outcome import Verdict
from streams.deliver.render import Body
from streams.deliver.sender import Sender, new_session
from tocsin.settings import FeedSettings, WebhookEndpoint

FORMS = [
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:7f00:1",  # IPv4-mapped, hex
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::127.0.0.1",  # NAT64 well-known prefix
    "64:ff9b:1::7f00:1",  # NAT64 local-use prefix
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    "::ffff:a9fe:a9fe",  # mapped 169.254.169.254 (cloud metadata)
]


@pytest.fixture
async def inside() -> AsyncIterator[TestServer]:
    """An internal service: what an SSRF would reach."""
    async def answer(_: web.Request) -> web.Response:
        return web.Response(body=b"<rss/>")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


async def test_the_fetcher_refuses_every_form(inside: TestServer) -> None:
    mapped = f"http://[::ffff:127.0.0.1]:{inside.port}/feed"
    async with open_session(FeedSettings(allow_private_addresses=True)) as session:
        # Reachable: the form is a real way in.
        assert (await FeedFetcher(session, FeedSettings(allow_private_addresses=True)).fetch(mapped)).body == b"<rss/>"
    guarded = FeedSettings(timeout_seconds=2.0)
    async with open_session(guarded) as session:
        fetcher = FeedFetcher(session, guarded)
        for form in FORMS:
            with pytest.raises(BlockedAddressError):
                await fetcher.fetch(f"http://[{form}]:{inside.port}/feed")


async def test_the_webhook_sender_refuses_every_form(inside: TestServer) -> None:
    body = Body(b"{}", "application/json")
    session = new_session(allow_private=True)
    try:
        sender = Sender(session, allow_private=True)
        open_target = sender.target(WebhookEndpoint(name="hook", url=f"http://[::ffff:127.0.0.1]:{inside.port}/hook"))
        assert (await sender.attempt(open_target, "m", body)).outcome.verdict is Verdict.DELIVERED
    finally:
        await session.close()
    session = new_session(allow_private=False)
    try:
        sender = Sender(session, allow_private=False)
        for form in FORMS:
            target = sender.target(WebhookEndpoint(name="hook", url=f"http://[{form}]:{inside.port}/hook"))
            result = await sender.attempt(target, "m", body)
            assert (result.outcome.verdict, result.outcome.token) == (Verdict.REJECTED, "blocked"), form
    finally:
        await session.close()
