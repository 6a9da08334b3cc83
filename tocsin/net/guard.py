"""The one private-address (SSRF) guard, for feeds, full-text pages and webhooks.

An address is refused unless it is globally routable unicast. IPv6 forms that
carry an IPv4 address inside (IPv4-mapped, IPv4-compatible, NAT64, 6to4,
Teredo) are judged by that IPv4 address too: ``64:ff9b::7f00:1`` reaches
127.0.0.1 through a NAT64 gateway as surely as the literal does. The check is
on the addresses actually connected to (a resolver wrapper), so a name that
resolves, or later re-resolves, inside is refused as well.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from tocsin.errors import TocsinError

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# RFC 8215's local-use NAT64 prefix: where the IPv4 part sits depends on the operator's prefix
# length, so nothing under it can be told public.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(TocsinError, OSError):
    """A URL leads to an address the guard refuses.

    An OSError too, so that it travels through aiohttp's resolver handling
    (the connector wraps it in ClientConnectorError.os_error)."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if ip in _IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client)
    return found


def _routable(ip: IPAddress) -> bool:
    return ip.is_global and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified


def is_public(address: str) -> bool:
    """True for a globally routable unicast address. Raises ValueError for a name."""
    ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _routable(ip)
    if ip in _LOCAL_NAT64:
        return False
    if ip.ipv4_mapped is not None:
        # What a dual-stack socket reports for IPv4: the IPv4 address alone decides.
        return _routable(ip.ipv4_mapped)
    if ip in _NAT64:
        # DNS64 gives every IPv4-only host such an address (Python calls ::/8 reserved): the IPv4 part decides.
        return _routable(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
    return _routable(ip) and all(_routable(v4) for v4 in _embedded_ipv4(ip))


def check_literal(host: str) -> None:
    """aiohttp connects to an IP literal without asking the resolver: such hosts are checked here.
    A name passes (the resolver checks what it resolves to)."""
    try:
        public = is_public(host)
    except ValueError:
        return
    if not public:
        raise BlockedAddress(f"{host} is not a public address")


class GuardedResolver(AbstractResolver):
    """Resolves, then keeps only public addresses; none left is a BlockedAddress."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = [r for r in await self._inner.resolve(host, port, family) if is_public(r["host"])]
        if not results:
            raise BlockedAddress(f"{host} resolves to no public address")
        return results

    async def close(self, *args: Any) -> None:
        await self._inner.close()


def connector_options(allow_private: bool) -> dict[str, Any]:
    """TCPConnector keyword arguments: the guarded resolver unless private addresses are allowed."""
    return {} if allow_private else {"resolver": GuardedResolver()}
