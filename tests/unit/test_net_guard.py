"""The one private-address guard: literal addresses are checked before connecting,
names on the addresses they resolve to; IPv6 forms embedding an IPv4 address are
judged by that address."""

from __future__ import annotations

import pytest

from tocsin.net.guard import BlockedAddress, GuardedResolver, check_literal, connector_options, is_public


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False), ("10.1.2.3", False),
     ("192.168.0.1", False), ("169.254.169.254", False), ("::1", False), ("fe80::1%eth0", False),
     ("100.64.0.1", False), ("0.0.0.0", False), ("::", False), ("224.0.0.1", False), ("ff02::1", False),
     ("[::1]", False)],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


# Each IPv6 form that carries an IPv4 address: the private one refused, the public one (where the form is routable) let through.
@pytest.mark.parametrize(
    ("form", "private", "public"),
    [
        ("IPv4-mapped", "::ffff:127.0.0.1", "::ffff:8.8.8.8"),
        ("IPv4-mapped, hex", "::ffff:a9fe:a9fe", "::ffff:808:808"),
        ("IPv4-compatible", "::127.0.0.1", None),
        ("IPv4-compatible, hex", "::a00:1", None),
        ("NAT64 well-known", "64:ff9b::127.0.0.1", "64:ff9b::8.8.8.8"),
        ("NAT64 well-known, metadata", "64:ff9b::a9fe:a9fe", None),
        ("NAT64 local-use", "64:ff9b:1::7f00:1", None),
        ("6to4", "2002:7f00:1::1", "2002:808:808::1"),
        ("6to4, private range", "2002:c0a8:101::1", None),
        ("Teredo, loopback client", "2001:0:4136:e378:8000:63bf:80ff:fffe", None),
        ("Teredo, private server", "2001:0:a00:1:8000:63bf:f7f7:f7f7", None),
    ],
)
def test_ipv6_forms_embedding_a_private_ipv4_are_refused(form: str, private: str, public: str | None) -> None:
    assert not is_public(private), form
    with pytest.raises(BlockedAddress):
        check_literal(private)
    with pytest.raises(BlockedAddress):
        check_literal(f"[{private}]")
    if public is not None:
        assert is_public(public), form


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "169.254.169.254", "239.1.2.3"])
def test_private_literal_hosts_are_refused(host: str) -> None:
    with pytest.raises(BlockedAddress):
        check_literal(host)


def test_public_literals_and_names_pass_the_literal_check() -> None:
    check_literal("8.8.8.8")
    check_literal("hooks.example.org")  # a name: the resolver decides


async def test_a_name_resolving_to_loopback_is_refused() -> None:
    resolver = GuardedResolver()
    try:
        with pytest.raises(BlockedAddress, match="localhost resolves to no public address"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()


async def test_the_guard_is_off_only_when_private_addresses_are_allowed() -> None:
    assert connector_options(True) == {}
    resolver = connector_options(False)["resolver"]
    assert isinstance(resolver, GuardedResolver)
    await resolver.close()
