"""What a feed says reaches the article whole: entities, markup, CDATA, links, JSON Feed oddities,
dates, sizes; and a bad item costs only itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.digest import digest_document
from monitor.exceptions import ParseError
from monitor.fetch import FetchResult, Validators
from monitor.normalise import ArticleNormaliser
from monitor.normalise.fit import fitted
from monitor.parse import parse_feed
from tocsin.records import Article
from tocsin.settings import FeedConfig

URL = "http://feeds.example/news/rss.xml"
NOW = datetime(2025, 7, 4, 7, 0, tzinfo=UTC)


def _rss(items: str, channel: str = "") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>{channel}{items}</channel></rss>'.encode()


def _articles(body: bytes, feed: FeedConfig | None = None, content_type: str | None = None) -> list[Article]:
    result = FetchResult(200, body, Validators(), content_type, URL, {}, len(body))
    return digest_document(result, ArticleNormaliser(feed or FeedConfig(url=URL)), (), NOW).new


def test_html_entities_the_document_never_declared_keep_the_text_whole() -> None:
    item = "<item><guid>g</guid><title>A&nbsp;B &mdash; C&hellip;</title><description>our&nbsp;DB &laquo;quoted&raquo; end</description></item>"
    (article,) = _articles(_rss(item))
    assert article.title == "A B \u2014 C\u2026"
    assert article.summary == "our DB \u00abquoted\u00bb end"


def test_inline_markup_and_cdata_are_read_as_html_not_cut() -> None:
    item = "<item><guid>g</guid><title>Test: <b>bold</b> and after</title><description><![CDATA[<p>One &amp; <i>two</i>&nbsp;three</p>]]></description></item>"
    (article,) = _articles(_rss(item))
    assert (article.title, article.summary) == ("Test: bold and after", "One & two three")


def test_a_title_with_a_lone_angle_bracket_is_text_not_a_tag() -> None:
    (article,) = _articles(_rss("<item><guid>g</guid><title>Nice &lt;gorilla&gt; what's he weigh?</title></item>"))
    assert article.title == "Nice <gorilla> what's he weigh?"


def test_atom_text_html_and_xhtml_constructs() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><id>e1</id><title type="text">AT&amp;T &lt;S&gt;</title>
    <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">History of the &lt;blink&gt; <b>tag</b></div></summary>
    <content type="html">&lt;p&gt;body&lt;/p&gt;</content></entry></feed>"""
    (article,) = _articles(atom)
    assert (article.title, article.summary, article.body) == ("AT&T <S>", "History of the <blink> tag", "body")


def test_links_resolve_against_xml_base_then_the_feed_url_and_keep_their_ampersands() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://base.example/dir/"><title>t</title>
    <entry><id>e1</id><title>one</title><link href="story?id=1&amp;page=2"/></entry>
    <entry xml:base="/other/"><id>e2</id><title>two</title><link href="s2"/></entry></feed>"""
    assert [a.url for a in _articles(atom)] == ["http://base.example/dir/story?id=1&page=2", "http://base.example/other/s2"]
    (relative,) = _articles(_rss("<item><guid>g</guid><title>x</title><link>/a/b?x=1&amp;y=2</link></item>"))
    assert relative.url == "http://feeds.example/a/b?x=1&y=2"


@pytest.mark.parametrize("link", ["http://h.c[o/", "http://a.example:99999/x", "javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd"])
def test_a_link_that_is_no_web_address_is_dropped_and_the_article_kept(link: str) -> None:
    items = f"<item><guid>bad</guid><title>Bad link</title><link>{link}</link></item><item><guid>ok</guid><title>Fine</title><link>http://n.example/1</link></item>"
    bad, fine = _articles(_rss(items.replace("&", "&amp;")))
    assert (bad.title, bad.url) == ("Bad link", None) and fine.url == "http://n.example/1"


def test_rss_1_content_encoded_is_the_body() -> None:
    rdf = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel rdf:about="http://x/"><title>t</title></channel>
    <item rdf:about="http://x/1"><title>T</title><link>http://x/1</link><description>short</description>
    <content:encoded><![CDATA[<p>the whole story</p>]]></content:encoded></item></rdf:RDF>"""
    (article,) = _articles(rdf)
    assert (article.summary, article.body) == ("short", "the whole story")


