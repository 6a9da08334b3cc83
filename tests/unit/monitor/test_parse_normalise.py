from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.exceptions import ParseError
from monitor.normalise import ArticleNormaliser, canonical_url, html_to_text
from monitor.parse import parse_feed
from support.servers import RssItem, rss
from tocsin.records import Article
from tocsin.settings import FeedConfig

FEED = FeedConfig(url="http://feeds.example/news.xml", name="wire", language="en")
NOW = datetime(2025, 7, 4, 7, 0, tzinfo=UTC)


def test_canonical_url_drops_tracking_and_fragment_keeps_meaningful_query() -> None:
    url = "https://News.Example.com/story?id=7&utm_source=x&utm_medium=rss&fbclid=abc#comments"
    assert canonical_url(url) == "https://news.example.com/story?id=7"


def test_html_becomes_clean_paragraphs() -> None:
    text = html_to_text("<p>Russia launched <b>539</b>&nbsp;drones.</p><p>Kyiv was the main target.</p><script>x</script>")
    assert text.startswith("Russia launched 539 drones.\n\nKyiv was the main target.")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (" one  two ", "one two"),
        ("one\ttwo\r\nthree\x1fsix", "one two\nthree six"),
        ("tidy already\n\n\n\nnext paragraph ", "tidy already\n\nnext paragraph"),
        ("\u0442\u0430\u043a\u00a0\u0442\u0430\u043a\u2003 \u043d\u0456", "\u0442\u0430\u043a \u0442\u0430\u043a \u043d\u0456"),
        ("   \n \t ", ""),
    ],
)
def test_blanks_collapse_whatever_they_are(raw: str, clean: str) -> None:
    assert html_to_text(raw) == clean


def test_rss_entries_become_articles_with_utc_times_and_stable_ids() -> None:
    item = RssItem("g1", "Attack", "<p>539 drones</p>", "http://n.example/a?utm_campaign=z", datetime(2025, 7, 4, 6, 30, tzinfo=UTC))
    parsed = parse_feed(rss([item]), FEED.url)
    (article,) = ArticleNormaliser(FEED).articles(parsed.entries, NOW)
    assert article.url == "http://n.example/a"
    assert article.published_at == datetime(2025, 7, 4, 6, 30, tzinfo=UTC)
    assert article.language == "en" and article.summary == "539 drones"
    again = ArticleNormaliser(FEED).articles(parse_feed(rss([item]), FEED.url).entries, NOW)
    assert again[0].id == article.id


def test_a_repeated_guid_does_not_swallow_distinct_items() -> None:
    items = [RssItem("same", "First story", "a", "http://n.example/1"), RssItem("same", "Second story", "b", "http://n.example/2")]
    articles = ArticleNormaliser(FEED).articles(parse_feed(rss(items), FEED.url).entries, NOW)
    assert len({a.id for a in articles}) == 2


RSS_091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?><rss version="0.91"><channel><title>t</title><link>http://x/</link>
<description>d</description><language>en-us</language><ttl>45</ttl>
<item><title>Old style item</title><link>http://x/a</link><description>Desc &amp; more</description></item></channel></rss>"""
RSS_10 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="http://x/"><title>t</title><link>http://x/</link><description>d</description>
<dc:language>uk</dc:language></channel><item rdf:about="http://x/r1"><title>RDF item</title><link>http://x/r1</link>
<description>rdf desc</description><dc:date>2025-07-04T09:30:00+03:00</dc:date></item></rdf:RDF>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>t</title><id>urn:x</id>
<updated>2025-07-04T06:00:00Z</updated><entry><title type="html">Atom &lt;b&gt;entry&lt;/b&gt;</title><id>urn:e1</id>
<link href="http://x/e1"/><updated>2025-07-04T08:00:00+02:00</updated><summary>sum</summary>
<content type="html">&lt;p&gt;body text&lt;/p&gt;</content></entry></feed>"""
JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "t", "language": "fr", "items": [{"id": "j1",
"url": "http://x/j1", "title": "JSON item", "summary": "js", "content_html": "<p>json body</p>", "date_published": "2025-07-04T08:00:00+02:00"}]}"""


def test_every_feed_format_yields_articles_with_language_and_utc_time() -> None:
    def one(body: bytes) -> Article:
        parsed = parse_feed(body, "http://x/feed")
        (article,) = ArticleNormaliser(FeedConfig(url="http://x/feed")).articles(parsed.entries, NOW)
        return article.model_copy(update={"language": article.language or parsed.language})

    old = one(RSS_091)
    assert (old.title, old.summary, old.language, old.url) == ("Old style item", "Desc & more", "en-us", "http://x/a")
    assert parse_feed(RSS_091, "http://x/feed").ttl_minutes == 45
    rdf = one(RSS_10)
    assert (rdf.title, rdf.language, rdf.published_at) == ("RDF item", "uk", datetime(2025, 7, 4, 6, 30, tzinfo=UTC))
    atom = one(ATOM)
    assert (atom.title, atom.body, atom.language, atom.published_at) == ("Atom entry", "body text", "de", datetime(2025, 7, 4, 6, 0, tzinfo=UTC))
    json_feed = one(JSON_FEED)
    assert (json_feed.title, json_feed.body, json_feed.language, json_feed.url) == ("JSON item", "json body", "fr", "http://x/j1")


def test_the_feeds_own_ttl_and_language_are_read_outside_its_items() -> None:
    items = "".join(f"<item><guid>g{n}</guid><title>t{n}</title><description>&lt;ttl&gt;1&lt;/ttl&gt;</description></item>" for n in range(3))
    after = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}<language>pl</language><ttl>30</ttl></channel></rss>'
    parsed = parse_feed(after.encode(), "http://x/feed")
    assert (parsed.ttl_minutes, parsed.language, len(parsed.entries)) == (30, "pl", 3)
    inside = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>g</guid><ttl>1</ttl></item></channel></rss>'
    assert parse_feed(inside, "http://x/feed").ttl_minutes is None


def test_what_the_fast_parser_cannot_read_falls_back_to_feedparser() -> None:
    loose = b'<?xml version="1.0"?><rss version="2.0"><item><title>Loose item</title><guid>l1</guid></item></rss>'
    parsed = parse_feed(loose, "http://x/feed")
    assert parsed.parser == "fast" and [e.title for e in parsed.entries] == ["Loose item"]
    broken = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>A & B</title><link>http://x/?a=1&b=2</link></item></channel></rss>'
    parsed = parse_feed(broken, "http://x/feed")
    assert parsed.parser == "fallback" and [(html_to_text(e.title), e.link) for e in parsed.entries] == [("A & B", "http://x/?a=1&b=2")]
    no_namespace = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item><title>No ns</title><link>http://x/n</link></item></rdf:RDF>'
    parsed = parse_feed(no_namespace, "http://x/feed")
    assert [(e.title, e.link) for e in parsed.entries] == [("No ns", "http://x/n")]
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(b"\x00\x01 garbage", "http://x/feed")
