"""WebSub discovery: the hub and the topic ("self") a feed advertises. Pure.

HTTP ``Link`` headers first (WebSub §4: they work for any content type), else the document's own
``<link rel="hub">``/``<link rel="self">`` (Atom, or ``atom:link`` in an RSS channel). Only the
document's head is read: the links come before the items, and this runs on a feed's polls until
a subscription holds.
"""

from __future__ import annotations

import io
import re
from typing import NamedTuple
from urllib.parse import urljoin

from lxml import etree

_ATOM = "{http://www.w3.org/2005/Atom}"
_LINK_VALUE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]*)*)")
_REL = re.compile(r"""(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;"]+))""", re.IGNORECASE)
_ITEMS = frozenset({"item", f"{_ATOM}entry", "entry", "{http://purl.org/rss/1.0/}item"})


class Advertised(NamedTuple):
    hub: str
    topic: str


def discover(body: bytes, url: str, link_header: str | None = None) -> Advertised | None:
    """The first advertised hub with the topic URL, or None when the feed names no hub or no self."""
    hubs, selves = _from_header(link_header, url) if link_header else ([], [])
    if not hubs or not selves:
        doc_hubs, doc_selves = _from_document(body, url)
        hubs, selves = hubs or doc_hubs, selves or doc_selves
    if not hubs or not selves:
        return None
    return Advertised(hubs[0], selves[0])


def _from_header(header: str, base: str) -> tuple[list[str], list[str]]:
    hubs: list[str] = []
    selves: list[str] = []
    for match in _LINK_VALUE.finditer(header):
        target = urljoin(base, match.group(1).strip())
        for rel in _REL.finditer(match.group(2)):
            names = (rel.group(1) or rel.group(2) or "").lower().split()
            if "hub" in names:
                hubs.append(target)
            if "self" in names:
                selves.append(target)
    return _web(hubs), _web(selves)


def _from_document(body: bytes, base: str) -> tuple[list[str], list[str]]:
    hubs: list[str] = []
    selves: list[str] = []
    try:
        for _, element in etree.iterparse(io.BytesIO(body), events=("start",), resolve_entities=False, no_network=True, load_dtd=False, recover=True):
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag in _ITEMS:
                break
            if tag in ("link", f"{_ATOM}link") and (href := element.get("href")):
                rels = (element.get("rel") or "").lower().split()
                if "hub" in rels:
                    hubs.append(urljoin(base, href.strip()))
                if "self" in rels:
                    selves.append(urljoin(base, href.strip()))
    except etree.Error:
        pass  # what was read before the error still counts
    return _web(hubs), _web(selves)


def _web(urls: list[str]) -> list[str]:
    return [u for u in dict.fromkeys(urls) if u.startswith(("http://", "https://"))]
