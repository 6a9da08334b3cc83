"""Conformance of the feed path against other projects' feed test suites.

Every document of the suites cached under ``--cache`` (see bench/README.md for how the cache is
filled) goes through the poller's own path: a FetchResult with the response headers the peer's test
declares → parse → normalise (``monitor.digest.digest_document``). What comes out is compared with
the peer's machine-readable expectation where there is one (gofeed's expected JSON and feed-rs's
``.serde.json``: entry count and titles) and otherwise with feedparser's reading of the same bytes and headers. Prints per corpus:

  documents, crashes (an exception out of the path), entries_missing (documents with fewer articles
  than the expected stories: see ``_stories`` for how the reference's entries are counted), wrong_<field> (entries whose title/link/id/date/summary/content differ),
  charset_losses (documents whose text has U+FFFD or mojibake the reference has not), text_cuts
  (documents with a field cut short: ours a strict prefix of the reference), empty_as_error (valid
  feeds without entries reported as an error), and the fast path's speed against feedparser on the
  documents of at least 10 KB.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import etree

from monitor.digest import digest_document
from monitor.exceptions import ParseError
from monitor.fetch import FetchResult, Validators
from monitor.normalise import ArticleNormaliser, canonical_url, html_to_text
from monitor.normalise.articles import digest
from monitor.parse import parse_feed
from tocsin.records import Article
from tocsin.settings import FeedConfig

SUITES = ("feedparser", "gofeed", "miniflux", "feed-rs", "rss", "atom", "feedvalidator")
FIELDS = ("title", "link", "id", "date", "summary", "content")
_HEADER = re.compile(r"^Header:\s*([A-Za-z-]+):\s*(.+?)\s*$", re.MULTILINE)
# Where feedparser's reading is not the document's, said by the peer's own test or by HTML: the bench
# compares what the document says. Reasons are kept next to each so that the list stays short and honest.
# Entries feedparser tells apart only by a field it misreads (so it counts one story twice):
_FEEDPARSER_SAME_ENTRIES = {
    f"tests/wellformed/{atom}/{name}.xml": "link: feedparser takes the text of an href-less rel=enclosure link as the link; the test's Expect says both entries' link is the alternate one"
    for atom in ("atom", "atom10")
    for name in ("entry_link_no_href_link_priority", "entry_link_rel_enclosure_no_href")
} | {"tests/wellformed/node_precedence/atom10_id.xml": "link: feedparser derives one entry's link from the <id> inside its <image>; the test's Expect says both ids are 'Correct Value'"}
# Fields feedparser fills from what is not the item's:
_FEEDPARSER_NOT_THE_ITEMS = {
    "tests/wellformed/rss/item_category_image.xml": ("title", "the title of an <image> inside a <category>, not the item's (the item has none)"),
    "tests/wellformed/rss/item_description_not_a_doctype.xml": ("summary", "the HTML `<!' <a href=\"foo\">` is a bogus comment to an HTML5 parser (a browser shows nothing), feedparser shows `<!'`"),
}
# Media types whose content is bytes (an image): feedparser hands out their base64 as text, the poller no text.
_BINARY = ("image/", "audio/", "video/")
_ITEM = re.compile(rb"<(?:[A-Za-z0-9_-]+:)?(?:item|entry)[\s>]")
_MOJIBAKE = re.compile("[ÃÂÐÑ][\u0080-\u00bf]|\ufffd")
_GO_RAW = re.compile(r"`(\s*(?:<\?xml|<rss|<feed|<rdf:RDF|\{\s*\"version\")[^`]*)`")
_GO_CHARSET_CASE = re.compile(r'os\.Open\("(testdata/[^"]+)"\).{0,400}?NewCharsetReader\(\w+, "([^"]+)"\)', re.DOTALL)


@dataclass
class Document:
    suite: str
    name: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    expected_count: int | None = None  # the peer's own expectation, where it is machine-readable
    expected_titles: list[str] | None = None


def _feedparser_headers(body: bytes) -> dict[str, str]:
    head = body[:2000].decode("utf-16" if body[:2] in (b"\xff\xfe", b"\xfe\xff") else "latin-1", "replace")
    return {name.title(): value for name, value in _HEADER.findall(head)}


def load(cache: Path, suite: str) -> Iterator[Document]:
    root = cache / suite
    if suite == "gofeed":
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".xml", ".json") or path.name.endswith("_expected.json") or "translator" not in path.parts and path.suffix == ".json" and (path.with_suffix(".xml")).exists():
                continue
            expected = path.with_name(path.stem + "_expected.json") if path.suffix == ".json" else path.with_suffix(".json")
            count = titles = None
            if expected.exists() and expected != path:
                try:
                    data = json.loads(expected.read_text())
                    items = data.get("items", data.get("entries")) if isinstance(data, dict) else None
                    if isinstance(items, list):
                        # Items with no id, link, title or text are no stories (monitor.normalise.articles.is_story).
                        count = sum(any(_said(i.get(k)) for k in ("guid", "id", "link", "links", "title", "description", "content")) for i in items if isinstance(i, dict))
                        titles = [i.get("title") if isinstance(i.get("title"), str) else None for i in items]
                except (ValueError, UnicodeDecodeError):
                    pass
            yield Document(suite, str(path.relative_to(root)), path.read_bytes(), {}, count, titles)
        return
    if suite == "miniflux":
        for path in sorted(root.rglob("*")):
            if path.suffix in (".xml", ".json") and "testdata" in path.parts and path.parent.parent.name in ("parser", "xml"):
                yield Document(suite, str(path.relative_to(root)), path.read_bytes())
            elif path.name.endswith("_test.go"):
                source = path.read_text()
                for n, match in enumerate(_GO_RAW.finditer(source)):
                    yield Document(suite, f"{path.relative_to(root)}#{n}", match.group(1).encode())
                for n, (name, content_type) in enumerate(_GO_CHARSET_CASE.findall(source)):
                    data = path.parent / name
                    if data.exists() and data.suffix == ".xml":
                        yield Document(suite, f"{path.relative_to(root)}@{name}#{n}", data.read_bytes(), {"Content-Type": content_type})
        return
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".xml", ".json", ".rss", ".atom", ".rdf") or "kml" in path.parts:
            continue
        if path.name.endswith(".serde.json"):  # feed-rs: the expected reading of the document beside it
            continue
        body = path.read_bytes()
        count = titles = None
        if (expected := path.with_name(path.stem + ".serde.json")).exists():
            entries = json.loads(expected.read_text()).get("entries") or []
            count = len(entries)
            titles = [(e.get("title") or {}).get("content") for e in entries]
        yield Document(suite, str(path.relative_to(root)), body, _feedparser_headers(body) if suite == "feedparser" else {}, count, titles)


def _said(value: object) -> bool:
    """Whether an expected field says something: text, or a link/content object's text (not its src)."""
    if isinstance(value, dict):
        return any(_said(value.get(k)) for k in ("value", "href", "content"))
    if isinstance(value, list):
        return any(_said(v) for v in value)
    return bool(str(value or "").strip())


