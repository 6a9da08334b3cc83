"""SSRF guard: literal addresses are checked before connecting, names on the
addresses they resolve to."""

from __future__ import annotations

import pytest

from streams.deliver.exceptions import BlockedAddress
from streams.deliver.guard import PublicOnlyResolver, check_literal, connector_options, is_public


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False), ("10.1.2.3", False),
     ("192.168.0.1", False), ("169.254.169.254", False), ("::1", False), ("fe80::1%eth0", False),
     ("::ffff:127.0.0.1", False), ("100.64.0.1", False)],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data"])
def test_private_literal_urls_are_refused(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_literal(url)


def test_public_literals_and_names_pass_the_literal_check() -> None:
    check_literal("https://8.8.8.8/hook")
    check_literal("https://hooks.example.org/hook")  # a name: the resolver decides


async def test_a_name_resolving_to_loopback_is_refused() -> None:
    resolver = PublicOnlyResolver()
    try:
        with pytest.raises(BlockedAddress, match="localhost resolves to no public address"):
            await resolver.resolve("localhost", 80)
    finally:
        await resolver.close()


async def test_the_guard_is_off_only_when_private_addresses_are_allowed() -> None:
    assert connector_options(True) == {}
    resolver = connector_options(False)["resolver"]
    assert isinstance(resolver, PublicOnlyResolver)
    await resolver.close()
