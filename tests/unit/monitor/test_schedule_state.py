from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from monitor.feeds import feed_id, feeds_from_opml
from monitor.normalise import StoryIndex
from monitor.schedule import backoff_delay, cache_delay, retry_after_delay
from monitor.state import FeedState, Validators
from tocsin.records import Article, ArticleSource

NOW = datetime(2025, 7, 4, 6, 0, tzinfo=UTC)


def test_retry_after_in_both_forms() -> None:
    assert retry_after_delay("120", NOW) == 120.0
    assert retry_after_delay(format_datetime(NOW + timedelta(seconds=90), usegmt=True), NOW) == 90.0
    assert retry_after_delay(format_datetime(NOW - timedelta(seconds=90), usegmt=True), NOW) == 0.0
    assert retry_after_delay("soon", NOW) is None and retry_after_delay(None, NOW) is None


def test_next_poll_is_the_longest_hint_capped_but_never_below_the_interval() -> None:
    def delay(headers: dict[str, str], ttl: int | None = None) -> float:
        return cache_delay(headers, interval=300, ttl_minutes=ttl, now=NOW, cap=3600)

    assert delay({}) == 300
    assert delay({}, ttl=15) == 900
    assert delay({"Cache-Control": "public, max-age=600"}) == 600
    assert delay({"Expires": format_datetime(NOW + timedelta(seconds=1200), usegmt=True)}) == 1200
    assert delay({"Cache-Control": "max-age=60", "Expires": format_datetime(NOW + timedelta(days=1), usegmt=True)}) == 300
    assert delay({"Retry-After": "2000"}, ttl=1) == 2000
    assert delay({"Cache-Control": "max-age=31536000"}) == 3600  # capped
    assert cache_delay({}, interval=7200, ttl_minutes=None, now=NOW, cap=3600) == 7200


def test_backoff_grows_with_jitter_and_stays_capped() -> None:
    rng = random.Random(7)
    delays = [backoff_delay(60, n, cap=3600, rng=rng) for n in range(1, 12)]
    assert 30 <= delays[0] <= 60 and 60 <= delays[1] <= 120
    assert all(1800 <= d <= 3600 for d in delays[7:])  # never dropped: a finite delay for ever


def test_seen_ids_stay_bounded_by_the_feed_size() -> None:
    state = FeedState(feed_id="feed_x", url="http://x/")
    for poll in range(50):
        current = [f"art_{poll}_{i}" for i in range(30)]
        state = state.model_copy(update={"seen": state.with_seen(current, current)})
    assert len(state.seen_ids) == 100 and state.seen_ids[-1] == "art_49_29"
    assert FeedState.from_bytes(state.to_bytes()) == state
    assert json.loads(state.to_bytes())["seen"] == list(state.seen_ids)  # a list of ids on the topic


def test_opml_folders_become_tags_and_feed_ids_ignore_spelling() -> None:
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body><outline text="Ukraine">
      <outline text="Air Force" xmlUrl="https://example.org/af.xml" language="uk"/>
      <outline text="Kyiv Independent" title="KI" xmlUrl="https://kyivindependent.com/feed/"/></outline></body></opml>"""
    feeds = feeds_from_opml(opml)
    assert [(f.name, f.language, f.tags) for f in feeds] == [("Air Force", "uk", ["Ukraine"]), ("KI", None, ["Ukraine"])]
    assert feed_id("https://Example.org/af.xml?utm_source=x") == feed_id("https://example.org/af.xml")


def _article(article_id: str, url: str, title: str, feed: str) -> Article:
    return Article(id=article_id, url=url, title=title, fetched_at=NOW, sources=(ArticleSource(feed_url=feed, feed_name=feed),))


def test_the_same_story_in_two_feeds_is_one_article_with_both_sources() -> None:
    index = StoryIndex(capacity=2)
    first = _article("art_1", "http://n/1", "Russia launched 539 drones at Ukraine overnight", "http://a/")
    first = first.model_copy(update={"body": "Повітряні сили: 476 знешкоджено. " * 40, "language": "uk"})
    assert index.fold(first) == (False, first, None, None)
    same_url = _article("art_2", "http://n/1", "Other headline", "http://b/")
    duplicate, merged, _, _ = index.fold(same_url)
    assert duplicate and merged is not None and merged.id == "art_1" and len(merged.sources) == 2
    assert merged.model_copy(update={"sources": first.sources}) == first  # kept compressed, returned whole
    assert index.fold(same_url) == (True, None, "art_1", "url")  # a repeat from a feed it already names: nothing to publish
    syndicated = _article("art_3", "http://other/copy", "Russia launched 539 drones at Ukraine overnight!", "http://c/")
    duplicate, merged, _, _ = index.fold(syndicated)  # near-duplicate by headline
    assert duplicate and merged is not None and merged.id == "art_1" and len(merged.sources) == 3
    live = _article("art_4", "http://n/4", "Live updates", "http://c/")
    assert index.fold(live) == (False, live, None, None)
    index.fold(_article("art_5", "http://n/5", "x", "http://a/"))
    assert index.fold(same_url) == (False, same_url, None, None) and len(index) == 2  # art_1 evicted, bounded


def test_state_remembers_the_feeds_ttl_and_reads_records_from_before_it_did() -> None:
    state = FeedState(feed_id="feed_x", url="http://x/").polled(NOW, NOW, 200, Validators(etag='"a"'), (), 0, 45)
    assert FeedState.from_bytes(state.to_bytes()).ttl_minutes == 45
    earlier = json.loads(state.to_bytes())
    del earlier["ttl_minutes"]
    assert FeedState.from_bytes(json.dumps(earlier).encode()).ttl_minutes is None