def test_json_feed_bad_fields_lose_only_themselves() -> None:
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "t", "authors": {"name": "not a list"},
    "items": [{"id": 42, "url": "http://j.example/1", "title": "Numeric id", "summary": ["not", "a", "string"]},
              "not an item",
              {"id": "b", "title": "Second", "content_text": "plain <text>", "date_published": 12}]}"""
    result = FetchResult(200, body, Validators(), "application/feed+json", URL, {}, len(body))
    digest = digest_document(result, ArticleNormaliser(FeedConfig(url=URL)), (), NOW)
    first, second = digest.new
    assert (first.title, first.url, first.summary) == ("Numeric id", "http://j.example/1", "")
    assert (second.body, second.published_at) == ("plain <text>", None)
    assert len(digest.skipped) == 1 and "not an object" in digest.skipped[0]


@pytest.mark.parametrize(
    "body",
    [
        _rss(""),
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id></feed>',
        b'{"version": "https://jsonfeed.org/version/1", "title": "t", "items": []}',
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>A &amp; B</title></channel></rss>',
    ],
)
def test_a_valid_feed_without_items_is_empty_not_an_error(body: bytes) -> None:
    result = FetchResult(200, body, Validators(), None, URL, {}, len(body))
    digest = digest_document(result, ArticleNormaliser(FeedConfig(url=URL)), (), NOW)
    assert digest.empty and digest.new == []


def test_what_is_no_feed_at_all_is_still_a_parse_error() -> None:
    for body in (b"<html><body>nope</body></html>", b'{"just": "json"}', b"\x00\x01 garbage"):
        with pytest.raises(ParseError):
            parse_feed(body, URL)


@pytest.mark.parametrize(
    ("feed", "written", "published"),
    [
        (FeedConfig(url=URL, timezone="America/New_York"), "2025-07-04T01:00:00", datetime(2025, 7, 4, 5, 0, tzinfo=UTC)),
        (FeedConfig(url=URL, language="uk"), "2025-07-04T09:00:00", datetime(2025, 7, 4, 6, 0, tzinfo=UTC)),
        (FeedConfig(url=URL, language="en"), "2025-07-04T06:00:00", datetime(2025, 7, 4, 6, 0, tzinfo=UTC)),
        (FeedConfig(url=URL, language="uk"), "2025-07-04T09:00:00+00:00", datetime(2025, 7, 4, 9, 0, tzinfo=UTC)),
    ],
)
def test_zone_less_times_follow_the_feed_zone_else_the_language_default(feed: FeedConfig, written: str, published: datetime) -> None:
    body = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>e</id><title>x</title><updated>%s</updated></entry></feed>'
    (article,) = _articles(body % written.encode(), feed)
    assert article.published_at == published and not article.published_clamped


@pytest.mark.parametrize("written", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2031-01-01T00:00:00Z", "Mon, 01 Jan 1900 00:00:00 GMT"])
def test_dates_outside_the_sane_range_become_the_arrival_time_and_are_flagged(written: str) -> None:
    (article,) = _articles(_rss(f"<item><guid>g</guid><title>x</title><pubDate>{written}</pubDate></item>"))
    assert article.published_at == NOW and article.published_clamped


def test_an_oversized_article_is_shortened_to_fit_a_record_and_a_hopeless_one_refused() -> None:
    big = Article(id="art_x", url=None, title="t", body="word " * 100_000, fetched_at=NOW, sources=())
    fit = fitted(big, 100_000)
    assert fit is not None and len(fit.to_bytes()) <= 100_000 and fit.body.endswith("[…]") and fit.title == "t"
    assert fitted(big.model_copy(update={"body": "small"}), 100_000) is not None
    hopeless = big.model_copy(update={"url": "http://x/" + "a" * 200_000, "body": ""})
    assert fitted(hopeless, 100_000) is None


def test_an_oversized_item_is_shortened_and_the_rest_of_the_feed_kept() -> None:
    items = "<item><guid>big</guid><title>Big</title><description>%s</description></item><item><guid>s</guid><title>Small</title></item>" % ("x" * 300_000)
    result = FetchResult(200, _rss(items), Validators(), None, URL, {}, 0)
    digest = digest_document(result, ArticleNormaliser(FeedConfig(url=URL)), (), NOW, max_record_bytes=100_000)
    assert [a.title for a in digest.new] == ["Big", "Small"] and digest.shortened == 1
    assert all(len(a.to_bytes()) <= 100_000 for a in digest.new)


def test_feedparser_fallback_keeps_an_ill_formed_documents_items() -> None:
    broken = _rss("<item><guid>g1</guid><title>A & B</title></item><item><guid>g2</guid><title>Unclosed <b>bold</title></item>")
    assert [a.title for a in _articles(broken)] == ["A & B", "Unclosed bold"]
