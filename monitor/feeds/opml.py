"""OPML subscription lists → feed configs. Pure; entities are never resolved."""

from __future__ import annotations

from lxml import etree
from pydantic import ValidationError

from monitor.exceptions import ParseError
from tocsin.net.urls import without_credentials
from tocsin.settings import FeedConfig

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def feeds_from_opml(document: bytes) -> list[FeedConfig]:
    try:
        root = etree.fromstring(document, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not OPML: {exc}") from exc
    feeds: dict[str, FeedConfig] = {}
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl")
        if not url:
            continue
        # Folders become tags, as feed readers use them.
        tags = [o.get("text") or o.get("title") for o in outline.iterancestors("outline")]
        try:
            feed = FeedConfig(
                url=url,
                name=outline.get("title") or outline.get("text") or None,
                language=outline.get("language") or None,
                tags=[t for t in tags if t],
            )
        except ValidationError as exc:
            raise ParseError(f"OPML outline {without_credentials(url)!r}: {exc.errors()[0]['msg']}") from exc
        feeds.setdefault(feed.url, feed)
    return list(feeds.values())