def _flat(text: str) -> str:
    return " ".join(text.split())


def _ref_text(detail: object, value: str) -> str:
    kind = getattr(detail, "get", lambda *_: None)("type") or "text/html"
    return _flat(html_to_text(value) if "html" in kind else value)


def _ref_date(entry: feedparser.FeedParserDict) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (OverflowError, ValueError, OSError):
        return None


def _well_formed(ref: feedparser.FeedParserDict) -> bool:
    """feedparser's bozo flag, less what only says the headers were missing or overridden."""
    benign = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
    return not ref.bozo or isinstance(ref.get("bozo_exception"), benign)


@dataclass
class Tally:
    documents: int = 0
    crashes: int = 0
    entries_missing: int = 0
    charset_losses: int = 0
    text_cuts: int = 0
    empty_as_error: int = 0
    rejected: int = 0  # not read as a feed (information: most are the peers' ill-formed cases)
    wrong: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, doc: Document, detail: str = "") -> None:
        self.examples.setdefault(kind, []).append(f"{doc.name} {detail}"[:300])


def check(doc: Document, tally: Tally) -> None:
    url = f"http://conformance.test/{doc.suite}/{doc.name}"
    feed = FeedConfig(url=url.replace("#", "/").replace("@", "/").replace(" ", "_"))
    headers = {"Content-Location": feed.url, **doc.headers}
    result = FetchResult(200, doc.body, Validators(), doc.headers.get("Content-Type"), feed.url, headers, len(doc.body))
    ref = feedparser.parse(doc.body, response_headers={k.lower(): v for k, v in headers.items()}, sanitize_html=True, resolve_relative_uris=True)
    tally.documents += 1
    fetched_at = datetime.now(UTC)
    try:
        outcome = digest_document(result, ArticleNormaliser(feed), (), fetched_at)
    except ParseError as exc:
        tally.rejected += 1
        if not ref.entries and _well_formed(ref) and ref.get("version"):
            tally.empty_as_error += 1
            tally.note("empty_as_error", doc, str(exc)[:120])
        elif ref.entries:
            tally.entries_missing += 1
            tally.note("entries_missing", doc, f"rejected: {exc}"[:160])
        return
    except Exception as exc:  # noqa: BLE001 - counting what escapes is the point
        tally.crashes += 1
        tally.note("crashes", doc, repr(exc)[:160])
        return
    articles = outcome.new
    expected = doc.expected_count if doc.expected_count is not None else _stories(doc, ref.entries)
    if len(articles) < expected:
        tally.entries_missing += 1
        tally.note("entries_missing", doc, f"{len(articles)} of {expected}")
    ids = Counter(e.get("id") for e in ref.entries)
    cut = charset = False
    for ours, (n, theirs) in _pairs(articles, ref.entries, feed.url, fetched_at):
        delivered = _flat(f"{ours.title} {ours.summary} {ours.body}")
        wanted: dict[str, object] = {}
        got: dict[str, object] = {}
        wanted["title"] = doc.expected_titles[n] if doc.expected_titles and n < len(doc.expected_titles) and doc.expected_titles[n] is not None else _ref_text(theirs.get("title_detail"), theirs.get("title", ""))
        wanted["title"] = _flat(html_to_text(str(wanted["title"]))) if doc.expected_titles else wanted["title"]
        got["title"] = _flat(ours.title)
        link = theirs.get("link")
        if link and link.split(":", 1)[0].lower() in ("http", "https"):
            try:
                wanted["link"], got["link"] = canonical_url(link), ours.url
            except ValueError:
                pass
        # Only ids as the document wrote them: feedparser resolves relative ones against xml:base.
        if theirs.get("id") and ids[theirs.get("id")] == 1 and str(theirs.get("id")).encode() in doc.body:
            wanted["id"], got["id"] = f"art_{digest(feed.url, str(theirs.get('id')), '')}", ours.id
        ref_date = _ref_date(theirs)
        if ref_date is None or 1900 < ref_date.year < fetched_at.year + 2:
            wanted["date"], got["date"] = ref_date, ours.published_at
        summary = _ref_text(theirs.get("summary_detail"), theirs.get("summary", ""))
        content = theirs.get("content") or []
        body = _ref_text(content[0], content[0].get("value", "")) if content else ""
        if not (content and str(content[0].get("type", "")).startswith(_BINARY)):
            wanted["content"], got["content"] = body, _flat(ours.body)
        if summary != body:
            wanted["summary"], got["summary"] = summary, _flat(ours.summary or ours.body)
        if doc.suite == "feedparser" and (misread := _FEEDPARSER_NOT_THE_ITEMS.get(doc.name)):
            wanted.pop(misread[0], None)
        for name in FIELDS:
            if name not in wanted or wanted[name] == got[name]:
                continue
            if name == "date" and got[name] is not None and wanted[name] is not None and abs((got[name] - wanted[name]).total_seconds()) < 1:  # type: ignore[operator]
                continue
            tally.wrong[name] += 1
            tally.note(f"wrong_{name}", doc, f"#{n} ours={got[name]!r:.100} ref={wanted[name]!r:.100}")
            if name in ("title", "summary", "content") and isinstance(wanted[name], str) and isinstance(got[name], str):
                mine, ref_value = str(got[name]), str(wanted[name])
                # Cut: ours stops short and the whole text is nowhere else in what we publish.
                if len(mine) < len(ref_value) and ref_value.startswith(mine) and ref_value not in delivered and not cut:
                    cut = True
                    tally.text_cuts += 1
                    tally.note("text_cuts", doc, f"{name}: {mine!r:.60} < {ref_value!r:.80}")
                if not charset and len(_MOJIBAKE.findall(mine)) > len(_MOJIBAKE.findall(ref_value)):
                    charset = True
                    tally.charset_losses += 1
                    tally.note("charset_losses", doc, f"{name}: {mine!r:.80}")


