"""V3: a webhook receiver's reply is read up to a small cap (after decompression), the rest
never read: a 1 GB reply or a gzip bomb costs the deliverer neither memory nor time."""

from __future__ import annotations

import asyncio
import os
import zlib
from datetime import UTC, datetime
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from streams.deliver.outcome import Verdict, from_status
from streams.deliver.render import Body
from streams.deliver.sender import REPLY_CAP_BYTES, Sender, new_session
from tocsin.settings import WebhookEndpoint

GIB = 1024**3
_CHUNK = 1024 * 1024


def _gzip_bomb(decompressed: int) -> bytes:
    """``decompressed`` zero bytes as gzip, built without holding them (about 1 KB per MB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(_CHUNK)
    parts = [packer.compress(zeros) for _ in range(decompressed // _CHUNK)]
    return b"".join([*parts, packer.flush()])


class HugeReplies:
    """/huge streams up to 1 GiB and counts what it managed to write; /bomb answers a gzip bomb."""

    def __init__(self, bomb: bytes) -> None:
        self.bomb = bomb
        self.written = 0
        app = web.Application()
        app.router.add_post("/huge", self._huge)
        app.router.add_post("/bomb", self._bomb)
        app.router.add_post("/small", self._small)
        self.server = TestServer(app, host="127.0.0.1")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.StreamResponse(headers={"Content-Length": str(GIB)})
        await response.prepare(request)
        chunk = b"x" * _CHUNK
        try:
            while self.written < GIB:
                await response.write(chunk)
                self.written += len(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the deliverer hung up: what it should do
        return response

    async def _bomb(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=self.bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})

    async def _small(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _gzip_bomb(GIB)


@pytest.fixture
async def replies(bomb: bytes) -> AsyncIterator[HugeReplies]:
    server = HugeReplies(bomb)
    await server.server.start_server()
    try:
        yield server
    finally:
        await server.server.close()


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def _sample_rss(peak: list[float]) -> None:
    """The process's resident memory, sampled while the attempt runs (ru_maxrss would carry
    earlier tests' peaks)."""
    while True:
        peak[0] = max(peak[0], _rss_mib())
        await asyncio.sleep(0.005)


@pytest.mark.parametrize("path", ["/huge", "/bomb", "/small"])
async def test_a_huge_or_bomb_reply_is_not_read_whole(replies: HugeReplies, path: str) -> None:
    assert len(replies.bomb) < 2 * 1024 * 1024  # small on the wire, 1 GiB once decompressed
    before = _rss_mib()
    peak = [before]
    sampler = asyncio.create_task(_sample_rss(peak))
    session = new_session(allow_private=True)
    try:
        sender = Sender(session, allow_private=True)
        target = sender.target(WebhookEndpoint(name="hook", url=replies.url(path), timeout_seconds=60))
        result = await sender.attempt(target, "msg_1", Body(b"{}", "application/json"))
    finally:
        sampler.cancel()
        await session.close()
    assert result.outcome.verdict is Verdict.DELIVERED, result
    # Reading either reply whole would cost a GiB; the cap is 64 KiB.
    assert peak[0] - before < 256
    if path == "/huge":
        assert replies.written < 256 * 1024 * 1024  # cut off long before the end
    assert REPLY_CAP_BYTES <= 64 * 1024


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "lots"])
def test_a_rate_limit_header_that_is_no_finite_number_is_ignored(value: str) -> None:
    now = datetime.now(UTC)
    limited = from_status(429, {"X-RateLimit-Reset-After": value}, now)
    assert (limited.retry_after, limited.pause) == (None, None)
    accepted = from_status(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": value}, now)
    assert accepted.pause is None
