"""SSRF guard: webhook URLs may not reach private, loopback or link-local
addresses unless ``webhooks.allow_private_addresses`` is set.

The check is on the addresses actually connected to (a resolver wrapper), so
a name that resolves to 127.0.0.1, or re-resolves to it later, is refused too.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from streams.deliver.exceptions import BlockedAddress


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


def check_literal(url: str) -> None:
    """aiohttp connects to a literal IP without asking the resolver: check it here."""
    host = URL(url).host or ""
    try:
        public = is_public(host)
    except ValueError:
        return  # a name: the resolver checks it
    if not public:
        raise BlockedAddress(f"{host} is not a public address")


class PublicOnlyResolver(AbstractResolver):
    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = [r for r in await self._inner.resolve(host, port, family) if is_public(r["host"])]
        if not results:
            raise BlockedAddress(f"{host} resolves to no public address")
        return results

    async def close(self) -> None:
        await self._inner.close()


def connector_options(allow_private: bool) -> dict[str, Any]:
    return {} if allow_private else {"resolver": PublicOnlyResolver()}
