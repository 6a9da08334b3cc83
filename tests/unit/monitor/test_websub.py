"""WebSub: discovery in Link headers and documents, X-Hub-Signature, and language detection."""

from __future__ import annotations

import pytest

from monitor.normalise.language import detect_language
from monitor.websub import Advertised, discover, sign, valid_signature

HUB, SELF = "https://hub.example/", "https://news.example/feed.xml"
ATOM = f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<link rel="alternate" href="https://news.example/"/><link rel="hub" href="{HUB}"/><link rel="self" href="{SELF}"/>
<entry><id>1</id><link rel="hub" href="https://wrong.example/"/></entry></feed>""".encode()
RSS = f"""<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
<atom:link rel="self" type="application/rss+xml" href="/feed.xml"/><atom:link rel="hub" href="{HUB}"/>
<item><guid>1</guid></item></channel></rss>""".encode()


def test_hub_and_self_are_found_in_atom_and_in_rss_channels() -> None:
    assert discover(ATOM, "https://news.example/atom") == Advertised(HUB, SELF)
    assert discover(RSS, "https://news.example/x") == Advertised(HUB, SELF)  # relative self resolved


def test_link_headers_come_first_and_a_feed_without_hub_or_self_has_none() -> None:
    header = '<https://other-hub.example/>; rel="hub", </topic>; rel="self alternate"'
    assert discover(ATOM, "https://news.example/atom", header) == Advertised("https://other-hub.example/", "https://news.example/topic")
    assert discover(b"<rss version='2.0'><channel><title>t</title><item/></channel></rss>", SELF) is None
    only_hub = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><link rel="hub" href="{HUB}"/></feed>'.encode()
    assert discover(only_hub, SELF) is None
    assert discover(b"not xml at all", SELF, '<javascript:x>; rel="hub", <https://a/>; rel="self"') is None


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_signatures_of_every_recognised_method_verify_and_any_change_fails(method: str) -> None:
    body = b"<feed>...</feed>"
    header = sign(body, "s3cret", method)
    assert header.startswith(f"{method}=") and valid_signature(body, header, "s3cret")
    assert not valid_signature(body + b" ", header, "s3cret")
    assert not valid_signature(body, header, "other")


def test_unknown_methods_and_malformed_signatures_fail() -> None:
    body = b"x"
    assert not valid_signature(body, "md5=" + sign(body, "k").partition("=")[2], "k")
    assert not valid_signature(body, "sha256", "k")
    assert not valid_signature(body, "", "k")
    assert not valid_signature(body, None, "k")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Уночі росіяни атакували Україну 539 дронами та 11 ракетами", "uk"),
        ("Ночью Россия атаковала Украину 539 беспилотниками и 11 ракетами", "ru"),
        ("Russia launched 539 drones and 11 missiles at Ukraine overnight", "en"),
        ("539 / 476", None),
    ],
)
def test_language_is_detected_from_the_text_or_left_unknown(text: str, language: str | None) -> None:
    assert detect_language(text) == language