def _stories(doc: Document, entries: list[feedparser.FeedParserDict]) -> int:
    """The stories among feedparser's entries, by the poller's rule: entries the same in id, link and
    every text are one story (monitor.normalise.articles: one article id), an entry with no id, link,
    title or text is none (is_story), and an item nested inside another item (feedsync's
    <sx:conflicts> copies) is part of that item, not one of the feed's: feedparser's SAX reader counts
    every <item> it meets at any depth."""
    mine = doc.suite == "feedparser"
    same = mine and doc.name in _FEEDPARSER_SAME_ENTRIES
    misread = _FEEDPARSER_NOT_THE_ITEMS.get(doc.name, ("",))[0] if mine else ""
    keys = set()
    for e in entries:
        key = (e.get("id"), e.get("link") if not same else None, *(e.get(f) if f != misread else None for f in ("title", "summary")))
        content = tuple(c.get("value") for c in e.get("content") or ())
        if any(_said(v) for v in (*key, *content)):
            keys.add((*key, content))
    return max(0, len(keys) - _nested_items(doc.body))


def _nested_items(body: bytes) -> int:
    if len(_ITEM.findall(body)) < 2:
        return 0
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return 0
    return len(root.xpath("//*[local-name()='item' or local-name()='entry'][ancestor::*[local-name()='item' or local-name()='entry']]"))


