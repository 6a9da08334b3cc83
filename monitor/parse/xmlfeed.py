"""RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 documents → entries, with lxml.

Strict XML only (a document lxml rejects goes to feedparser's forgiving parser), read without
DTDs, network or entity expansion. Every field is HTML: Atom ``type="text"`` is escaped, so that
the normaliser turns every field into text the same way, and inline markup in a field (``<title>Test:
<b>bold</b></title>``) is kept as markup, not cut at the first element. Links are resolved against
``xml:base`` and the document's URL.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterator
from html.entities import html5
from typing import NamedTuple
from urllib.parse import urljoin

from lxml import etree

from monitor.parse.dates import parse_date
from monitor.parse.entry import FeedEntry

_ATOM10 = "http://www.w3.org/2005/Atom"
_ATOM03 = "http://purl.org/atom/ns#"
_RSS10 = "http://purl.org/rss/1.0/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XHTML = "http://www.w3.org/1999/xhtml"
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True, strip_cdata=True
)
# HTML's named entities (&nbsp; &mdash; &hellip; &laquo; …) are not XML's: undeclared, each one would
# make the document ill-formed. They become numeric references, which mean the same in XML and HTML.
_NAMED = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_NAMED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


class NotThisFormat(Exception):
    """The document is XML but none of the feed formats read here; feedparser may know it."""


class XmlFeed(NamedTuple):
    language: str | None
    ttl_minutes: int | None
    entries: tuple[FeedEntry, ...]
    skipped: tuple[str, ...]


def _numeric(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_NAMED:
        return match.group(0)
    value = html5.get(name.decode("ascii") + ";")
    if value is None:
        return match.group(0)
    return "".join(f"&#{ord(c)};" for c in value).encode("ascii")


def parse_xml(document: bytes, url: str) -> XmlFeed:
    """Raises etree.XMLSyntaxError for what is not well-formed, NotThisFormat for other XML."""
    if b"&" in document:
        document = _NAMED.sub(_numeric, document)
    root = etree.fromstring(document, _PARSER, base_url=url)
    name = etree.QName(root).localname.lower()
    if name == "rss":
        channel = _child(root, "channel")
        if channel is None:  # RSS 0.9x without a channel still has items, somewhere
            return _rss(root, root, root.iter("item"))
        return _rss(root, channel, channel.iterchildren("item"))
    if name == "rdf":
        return _rss(root, _child(root, "channel"), (e for e in root.iterchildren() if etree.QName(e).localname == "item"))
    if name == "feed":
        return _atom(root)
    raise NotThisFormat(f"root element {root.tag!r}")


def _child(parent: etree._Element | None, localname: str, namespaces: tuple[str | None, ...] = ()) -> etree._Element | None:
    if parent is None:
        return None
    for child in parent.iterchildren(tag=etree.Element):
        q = etree.QName(child)
        if q.localname == localname and (not namespaces or q.namespace in namespaces):
            return child
    return None


def _text(element: etree._Element | None) -> str:
    """Text content, with inline markup as HTML."""
    if element is None:
        return ""
    if len(element) == 0:
        return element.text or ""
    return (element.text or "") + "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)


def _resolved(element: etree._Element, link: str) -> str | None:
    link = link.strip()
    if not link:
        return None
    try:
        return urljoin(element.base or "", link)
    except ValueError:  # e.g. "http://h.c[o/": kept as written, the normaliser decides
        return link


def _language(element: etree._Element | None) -> str | None:
    return element.get(_XML_LANG) or None if element is not None else None


def _rss(root: etree._Element, channel: etree._Element | None, items: Iterator[etree._Element]) -> XmlFeed:
    language = _text(_child(channel, "language")).strip() or _language(channel) or _language(root) or None
    ttl = _text(_child(channel, "ttl")).strip()
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    for item in items:
        try:
            entries.append(_rss_item(item, language))
        except Exception as exc:  # noqa: BLE001 - one unreadable item must not lose the others
            skipped.append(f"item {len(entries) + len(skipped)}: {exc!r}"[:200])
    return XmlFeed(language.lower() if language else None, int(ttl) if ttl.isdigit() and len(ttl) < 7 else None, tuple(entries), tuple(skipped))


def _rss_item(item: etree._Element, feed_language: str | None) -> FeedEntry:
    guid_element = _child(item, "guid")
    guid = _text(guid_element).strip() or item.get(f"{{{_RDF}}}about") or None
    link = _text(_child(item, "link")).strip()
    if not link and guid and guid_element is not None and guid_element.get("isPermaLink", "true").lower() != "false" and "://" in guid:
        link = guid
    published = None
    for name, namespaces in (("pubDate", ()), ("date", (_DC,)), ("published", (_ATOM10,)), ("updated", (_ATOM10,)), ("issued", (_DC,))):
        if (published := parse_date(_text(_child(item, name, namespaces)))) is not None:
            break
    content = _child(item, "encoded", (_CONTENT,))
    return FeedEntry(
        guid=guid,
        link=_resolved(item, link) if link else None,
        title=_text(_child(item, "title")),
        summary_html=_text(_child(item, "description")),
        content_html=_text(content),
        published=published,
        language=_text(_child(item, "language", (_DC,))).strip() or _language(item) or feed_language,
    )


def _atom(root: etree._Element) -> XmlFeed:
    namespaces = (root.nsmap.get(None) or _ATOM10, _ATOM10, _ATOM03, None)
    language = _language(root)
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    for entry in root.iterchildren(tag=etree.Element):
        if etree.QName(entry).localname != "entry":
            continue
        try:
            entries.append(_atom_entry(entry, namespaces, language))
        except Exception as exc:  # noqa: BLE001 - one unreadable entry must not lose the others
            skipped.append(f"entry {len(entries) + len(skipped)}: {exc!r}"[:200])
    return XmlFeed(language.lower() if language else None, None, tuple(entries), tuple(skipped))


def _atom_entry(entry: etree._Element, namespaces: tuple[str | None, ...], feed_language: str | None) -> FeedEntry:
    link = None
    for candidate in entry.iterchildren(tag=etree.Element):
        if etree.QName(candidate).localname == "link" and candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
            link = _resolved(candidate, candidate.get("href", ""))
            break
    published = None
    for name in ("published", "updated", "issued", "modified", "created"):
        if (published := parse_date(_text(_child(entry, name, namespaces)))) is not None:
            break
    content = _child(entry, "content", namespaces)
    summary = _child(entry, "summary", namespaces)
    return FeedEntry(
        guid=_text(_child(entry, "id", namespaces)).strip() or None,
        link=link,
        title=_construct(_child(entry, "title", namespaces)),
        summary_html=_construct(summary),
        content_html=_construct(content) if content is not None and not content.get("src") else "",
        published=published,
        language=_language(content) or _language(summary) or _language(entry) or feed_language,
    )


def _construct(element: etree._Element | None) -> str:
    """An Atom text construct as HTML: text escaped, html as is, xhtml's inner markup."""
    if element is None:
        return ""
    kind = (element.get("type") or "text").lower()
    mode = (element.get("mode") or "").lower()  # Atom 0.3
    if mode == "base64":
        try:
            return html.escape(base64.b64decode(element.text or "").decode("utf-8", "replace"), quote=False)
        except (binascii.Error, ValueError):
            return ""
    if kind in ("xhtml", "application/xhtml+xml") or mode == "xml" or len(element):
        div = _child(element, "div", (_XHTML,)) if kind == "xhtml" else None
        return _text(div if div is not None and not (element.text or "").strip() else element)
    if kind in ("html", "text/html") or mode == "escaped":
        return element.text or ""
    return html.escape(element.text or "", quote=False)
