"""Refuses private, loopback, link-local and other internal addresses, checked after DNS
resolution so a public name pointing inside (or a redirect to one) is refused too."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from monitor.exceptions import BlockedAddressError


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_literal(host: str) -> None:
    """aiohttp skips the resolver for IP literals, so those are checked here."""
    try:
        internal = is_internal(host.strip("[]"))
    except ValueError:
        return  # a name: the resolver checks it
    if internal:
        raise BlockedAddressError(f"{host} is not a public address")


class InternalOnlyError(OSError):
    """Raised inside aiohttp's connector (which expects OSError from a resolver)."""


class GuardedResolver(AbstractResolver):
    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        public = [r for r in results if not is_internal(r["host"])]
        if not public:
            raise InternalOnlyError(f"{host} resolves only to internal addresses")
        return public

    async def close(self, *args: Any) -> None:
        await self._inner.close()
