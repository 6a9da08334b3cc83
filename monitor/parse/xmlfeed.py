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
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import lru_cache
from html.entities import html5
from typing import NamedTuple
from urllib.parse import urljoin

from lxml import etree

from monitor.parse.dates import parse_date
from monitor.parse.entry import Entry, FeedEntry

_ATOM10 = "http://www.w3.org/2005/Atom"
_ATOM10_PREFIX = "{" + _ATOM10 + "}"
_ATOM03 = "http://purl.org/atom/ns#"
_RSS10 = "http://purl.org/rss/1.0/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XHTML = "http://www.w3.org/1999/xhtml"
# Publishers spell iTunes' namespace in several cases; feedparser matches namespaces case-insensitively.
_ITUNES = (
    "http://www.itunes.com/dtds/podcast-1.0.dtd", "http://www.itunes.com/DTDs/Podcast-1.0.dtd", "http://www.itunes.com/DTDs/PodCast-1.0.dtd"
)
_MEDIA = "http://search.yahoo.com/mrss/"
_MEDIA_PREFIX = "{" + _MEDIA + "}"
_MEDIA_GROUP = _MEDIA_PREFIX + "group"
# Elements whose Media RSS children (media:title, media:description) describe the item when the item
# itself has none: feedparser and gofeed read them there too.
_MEDIA_HOLDERS = frozenset({_MEDIA_GROUP, _MEDIA_PREFIX + "content", "enclosure"})
# RSS's own elements: no namespace, or one of the namespaces RSS 0.90/1.0 and old 2.0 feeds used.
_RSS = (
    None, _RSS10, "http://my.netscape.com/rdf/simple/0.9/", "http://channel.netscape.com/rdf/simple/0.9/",
    "http://backend.userland.com/rss2", "http://backend.userland.com/rss", "http://purl.org/net/rss1.1#",
)
# Where RSS items put their text besides <description> and <content:encoded>, in order of preference.
_RSS_DATES = (
    ("pubDate", _RSS), ("date", (_DC, _DCTERMS)), ("published", (_ATOM10,)), ("updated", (_ATOM10,)),
    ("issued", (_DC, _DCTERMS)), ("created", (_DCTERMS,)), ("modified", (_DCTERMS,)),
)
_RSS_BODIES = (("encoded", (_CONTENT,)), ("body", (None, _XHTML)), ("fullitem", (None,)), ("content", (_ATOM10,)))
_RSS_TITLES = (("title", _RSS), ("title", (_MEDIA, *_ITUNES, _DC)))
_RSS_SUMMARIES = (("description", _RSS), ("description", (_DC,)), ("summary", (*_ITUNES, _ATOM10, None)), ("description", (_MEDIA,)))
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|acronym|b|big|blockquote|br|cite|code|del|div|em|font|h[1-6]|hr|i|img|ins|li|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|td|th|tr|tt|u|ul)\b[^>]*>"
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});",
    re.IGNORECASE,
)
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True, strip_cdata=True
)
# HTML's named entities (&nbsp; &mdash; &hellip; &laquo; …) are not XML's: undeclared, each one would
# make the document ill-formed. They become numeric references, which mean the same in XML and HTML.
_NAMED = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]{1,31});")
_XML_NAMED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)


_BINARY = ("image/", "audio/", "video/", "application/octet-stream", "application/pdf", "application/zip")


class NotThisFormat(Exception):
    """The document is XML but none of the feed formats read here; feedparser may know it."""


class XmlFeed(NamedTuple):
    language: str | None
    ttl_minutes: int | None
    entries: tuple[Entry, ...]
    skipped: tuple[str, ...]


