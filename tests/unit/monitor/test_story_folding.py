"""De-duplication folds copies of one story and never a distinct one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.normalise import StoryIndex
from tocsin.records import Article, ArticleSource

DAY = datetime(2025, 7, 4, 6, 0, tzinfo=UTC)
GENERIC = "Live updates: Russia's war in Ukraine, day by day"


def _article(article_id: str, feed: str, *, title: str = GENERIC, url: str | None = None, body: str = "", at: datetime = DAY) -> Article:
    return Article(
        id=article_id, url=url, title=title, body=body, published_at=at, fetched_at=DAY + timedelta(days=400),
        sources=(ArticleSource(feed_url=feed, feed_name=feed),),
    )


def test_a_feed_reusing_a_generic_headline_every_day_publishes_every_days_item() -> None:
    index = StoryIndex()
    days = [_article(f"art_{n}", "http://a/", body=f"Day {n}: {n * 7} drones over Kharkiv, {n} injured.", at=DAY + timedelta(days=n)) for n in range(30)]
    assert all(index.fold(a) == (False, a, None, None) for a in days)
    # Same headline, same day, but another text: still a distinct item of that feed.
    same_day = _article("art_x", "http://a/", body="Evening: air defence active over Kyiv, debris fell in two districts.", at=DAY)
    assert not index.fold(same_day).duplicate


def test_distinct_ids_of_one_feed_fold_only_when_the_text_is_the_same_item_again() -> None:
    index = StoryIndex()
    text = "Russia launched 539 drones and 11 missiles overnight; 476 drones were shot down, the Air Force said."
    index.fold(_article("art_1", "http://a/", url="http://a/s/1", body=text))
    reissued = index.fold(_article("art_2", "http://a/", url="http://a/s/1", body=text + " Updated."))
    assert reissued == (True, None, "art_1", "url")
    assert not index.fold(_article("art_3", "http://a/", url="http://a/s/1", body="")).duplicate  # no text says it is the same


def test_a_headline_match_needs_the_window_and_similar_text() -> None:
    index = StoryIndex()
    text = "Russia launched 539 drones and 11 missiles overnight; 476 drones were shot down, the Air Force said."
    first = _article("art_1", "http://a/", title="Russia launched 539 drones at Ukraine overnight", body=text)
    index.fold(first)
    copy = index.fold(_article("art_2", "http://b/", title="Russia launched 539 drones at Ukraine overnight", body=text + " More follows.", at=DAY + timedelta(hours=3)))
    assert copy.duplicate and copy.kept == "art_1" and copy.kind == "headline" and copy.publish is not None and len(copy.publish.sources) == 2
    other_text = _article("art_3", "http://c/", title="Russia launched 539 drones at Ukraine overnight", body="An unrelated report on grain exports via Odesa in June.")
    assert not index.fold(other_text).duplicate
    months_later = _article("art_4", "http://d/", title="Russia launched 539 drones at Ukraine overnight", body=text, at=DAY + timedelta(days=90))
    assert not index.fold(months_later).duplicate


def test_the_same_url_in_another_feed_is_the_same_story_within_the_window_only() -> None:
    index = StoryIndex()
    index.fold(_article("art_1", "http://a/", title="Short", url="http://n/1"))
    assert index.fold(_article("art_2", "http://b/", title="Other", url="http://n/1", at=DAY + timedelta(hours=1))).kept == "art_1"
    assert not index.fold(_article("art_3", "http://c/", title="Other", url="http://n/1", at=DAY + timedelta(days=30))).duplicate
