"""HTTP fetching: conditional GET with bounded time, size and redirects, polite per host."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from monitor.exceptions import BlockedAddressError, FetchError
from monitor.fetch.politeness import HostGate
from monitor.schedule import retry_after_delay
from monitor.state import Validators
from tocsin.net.guard import BlockedAddress, check_literal, connector_options
from tocsin.records import utc_now
from tocsin.settings import FeedSettings

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_THROTTLED = frozenset({429, 503})


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes | None  # None when the resource is unchanged (304)
    validators: Validators
    content_type: str | None  # the whole header, charset included: the parser reads it
    url: str  # after redirects
    headers: Mapping[str, str] = field(default_factory=dict)
    wire_bytes: int = 0

    @property
    def not_modified(self) -> bool:
        return self.body is None


def open_session(settings: FeedSettings) -> aiohttp.ClientSession:
    """The one pooled keep-alive session of a poller; resolves through the address guard unless turned off."""
    connector = aiohttp.TCPConnector(
        limit=0,  # the fetcher's HostGate limits in total and per host (the connector's limits would repeat it)
        limit_per_host=0,
        ttl_dns_cache=300,
        **connector_options(settings.allow_private_addresses),
    )
    return aiohttp.ClientSession(
        headers={"User-Agent": settings.user_agent}, connector=connector, auto_decompress=True
    )


class FeedFetcher:
    """Fetches over one shared session. Redirects are followed here, hop by hop,
    so each hop is counted, guarded and polite."""

    def __init__(self, session: aiohttp.ClientSession, settings: FeedSettings, gate: HostGate | None = None) -> None:
        self._session = session
        self._settings = settings
        self._gate = gate or HostGate(
            settings.per_host_concurrency, total=settings.concurrency, base_backoff=settings.interval_seconds, max_backoff=settings.max_backoff_seconds
        )
        self._timeout = aiohttp.ClientTimeout(
            total=settings.timeout_seconds, sock_connect=settings.connect_timeout_seconds, sock_read=settings.read_timeout_seconds
        )

    @property
    def gate(self) -> HostGate:
        return self._gate

    async def fetch(self, url: str, validators: Validators = Validators()) -> FetchResult:
        for _hop in range(self._settings.max_redirects + 1):
            result = await self._fetch_once(url, validators)
            if isinstance(result, FetchResult):
                return result
            url = result
        raise FetchError("redirects", f"{url}: more than {self._settings.max_redirects} redirects")

    async def _fetch_once(self, url: str, validators: Validators) -> FetchResult | str:
        target = _parsed(url)
        host = target.host or ""
        if not self._settings.allow_private_addresses:
            try:
                check_literal(host)
            except BlockedAddress as exc:
                raise BlockedAddressError(f"{url}: {exc}") from exc
        if (wait := self._gate.blocked_for(host)) > 0:
            raise FetchError("host_backoff", f"{host} asked us to wait {wait:.0f}s more", retry_after=wait)
        try:
            async with self._gate.slot(host), self._session.get(
                target, headers=validators.headers(), timeout=self._timeout, allow_redirects=False
            ) as response:
                return await self._answer(url, host, response, validators)
        except aiohttp.ConnectionTimeoutError as exc:  # a TimeoutError too: the host, not its answer, was slow
            raise FetchError("timeout", f"{url}: no connection within {self._settings.connect_timeout_seconds:g}s") from exc
        except TimeoutError as exc:
            raise FetchError("timeout", f"{url}: no complete answer in time") from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddress):
                raise BlockedAddressError(f"{url}: {exc.os_error}") from exc
            raise FetchError("connection", f"{url}: {exc}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise FetchError("bad_body", f"{url}: {exc}") from exc
        except (aiohttp.ClientError, ValueError) as exc:
            raise FetchError("connection", f"{url}: {exc}") from exc

    async def _answer(self, url: str, host: str, response: aiohttp.ClientResponse, validators: Validators) -> FetchResult | str:
        status = response.status
        if status in _REDIRECTS:
            location = response.headers.get("Location")
            if not location:
                raise FetchError("bad_redirect", f"{url}: {status} without Location", status=status)
            target = urljoin(url, location)
            if URL(target).scheme not in ("http", "https"):
                raise FetchError("bad_redirect", f"{url}: redirect to {target!r}", status=status)
            return target
        if status in _THROTTLED:
            retry_after = retry_after_delay(response.headers.get("Retry-After"), utc_now())
            waited = self._gate.throttled(host, retry_after)
            raise FetchError(f"http_{status}", f"{url}: throttled, host left alone {waited:.0f}s", status=status, retry_after=waited)
        self._gate.answered(host)
        if status == 304:
            # A 304 may refresh the validators (e.g. a newer Last-Modified); keep the old ones where it does not.
            return FetchResult(304, None, _validators(response.headers, validators), None, url, _plain(response.headers))
        if status != 200:
            raise FetchError(f"http_{status}", f"{url} answered {status}", status=status)
        body = await self._read_capped(response, url)
        return FetchResult(
            200, body, _validators(response.headers, Validators()), response.headers.get("Content-Type"), url, _plain(response.headers), len(body)
        )

    async def _read_capped(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        cap = self._settings.max_body_bytes
        declared = response.content_length
        if declared is not None and declared > cap and not response.headers.get("Content-Encoding"):
            raise FetchError("too_large", f"{url}: declares {declared} bytes, cap {cap}", status=200)
        # Counted after decompression, so a small gzip bomb is cut off too.
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > cap:
                raise FetchError("too_large", f"{url}: body exceeds {cap} bytes", status=200)
            chunks.append(chunk)
        return b"".join(chunks)


@lru_cache(maxsize=16_384)
def _parsed(url: str) -> URL:
    """A feed's URL parsed once, not on every poll (twice per poll, it showed in a busy poller's profile)."""
    return URL(url)


def _plain(headers: CIMultiDictProxy[str]) -> dict[str, str]:
    wanted = ("Cache-Control", "Expires", "Retry-After", "Link")  # Link: WebSub discovery
    return {name: headers[name] for name in wanted if name in headers}


def _validators(headers: CIMultiDictProxy[str], previous: Validators) -> Validators:
    return Validators(
        etag=headers.get("ETag", previous.etag),
        last_modified=headers.get("Last-Modified", previous.last_modified),
    )
