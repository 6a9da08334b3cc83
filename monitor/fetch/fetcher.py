"""HTTP fetching of feeds: conditional GET with bounded time and size."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from monitor.exceptions import FetchError
from tocsin.settings import FeedSettings


@dataclass(frozen=True)
class Validators:
    """What the server gave us to make the next GET conditional."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes | None  # None when the feed is unchanged (304)
    validators: Validators
    content_type: str | None

    @property
    def not_modified(self) -> bool:
        return self.body is None


class FeedFetcher:
    """Fetches feeds over one shared, pooled keep-alive session."""

    def __init__(self, session: aiohttp.ClientSession, settings: FeedSettings) -> None:
        self._session = session
        self._settings = settings

    async def fetch(self, url: str, validators: Validators) -> FetchResult:
        timeout = aiohttp.ClientTimeout(total=self._settings.timeout_seconds)
        try:
            async with self._session.get(
                url, headers=validators.headers(), timeout=timeout, max_redirects=5
            ) as response:
                if response.status == 304:
                    # A 304 may refresh the validators; keep the old ones where it does not.
                    return FetchResult(304, None, _validators(response, validators), None)
                if response.status != 200:
                    raise FetchError(f"http_{response.status}", f"{url} answered {response.status}")
                body = await self._read_capped(response, url)
                return FetchResult(200, body, _validators(response, Validators()), response.content_type)
        except aiohttp.TooManyRedirects as exc:
            raise FetchError("redirects", f"{url}: too many redirects") from exc
        except TimeoutError as exc:
            raise FetchError("timeout", f"{url}: no complete answer in {self._settings.timeout_seconds}s") from exc
        except aiohttp.ClientError as exc:
            raise FetchError("connection", f"{url}: {exc}") from exc

    async def _read_capped(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        # Counted after decompression, so a small gzip bomb is cut off too.
        cap = self._settings.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > cap:
                raise FetchError("too_large", f"{url}: body exceeds {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _validators(response: aiohttp.ClientResponse, previous: Validators) -> Validators:
    return Validators(
        etag=response.headers.get("ETag", previous.etag),
        last_modified=response.headers.get("Last-Modified", previous.last_modified),
    )
