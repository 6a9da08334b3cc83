"""Real-time sources through the real poller and broker: a Telegram channel preview (paging, edits,
deletions, albums) and WebSub push from a local hub written to the spec (verify intent, signatures,
lease renewal, fallback to polling)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from monitor.poller import Poller
from support.net import free_ports
from support.poller import fetches, read_articles, sample, wait_for
from support.servers import FeedServer
from support.telegram import PreviewServer, TgPost
from support.websub_hub import Hub, topic_rss
from tocsin.kafka.topics import Topics, ensure_topics, topics_for
from tocsin.settings import FeedConfig, FeedSettings, KafkaSettings

pytestmark = pytest.mark.integration


def new_topics(bootstrap: str) -> Topics:
    topics = topics_for(KafkaSettings(bootstrap_servers=[bootstrap], topics={"prefix": f"test-{uuid.uuid4().hex[:8]}", "partitions": 2}))
    ensure_topics([bootstrap], topics.all())
    return topics


def posts(ids: range, word: str = "post") -> list[TgPost]:
    return [TgPost(n, f"Channel {word} number {n} of the night", datetime.now(UTC)) for n in ids]


async def test_a_channel_is_read_page_by_page_only_as_far_as_the_posts_seen_and_edits_come_again(kafka_bootstrap: str) -> None:
    channel = posts(range(1, 26))
    async with PreviewServer({"airforce": channel}) as preview:
        topics = new_topics(kafka_bootstrap)
        settings = FeedSettings(
            interval_seconds=0.3, allow_private_addresses=True, telegram={"origin": preview.origin},
            sources=[FeedConfig(url="https://t.me/s/airforce", type="telegram", name="Air Force", kind="air_force")],
        )
        poller = Poller(settings, [kafka_bootstrap], topics, group_id=f"pollers-{uuid.uuid4().hex[:8]}")
        await poller.start()
        try:
            await wait_for(lambda: len(preview.requests) >= 2, 30, poller)
            first_requests = list(preview.requests)
            # 30 more posts than the page shows, an album, post 24 deleted, post 25 edited.
            channel[:] = [
                *(p for p in channel if p.id not in (24, 25)),
                TgPost(25, "Channel post number 25 of the night, corrected", channel[24].date, edited=True),
                *posts(range(26, 56), "update"),
                TgPost(56, "Album of the damage", datetime.now(UTC), album=2),
            ]
            await wait_for(lambda: any("before=" in r for r in preview.requests[len(first_requests):]), 30, poller)
            await wait_for(lambda: len(preview.requests) >= len(first_requests) + 6, 30, poller)
        finally:
            await poller.stop()
    # A channel seen for the first time: its first page only, never its history.
    assert first_requests == ["/s/airforce"] * len(first_requests)
    articles = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len(got) >= 52, timeout=20)
    permalinks = [a.url for a in articles]
    assert sorted(set(permalinks)) == sorted({f"https://t.me/airforce/{n}" for n in [*range(6, 24), *range(25, 57)]} | {"https://t.me/airforce/24"})
    assert permalinks.count("https://t.me/airforce/25") == 2  # the edit, again under the same article id
    assert len({a.id for a in articles if a.url == "https://t.me/airforce/25"}) == 1
    assert len(permalinks) == 52, "a post was published twice"  # 20 + 30 + album + the edit
    assert all(a.sources[0].kind == "air_force" and a.language == "en" for a in articles)
    assert [r for r in preview.requests if "before=" in r] == ["/s/airforce?before=37"]  # back to the newest seen, once
    assert sample("tocsin_telegram_posts_total", kind="air_force", verdict="edited") >= 1


def items(*stories: tuple[str, str]) -> list[tuple[str, str, datetime]]:
    return [(guid, title, datetime.now(UTC)) for guid, title in stories]


async def test_websub_pushes_publish_without_a_poll_and_a_failing_hub_falls_back_to_polling(kafka_bootstrap: str) -> None:
    (port,) = free_ports(1)
    async with Hub(lease_seconds=3) as hub, FeedServer(b"") as feed:
        topic = feed.url
        first = items(("w1", "First wire story of the night"))
        feed.body = topic_rss(topic, hub.url, first)
        topics = new_topics(kafka_bootstrap)
        settings = FeedSettings(
            interval_seconds=0.5, allow_private_addresses=True,
            websub={"callback_url": f"http://127.0.0.1:{port}/cb", "port": port, "subscribed_interval_seconds": 600,
                    "renew_before_seconds": 1.0, "verify_timeout_seconds": 5.0, "retry_seconds": 0.5},
            sources=[FeedConfig(url=topic, name="wire")],
        )
        renewed = sample("tocsin_websub_lease_renewals_total", outcome="ok")
        bad = sample("tocsin_websub_pushes_total", outcome="bad_signature")
        poller = Poller(settings, [kafka_bootstrap], topics, group_id=f"pollers-{uuid.uuid4().hex[:8]}")
        await poller.start()
        try:
            await wait_for(lambda: bool(hub.active(topic)) and feed.requests >= 2, 30, poller)
            request = hub.requests[0]
            assert request["hub.mode"] == "subscribe" and request["hub.topic"] == topic
            assert request["hub.callback"].startswith(f"http://127.0.0.1:{port}/cb/feed_") and len(request["hub.secret"]) == 64
            polls = feed.requests

            # A forged push is acknowledged and ignored; the hub's own is published with no poll in between.
            pushed = topic_rss(topic, hub.url, [*items(("w2", "Pushed story about the drones")), *first])
            assert await hub.publish(topic, pushed, secret="forged") == [202]
            await wait_for(lambda: sample("tocsin_websub_pushes_total", outcome="bad_signature") > bad, 10, poller)
            assert await hub.publish(topic, pushed) == [202]
            got = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len(got) >= 2, timeout=10)
            # Sorted: the two articles are keyed to different partitions, so the topic gives no order between them.
            assert sorted(a.title for a in got) == ["First wire story of the night", "Pushed story about the drones"]
            assert feed.requests == polls  # the push, not a poll

            # The 3 s lease is renewed before it ends, with a new callback; the old one is gone (410).
            old = hub.active(topic)[-1].callback
            await wait_for(lambda: sample("tocsin_websub_lease_renewals_total", outcome="ok") > renewed, 10, poller)
            assert hub.verified[-1].callback != old
            statuses = await hub.publish(topic, pushed)
            assert sorted(statuses) == [202, 410] or statuses == [202]
            assert feed.requests == polls

            # The hub denies and then refuses: the feed is polled again at once, and at its interval after that.
            hub.refuse = True
            await hub.deny(topic)
            await wait_for(lambda: feed.requests >= polls + 3, 10, poller)
            await wait_for(lambda: sample("tocsin_websub_hub_failures_total", reason="refused") >= 1, 10, poller)
            assert sample("tocsin_websub_subscriptions_active") == 0
        finally:
            await poller.stop()
    articles = await read_articles(kafka_bootstrap, topics.articles.name, lambda got: len(got) > 2, timeout=3)
    assert sorted(a.title for a in articles) == ["First wire story of the night", "Pushed story about the drones"]  # nothing twice


async def test_a_channel_preview_on_a_private_address_is_refused_like_a_feed(kafka_bootstrap: str) -> None:
    async with PreviewServer({"airforce": posts(range(1, 3))}) as preview:
        settings = FeedSettings(
            interval_seconds=0.3, telegram={"origin": preview.origin},
            sources=[FeedConfig(url="https://t.me/s/airforce", type="telegram", name="Air Force", kind="air_force")],
        )
        before = fetches("blocked_address", "none")
        poller = Poller(settings, [kafka_bootstrap], new_topics(kafka_bootstrap), group_id=f"pollers-{uuid.uuid4().hex[:8]}")
        await poller.start()
        try:
            await wait_for(lambda: fetches("blocked_address", "none") >= before + 1, 30, poller)
        finally:
            await poller.stop()
        assert preview.requests == []  # the one guard, before any connection