def _pairs(
    articles: list[Article], entries: list[feedparser.FeedParserDict], feed_url: str, fetched_at: datetime
) -> list[tuple[Article, tuple[int, feedparser.FeedParserDict]]]:
    """Each article with the reference entry it is: the poller publishes a document's new articles
    oldest first, so by id or link where they say, else in the same date order."""
    by_key: dict[str, int] = {}
    for n, entry in enumerate(entries):
        if entry.get("id"):
            by_key.setdefault(f"art_{digest(feed_url, str(entry.get('id')), '')}", n)
        if entry.get("link"):
            with contextlib.suppress(ValueError):
                by_key.setdefault(canonical_url(entry.get("link")), n)
    left = dict(sorted(enumerate(entries), key=lambda e: _ref_date(e[1]) or fetched_at))
    pairs = []
    for article in articles:
        n = next((by_key[k] for k in (article.id, article.url) if k in by_key and by_key[k] in left), None)
        if n is None and left:
            n = next(iter(left))
        if n is not None:
            pairs.append((article, (n, left.pop(n))))
    return pairs


def speed(docs: list[Document]) -> tuple[int, float, float]:
    """Seconds for our parser and for feedparser over the documents of at least 10 KB, best of 3."""
    large = [d for d in docs if len(d.body) >= 10 * 1024]
    ours = theirs = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for doc in large:
            try:
                parse_feed(doc.body, "http://conformance.test/", doc.headers.get("Content-Type"))
            except ParseError:
                pass
        ours = min(ours, time.perf_counter() - started)
        started = time.perf_counter()
        for doc in large:
            feedparser.parse(doc.body, response_headers={k.lower(): v for k, v in doc.headers.items()}, sanitize_html=True, resolve_relative_uris=True)
        theirs = min(theirs, time.perf_counter() - started)
    return len(large), ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("~/.cache/tocsin/conformance").expanduser())
    parser.add_argument("--suite", action="append", choices=SUITES, help="only these suites (default: every cached one)")
    parser.add_argument("--examples", type=int, default=0, help="print this many examples of each failure kind to stderr")
    args = parser.parse_args()
    suites = [s for s in (args.suite or SUITES) if (args.cache / s).is_dir()]
    if not suites:
        sys.exit(f"no suite under {args.cache}: see bench/README.md (Feed conformance) to fill the cache")
    everything: list[Document] = []
    totals = Tally()
    for suite in suites:
        tally = Tally()
        docs = list(load(args.cache, suite))
        everything += docs
        for doc in docs:
            check(doc, tally)
        for name in ("documents", "crashes", "entries_missing", "charset_losses", "text_cuts", "empty_as_error", "rejected"):
            print(f"{suite}.{name}: {getattr(tally, name)}")
            setattr(totals, name, getattr(totals, name) + getattr(tally, name))
        for name in FIELDS:
            print(f"{suite}.wrong_{name}: {tally.wrong[name]}")
        totals.wrong += tally.wrong
        for kind, examples in tally.examples.items():
            for example in examples[: args.examples]:
                print(f"  {suite} {kind}: {example}", file=sys.stderr)
    for name in ("documents", "crashes", "entries_missing", "charset_losses", "text_cuts", "empty_as_error", "rejected"):
        print(f"total.{name}: {getattr(totals, name)}")
    for name in FIELDS:
        print(f"total.wrong_{name}: {totals.wrong[name]}")
    count, ours, theirs = speed(everything)
    print(f"speed.documents_10kb: {count}")
    print(f"speed.ours_ms_per_doc: {1000 * ours / max(count, 1):.3f}")
    print(f"speed.feedparser_ms_per_doc: {1000 * theirs / max(count, 1):.3f}")
    print(f"speed.ratio_vs_feedparser: {theirs / ours:.1f}")


if __name__ == "__main__":
    main()
