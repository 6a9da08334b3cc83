"""Which element a field comes from when a feed writes several, and which items are stories:
the rules the conformance bench checks against feedparser (issue 13), on short feeds of our own."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.digest import Digest, digest_document
from monitor.fetch import FetchResult, Validators
from monitor.normalise import ArticleNormaliser
from tocsin.settings import FeedConfig

URL = "http://feeds.example/news/rss.xml"
NOW = datetime(2025, 7, 4, 7, 0, tzinfo=UTC)
_NS = 'xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd" xmlns:dc="http://purl.org/dc/elements/1.1/"'


def _rss(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0" {_NS}><channel><title>t</title>{items}</channel></rss>'.encode()


def _atom(entries: str) -> bytes:
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" {_NS}><title>t</title>{entries}</feed>'.encode()


def _digest(body: bytes) -> Digest:
    result = FetchResult(200, body, Validators(), None, URL, {}, len(body))
    return digest_document(result, ArticleNormaliser(FeedConfig(url=URL)), (), NOW)


def test_of_two_summary_elements_the_first_is_the_summary_and_the_second_the_body() -> None:
    (first,) = _digest(_rss("<item><guid>a</guid><summary>Said first</summary><description>Said second</description></item>")).new
    (again,) = _digest(_rss("<item><guid>a</guid><description>Foo</description><description>Bar</description></item>")).new
    assert (first.summary, first.body) == ("Said first", "Said second")
    assert (again.summary, again.body) == ("Foo", "Bar")


def test_a_real_body_keeps_its_place_and_the_first_summary_stays_the_summary() -> None:
    item = '<item><guid>a</guid><description>Short</description><itunes:summary>Other</itunes:summary><content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">Body</content:encoded></item>'
    (article,) = _digest(_rss(item)).new
    assert (article.summary, article.body) == ("Short", "Body")


def test_atom_second_summary_and_dc_description_become_the_body_when_there_is_none() -> None:
    (two,) = _digest(_atom("<entry><id>e</id><summary>Some text.</summary><summary>Different text.</summary></entry>")).new
    (dc,) = _digest(_atom("<entry><id>e</id><summary>Atom</summary><dc:description>Dublin Core</dc:description></entry>")).new
    assert (two.summary, two.body) == ("Some text.", "Different text.")
    assert (dc.summary, dc.body) == ("Atom", "Dublin Core")


def test_media_text_inside_an_enclosure_or_a_media_group_describes_an_item_that_has_none() -> None:
    item = '<item><guid>a</guid><enclosure url="http://x.example/a.jpg" type="image/jpeg"><media:title><![CDATA[ <p>Enclosed title</p> ]]></media:title></enclosure></item>'
    (rss,) = _digest(_rss(item)).new
    (atom,) = _digest(_atom("<entry><id>e</id><title>T</title><media:group><media:description>Grouped</media:description></media:group></entry>")).new
    assert rss.title == "Enclosed title"
    assert atom.summary == "Grouped"


def test_itunes_namespace_is_recognised_in_its_other_spelling() -> None:
    (article,) = _digest(_rss("<item><guid>a</guid><itunes:summary>Podcast summary</itunes:summary></item>")).new
    assert article.summary == "Podcast summary"


def test_an_atom_construct_of_an_unknown_text_type_that_is_no_base64_text_is_kept_as_written() -> None:
    # "test" is valid base64, but of bytes that are no UTF-8: the publisher wrote text.
    (article,) = _digest(_atom('<entry><id>e</id><title type="application/x-custom">test</title></entry>')).new
    assert article.title == "test"


def test_an_image_content_gives_no_text_and_content_with_src_keeps_text_written_inside() -> None:
    image = _atom('<entry><id>e</id><title>T</title><content type="image/jpeg">/9j/4AAQSkZJRgABAQEASABIAAD/</content></entry>')
    src = _atom('<entry><id>e</id><title>T</title><content src="http://x.example/doc.pdf" type="application/pdf">extraneous text</content></entry>')
    assert _digest(image).new[0].body == ""
    assert _digest(src).new[0].body == "extraneous text"


def test_items_with_no_id_link_title_or_text_are_skipped_with_a_reason_and_the_others_kept() -> None:
    items = "<item><guid>a</guid><title>A story</title></item><item><itunes:author>Only an author</itunes:author></item><item><dc:creator>x</dc:creator></item>"
    digest = _digest(_rss(items))
    assert [a.title for a in digest.new] == ["A story"]
    assert digest.skipped == ("item 1: empty: no id, link, title or text", "item 2: empty: no id, link, title or text")


def test_items_without_guids_sharing_a_link_are_each_published_unless_they_are_the_same_item() -> None:
    live = "<item><link>http://x.example/live</link><title>Live: day {n}</title><description>News of day {n}</description></item>"
    distinct = _digest(_rss(live.format(n=1) + live.format(n=2))).new
    same = _digest(_rss(live.format(n=1) + live.format(n=1))).new
    assert sorted(a.title for a in distinct) == ["Live: day 1", "Live: day 2"]
    assert len({a.id for a in distinct}) == 2
    assert len(same) == 1


def test_distinct_guids_with_identical_text_are_distinct_stories() -> None:
    item = "<item><guid>{g}</guid><title>Same headline</title><description>Same words</description></item>"
    assert len(_digest(_rss(item.format(g="a") + item.format(g="b"))).new) == 2
