"""Telegram channel previews: the page reader and the digest of posts (new, edited, seen)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.exceptions import ParseError
from monitor.normalise import ArticleNormaliser
from monitor.telegram import ChannelResult, digest_channel, parse_page
from monitor.telegram.channel import newest_seen
from monitor.state import Validators
from support.telegram import TgPost, page
from tocsin.records import SourceKind
from tocsin.settings import ConfigError, FeedConfig, load_settings

CHANNEL = "kpszsu"
AT = datetime(2025, 7, 4, 6, 40, 12, tzinfo=UTC)
FEED = FeedConfig(url=f"https://t.me/s/{CHANNEL}", type="telegram", name="Air Force", kind="air_force")
NOW = datetime(2025, 7, 4, 7, 0, tzinfo=UTC)

POSTS = [
    TgPost(101, "Уночі противник атакував <b>539</b> ударними БпЛА.<br/>Збито 476.", AT),
    TgPost(102, 'Деталі: <a href="https://mil.example/report?id=1" target="_blank" rel="noopener" onclick="return confirm(1)">звіт</a>', AT, edited=True, preview_url="https://news.example/a"),
    TgPost(104, "Наслідки атаки на Київ", AT, album=2),  # media 105 and 106 belong to it; 103 was deleted
]


def test_posts_are_read_with_ids_dates_text_links_edits_and_albums() -> None:
    parsed = parse_page(page(CHANNEL, POSTS))
    assert [p.id for p in parsed.posts] == [101, 102, 104]
    first, second, album = parsed.posts
    assert first.published == AT and first.channel == CHANNEL and first.permalink == "https://t.me/kpszsu/101"
    assert "<b>539</b>" in first.text_html and not first.edited and first.ids == (101,)
    assert second.edited and second.links == ("https://mil.example/report?id=1", "https://news.example/a")
    assert album.ids == (104, 105, 106) and album.text_html == "Наслідки атаки на Київ"
    assert parsed.before is None and parsed.oldest == 101


def test_a_page_with_older_posts_names_where_they_start() -> None:
    posts = [TgPost(n, f"post {n}", AT) for n in range(1, 31)]
    latest = parse_page(page(CHANNEL, posts))
    assert [p.id for p in latest.posts] == list(range(11, 31)) and latest.before == 11
    older = parse_page(page(CHANNEL, posts, before=11))
    assert [p.id for p in older.posts] == list(range(1, 11)) and older.before is None


def test_a_page_that_is_no_channel_preview_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="tgme_channel_history"):
        parse_page(b"<html><body><div class='tgme_page'>If you have Telegram, you can contact</div></body></html>")


def result(posts: list[TgPost]) -> ChannelResult:
    body = page(CHANNEL, posts)
    return ChannelResult(200, body, Validators(), "text/html", f"http://127.0.0.1/s/{CHANNEL}", {}, len(body), parse_page(body).posts)


def test_posts_become_articles_of_the_channels_source_kind_and_an_edit_is_the_same_article_again() -> None:
    normaliser = ArticleNormaliser(FEED)
    first = digest_channel(result(POSTS), normaliser, set(), NOW)
    assert len(first.new) == 3 and first.parser == "telegram"
    article = first.new[0]
    assert article.url == "https://t.me/kpszsu/101" and article.title.startswith("Уночі противник атакував 539")
    assert article.sources[0].kind is SourceKind.AIR_FORCE and article.published_at == AT
    assert article.language == "uk"  # detected: neither the feed nor the page declares one
    assert "https://mil.example/report?id=1" in first.new[1].summary  # the post's links travel with its text
    seen = set(first.seen_new)
    assert newest_seen(seen) == 104 and set(first.current_ids) == seen

    again = digest_channel(result(POSTS), normaliser, seen, NOW)
    assert again.new == [] and again.seen_new == []

    edited = [TgPost(101, "Уночі противник атакував <b>550</b> ударними БпЛА.<br/>Збито 476.", AT, edited=True), *POSTS[1:]]
    revised = digest_channel(result(edited), normaliser, seen, NOW)
    assert [a.id for a in revised.new] == [article.id]  # the same article id, its new text
    assert "550" in revised.new[0].title and revised.seen_new[0].startswith("tg101~") and revised.seen_new[0] not in seen


def test_a_channel_url_must_be_the_public_preview() -> None:
    with pytest.raises(ValueError, match="t.me/s/<channel>"):
        FeedConfig(url="https://t.me/kpszsu", type="telegram")


def test_the_preview_origin_and_websub_are_settings_and_a_bad_channel_url_names_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "t.toml"
    config.write_text('[[feeds.sources]]\nurl = "https://t.me/s/kpszsu"\ntype = "telegram"\nkind = "air_force"\n')
    monkeypatch.setenv("TOCSIN_FEEDS__TELEGRAM__ORIGIN", "http://127.0.0.1:31500")
    monkeypatch.setenv("TOCSIN_FEEDS__WEBSUB__CALLBACK_URL", "https://tocsin.example.org/websub")
    settings = load_settings(config)
    assert settings.feeds.telegram.origin.rstrip("/") == "http://127.0.0.1:31500"
    assert settings.feeds.websub.callback_url == "https://tocsin.example.org/websub" and settings.feeds.websub.host == "127.0.0.1"
    assert settings.feeds.sources[0].kind is SourceKind.AIR_FORCE
    config.write_text('[[feeds.sources]]\nurl = "https://t.me/kpszsu"\ntype = "telegram"\n')
    with pytest.raises(ConfigError, match=r"feeds\.sources\.0.*t\.me/s/<channel>"):
        load_settings(config)