def _numeric(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _XML_NAMED:
        return match.group(0)
    value = html5.get(name.decode("ascii") + ";")
    if value is None:
        return match.group(0)
    return "".join(f"&#{ord(c)};" for c in value).encode("ascii")


def _with_numeric_entities(document: bytes) -> bytes:
    """Outside CDATA only: inside, "&nbsp;" is literally those six characters (HTML that the
    normaliser unescapes, or text that must stay as written)."""
    if b"<![CDATA[" not in document:
        return _NAMED.sub(_numeric, document)
    parts = _CDATA.split(document)
    return b"".join(part if n % 2 else _NAMED.sub(_numeric, part) for n, part in enumerate(parts))


def parse_xml(document: bytes, url: str) -> XmlFeed:
    """Raises etree.XMLSyntaxError for what is not well-formed, NotThisFormat for other XML."""
    if b"&" in document:
        document = _with_numeric_entities(document)
    root = etree.fromstring(document, _PARSER, base_url=url)
    name = etree.QName(root).localname.lower()
    if name == "rss":
        channel = _child(root, "channel")
        if channel is None:  # RSS 0.9x without a channel still has items, somewhere
            return _rss(root, root, (e for e in root.iter(tag=etree.Element) if _is_item(e.tag)))
        return _rss(root, channel, (e for e in channel.iterchildren(tag=etree.Element) if _is_item(e.tag)))
    if name == "rdf":
        # Items belong beside the channel; some feeds put them inside it.
        return _rss(root, _child(root, "channel"), (e for e in root.iter(tag=etree.Element) if _is_item(e.tag)))
    if name == "feed":
        return _atom(root)
    raise NotThisFormat(f"root element {root.tag!r}")


def _is_item(tag: str) -> bool:
    return tag == "item" or tag.endswith("}item")


class _Kids:
    """An element's child elements by tag, first of each: every field of an item is looked up
    here in a dict instead of by walking the item's children (once per field, that was most of
    the parse time)."""

    __slots__ = ("by_local", "by_tag")

    def __init__(self, parent: etree._Element, skip: Callable[[str], bool] | None = None) -> None:
        self.by_tag: dict[str, etree._Element] = {}
        self.by_local: dict[str, etree._Element] = {}
        for child in parent.iterchildren(tag=etree.Element):
            tag = child.tag
            if skip is not None and skip(tag):
                continue
            self.by_tag.setdefault(tag, child)
            self.by_local.setdefault(tag.rpartition("}")[2], child)

    def get(self, localname: str, namespaces: tuple[str | None, ...]) -> etree._Element | None:
        return self.find(_tags(localname, namespaces)) if namespaces else self.by_local.get(localname)

    def find(self, tags: tuple[str, ...]) -> etree._Element | None:
        for tag in tags:
            if (element := self.by_tag.get(tag)) is not None:
                return element
        return None


@lru_cache(maxsize=256)
def _tags(localname: str, namespaces: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(localname if ns is None else f"{{{ns}}}{localname}" for ns in namespaces)


def _child(parent: etree._Element | _Kids | None, localname: str, namespaces: tuple[str | None, ...] = ()) -> etree._Element | None:
    """The first child element of that local name in the first of those namespaces (any, if none given)."""
    if parent is None:
        return None
    return (parent if isinstance(parent, _Kids) else _Kids(parent)).get(localname, namespaces)


def _first(parent: etree._Element | _Kids | None, choices: tuple[tuple[str, tuple[str | None, ...]], ...]) -> etree._Element | None:
    """The first non-empty of several elements (each by local name and namespaces), in order of preference;
    Media RSS's may sit in a <media:group>."""
    if parent is None:
        return None
    kids = parent if isinstance(parent, _Kids) else _Kids(parent)
    for tag in _choice_tags(choices):
        element = kids.by_tag.get(tag)
        if element is None and tag.startswith(_MEDIA_PREFIX) and (group := kids.by_tag.get(_MEDIA_GROUP)) is not None:
            element = group.find(tag)
        if element is not None and (len(element) or (element.text or "").strip()):
            return element
    return None


@lru_cache(maxsize=64)
def _choice_tags(choices: tuple[tuple[str, tuple[str | None, ...]], ...]) -> tuple[str, ...]:
    return tuple(tag for localname, namespaces in choices for tag in _tags(localname, namespaces))


def _text(element: etree._Element | None) -> str:
    """Text content as HTML: an element's text is its HTML (escaped in the XML, or CDATA), unless
    it holds elements too: then it is markup, written out, with its text escaped as markup's is."""
    if element is None:
        return ""
    if len(element) == 0:
        return element.text or ""
    return _markup(element)


def _markup(element: etree._Element) -> str:
    return html.escape(element.text or "", quote=False) + "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)


def _plain(element: etree._Element | None) -> str:
    """A field RSS defines as text (a title) that publishers fill with HTML or with text that merely
    contains "<": as HTML only when it looks like HTML (a known tag or an entity), the way feedparser reads it."""
    if element is None:
        return ""
    if len(element):
        return _markup(element)
    value = element.text or ""
    return value if ("<" not in value and "&" not in value) or _HTML_TAG.search(value) else html.escape(value, quote=False)


def _resolved(element: etree._Element, link: str) -> str | None:
    link = link.strip()
    if not link:
        return None
    if link.startswith(("http://", "https://")):  # absolute already (the usual case): no base to apply
        return link
    try:
        return urljoin(element.base or "", link)
    except ValueError:  # e.g. "http://h.c[o/": kept as written, the normaliser decides
        return link


def _language(element: etree._Element | None) -> str | None:
    return element.get(_XML_LANG) or None if element is not None else None


def _rss(root: etree._Element, channel: etree._Element | None, items: Iterator[etree._Element]) -> XmlFeed:
    # The channel's own elements only (not its items): a feed's <ttl> and <language>.
    kids = _Kids(channel, skip=_is_item) if channel is not None else None
    language = _text(_first(kids, (("language", _RSS), ("language", (_DC,))))).strip() if kids is not None else ""
    language = language or _language(channel) or _language(root) or None
    ttl = _text(_child(kids, "ttl", _RSS)).strip()
    entries: list[Entry] = []
    skipped: list[str] = []
    for item in items:
        try:
            entries.append(_RssEntry(item, language))
        except Exception as exc:  # noqa: BLE001 - one unreadable item must not lose the others
            skipped.append(f"item {len(entries) + len(skipped)}: {exc!r}"[:200])
    return XmlFeed(language.lower() if language else None, int(ttl) if ttl.isdigit() and len(ttl) < 7 else None, tuple(entries), tuple(skipped))


# Each tag an RSS item's fields may come from → (field, rank: lower is preferred), worked out once:
# an item's children are then read in one pass of dictionary lookups.
_RSS_FIELDS: dict[str, tuple[tuple[str, tuple[str | None, ...]], ...]] = {
    "date": _RSS_DATES,
    "body": _RSS_BODIES,
    "title": _RSS_TITLES,
    "summary": _RSS_SUMMARIES,
    "language": (("language", (_DC,)),),
}


def _slots(fields: dict[str, tuple[tuple[str, tuple[str | None, ...]], ...]]) -> dict[str, tuple[str, int]]:
    slots: dict[str, tuple[str, int]] = {}
    for field, choices in fields.items():
        for rank, tag in enumerate(_choice_tags(choices)):
            slots.setdefault(tag, (field, rank))
    return slots


_RSS_SLOTS = _slots(_RSS_FIELDS)
_ID_RANKS = {tag: rank for tags in (_tags("guid", _RSS), _tags("link", _RSS)) for rank, tag in enumerate(tags)}
_TEXT_FIELDS = frozenset({"title", "summary", "body"})  # an empty one gives way to the next choice


def _rss_ids(item: etree._Element) -> tuple[str | None, str | None]:
    """An item's GUID and link: all the poller needs of an item it has already published."""
    guid_element = link_element = None
    guid_rank = link_rank = len(_RSS)
    for child in item:
        if (rank := _ID_RANKS.get(child.tag)) is None:  # comments and PIs have a function as tag: no match either
            continue
        if child.tag.endswith("guid"):
            if rank < guid_rank:
                guid_element, guid_rank = child, rank
        elif rank < link_rank:
            link_element, link_rank = child, rank
    guid = _text(guid_element).strip() or item.get(f"{{{_RDF}}}about") or None
    link = _text(link_element).strip()
    if not link and guid and guid_element is not None and guid_element.get("isPermaLink", "true").lower() != "false" and "://" in guid:
        link = guid
    return guid, _resolved(item, link) if link else None


class _RssEntry:
    """An RSS item read on demand: its ids at once, its text only when asked. Most items of a
    changed document were published before, and the poller recognises them by id alone."""

    __slots__ = ("_entry", "_feed_language", "_item", "guid", "link")

    def __init__(self, item: etree._Element, feed_language: str | None) -> None:
        self._item = item
        self._feed_language = feed_language
        self._entry: FeedEntry | None = None
        self.guid, self.link = _rss_ids(item)

    def _read(self) -> FeedEntry:
        if self._entry is None:
            self._entry = _rss_item(self._item, self.guid, self.link, self._feed_language)
        return self._entry

    @property
    def title(self) -> str:
        return self._read().title

    @property
    def summary_html(self) -> str:
        return self._read().summary_html

    @property
    def content_html(self) -> str:
        return self._read().content_html

    @property
    def published(self) -> datetime | None:
        return self._read().published

    @property
    def language(self) -> str | None:
        return self._read().language


def _rss_item(item: etree._Element, guid: str | None, link: str | None, feed_language: str | None) -> FeedEntry:
    best: dict[str, tuple[int, etree._Element]] = {}
    dates: list[tuple[int, etree._Element]] = []
    summaries: list[etree._Element] = []
    children = list(item.iterchildren(tag=etree.Element))
    for child in children:
        if child.tag in _MEDIA_HOLDERS:
            children.extend(c for c in child.iterchildren(tag=etree.Element) if c.tag.startswith(_MEDIA_PREFIX))
        if (slot := _RSS_SLOTS.get(child.tag)) is None:
            continue
        field, rank = slot
        if field == "date":
            dates.append((rank, child))
        elif field == "summary":
            if len(child) or (child.text or "").strip():
                summaries.append(child)
        elif (held := best.get(field)) is None or rank < held[0]:
            if field not in _TEXT_FIELDS or len(child) or (child.text or "").strip():
                best[field] = (rank, child)
    found = {field: element for field, (_, element) in best.items()}
    published = None
    for _, element in sorted(dates, key=lambda d: d[0]) if len(dates) > 1 else dates:
        if (published := parse_date(_text(element))) is not None:
            break
    summary, content = _summary_and_body(summaries, found.get("body"))
    if content is None:
        content_html = ""
    elif content.tag.startswith(_ATOM10_PREFIX):
        content_html = _construct(content)
    else:
        content_html = _markup(content) if content.tag.endswith("body") else _text(content)
    return FeedEntry(
        guid=guid,
        link=link,
        title=_plain(found.get("title")),
        summary_html=_text(summary),
        content_html=content_html,
        published=published,
        language=_text(found.get("language")).strip() or _language(item) or feed_language,
    )


def _atom(root: etree._Element) -> XmlFeed:
    namespaces = (root.nsmap.get(None) or _ATOM10, _ATOM10, _ATOM03, None)
    language = _language(root)
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    for entry in root.iterchildren(tag=etree.Element):
        if etree.QName(entry).localname not in ("entry", "item"):  # "item": Atom 0.3 feeds written like RSS
            continue
        try:
            entries.append(_atom_entry(entry, namespaces, language))
        except Exception as exc:  # noqa: BLE001 - one unreadable entry must not lose the others
            skipped.append(f"entry {len(entries) + len(skipped)}: {exc!r}"[:200])
    return XmlFeed(language.lower() if language else None, None, tuple(entries), tuple(skipped))


def _atom_entry(entry: etree._Element, namespaces: tuple[str | None, ...], feed_language: str | None) -> FeedEntry:
    link = None
    for candidate in entry.iterchildren(tag=etree.Element):
        if etree.QName(candidate).localname == "link" and candidate.get("rel", "alternate") == "alternate":
            # Atom 0.3 feeds in the wild write the address as the element's text.
            if href := (candidate.get("href") or candidate.text or "").strip():
                link = _resolved(candidate, href)
                break
    published = None
    kids = _Kids(entry)
    for name in ("published", "updated", "issued", "modified", "created"):
        if (published := parse_date(_text(_child(kids, name, namespaces)))) is not None:
            break
    summary_tags = _choice_tags((("summary", namespaces), ("description", (_MEDIA, _DC)), ("summary", _ITUNES)))
    candidates = [*entry.iterchildren(*summary_tags), *(e for g in entry.iterchildren(_MEDIA_GROUP) for e in g.iterchildren(*summary_tags))]
    summaries = [e for e in candidates if len(e) or (e.text or "").strip()]
    summary, content = _summary_and_body(summaries, _child(kids, "content", namespaces))
    guid = _text(_child(kids, "id", namespaces)).strip() or None
    if link is None and guid and guid.lower().startswith(("http://", "https://")):
        link = guid  # an entry without a link whose id is its address (a common Atom style)
    return FeedEntry(
        guid=guid,
        link=link,
        title=_construct(_child(kids, "title", namespaces)),
        summary_html=_construct(summary),
        # With src, the body is elsewhere; text written inside anyway is still the publisher's, kept as feedparser does.
        content_html=_construct(content),
        published=published,
        language=_language(content) or _language(summary) or _language(entry) or feed_language,
    )


def _summary_and_body(summaries: list[etree._Element], body: etree._Element | None) -> tuple[etree._Element | None, etree._Element | None]:
    """Of several summary-like elements (description, summary, itunes:summary, media:description), the
    first in the document is the summary and, where there is no body, the second is the body: feedparser's
    rule, which loses neither of two texts a publisher wrote."""
    summary = summaries[0] if summaries else None
    if body is None and len(summaries) > 1:
        body = summaries[1]
    return summary, body


def _construct(element: etree._Element | None) -> str:
    """An Atom text construct as HTML: text escaped, html as is, xhtml's inner markup."""
    if element is None:
        return ""
    kind = (element.get("type") or "text").lower()
    mode = (element.get("mode") or "").lower()  # Atom 0.3
    # Atom 1.0: any other media type than text, html, xhtml, text/* and XML is base64.
    encoded = mode == "base64" or (
        kind not in ("text", "html", "xhtml") and not kind.startswith("text/") and not kind.endswith("xml") and not len(element)
    )
    if encoded:  # text only if it is text: an image's bytes are no article's
        try:
            decoded = base64.b64decode("".join((element.text or "").split()), validate=True).decode("utf-8")
        except binascii.Error:  # not base64 after all: publishers label text with any media type
            return html.escape(element.text or "", quote=False)
        except ValueError:  # bytes that are not UTF-8: an image's are no article's; any other type's are text as written
            return "" if kind.startswith(_BINARY) else html.escape(element.text or "", quote=False)
        return decoded if "html" in kind or "xml" in kind else html.escape(decoded, quote=False)
    if kind in ("xhtml", "application/xhtml+xml") or mode == "xml" or len(element):
        div = _child(element, "div", (_XHTML,)) if kind == "xhtml" else None
        return _markup(div if div is not None and not (element.text or "").strip() else element)
    if kind in ("html", "text/html") or mode == "escaped":
        return element.text or ""
    return html.escape(element.text or "", quote=False)
