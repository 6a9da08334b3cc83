"""One HTTP attempt of one delivery. The only module here that talks HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass

import aiohttp
from yarl import URL

from streams.deliver.outcome import Outcome, Verdict, from_error, from_status
from streams.deliver.render import Body
from streams.deliver.signing import Signer
from tocsin.net.guard import BlockedAddress, check_literal, connector_options
from tocsin.records import Attempt, utc_now
from tocsin.settings import WebhookEndpoint

USER_AGENT = "Tocsin-Webhooks/1"
REPLY_CAP_BYTES = 64 * 1024
"""How much of a reply is read (after decompression): the status decides, the body is only drained
so the connection can be reused. A longer reply is cut off, its connection closed."""


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    attempt: Attempt


@dataclass(frozen=True)
class Target:
    """An endpoint's request settings, prepared once rather than per attempt."""

    url: URL
    timeout: aiohttp.ClientTimeout
    signer: Signer
    blocked: bool  # a literal private address while the SSRF guard is on


def target_url(endpoint: WebhookEndpoint) -> URL:
    url = URL(endpoint.url)
    if endpoint.format == "discord":
        # Without wait=true Discord answers 204 before it validates the message: failures would be silent.
        return url.update_query(wait="true")
    return url


def new_session(allow_private: bool) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=60, **connector_options(allow_private))
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT})


class Sender:
    def __init__(self, session: aiohttp.ClientSession, *, allow_private: bool) -> None:
        self._session = session
        self._allow_private = allow_private

    def target(self, endpoint: WebhookEndpoint) -> Target:
        try:
            if not self._allow_private:
                check_literal(URL(endpoint.url).host or "")
            blocked = False
        except BlockedAddress:
            blocked = True
        return Target(target_url(endpoint), aiohttp.ClientTimeout(total=endpoint.timeout_seconds), Signer(endpoint.signing_secrets), blocked)

    async def attempt(self, target: Target, message_id: str, body: Body) -> Result:
        started = time.perf_counter()
        now = utc_now()
        try:
            if target.blocked:
                raise BlockedAddress("not a public address")
            headers = {"Content-Type": body.content_type, **target.signer.headers(message_id, body.content, now)}
            async with self._session.post(
                target.url, data=body.content, headers=headers, timeout=target.timeout, allow_redirects=False
            ) as response:
                await _drain(response)
                outcome = from_status(response.status, response.headers, utc_now())
        except BlockedAddress:
            outcome = Outcome(Verdict.REJECTED, "blocked")
        except TimeoutError:
            outcome = from_error("timeout")
        except aiohttp.ClientConnectorError as exc:
            # Only the exception's type is kept: messages can carry the URL, and URLs can carry tokens.
            outcome = Outcome(Verdict.REJECTED, "blocked") if isinstance(exc.os_error, BlockedAddress) else from_error("connection")
        except aiohttp.ClientError:
            outcome = from_error("connection")
        duration_ms = (time.perf_counter() - started) * 1000
        return Result(outcome, Attempt(at=now, outcome=outcome.token, status=outcome.status, duration_ms=round(duration_ms, 1)))


async def _drain(response: aiohttp.ClientResponse) -> None:
    remaining = REPLY_CAP_BYTES
    while remaining > 0:
        chunk = await response.content.read(remaining)
        if not chunk:
            return  # the whole reply: the connection goes back to the pool
        remaining -= len(chunk)
    if not response.content.at_eof():
        response.close()  # never read the rest of a 1 GB (or 1 MB gzip → 1 GB) reply
