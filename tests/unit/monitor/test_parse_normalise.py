from __future__ import annotations

from datetime import UTC, datetime

from monitor.normalise import ArticleNormaliser, canonical_url, html_to_text
from monitor.parse import parse_feed
from support.servers import RssItem, rss
from tocsin.settings import FeedConfig

FEED = FeedConfig(url="http://feeds.example/news.xml", name="wire", language="en")
NOW = datetime(2025, 7, 4, 7, 0, tzinfo=UTC)


def test_canonical_url_drops_tracking_and_fragment_keeps_meaningful_query() -> None:
    url = "https://News.Example.com/story?id=7&utm_source=x&utm_medium=rss&fbclid=abc#comments"
    assert canonical_url(url) == "https://news.example.com/story?id=7"


def test_html_becomes_clean_paragraphs() -> None:
    text = html_to_text("<p>Russia launched <b>539</b>&nbsp;drones.</p><p>Kyiv was the main target.</p><script>x</script>")
    assert text.startswith("Russia launched 539 drones.\n\nKyiv was the main target.")


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
