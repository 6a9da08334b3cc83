"""Hostile text from feeds in what Tocsin sends: link text cannot spoof or break chat
markup, and only http(s) URLs reach a payload."""

from __future__ import annotations

import json

import pytest

from streams.deliver.render import render
from streams.deliver.sample import sample_alert
from tocsin.records import Alert, AlertKind, Article, ExtractionReport, utc_now
from tocsin.settings import WebhookEndpoint


def _with_source(name: str, url: str) -> Alert:
    """The sample alert whose first source is ``name`` at ``url``, validated as it would be read from Kafka."""
    document = json.loads(sample_alert(AlertKind.RECORD).to_bytes())
    document["event"]["sources"][0].update(source=name, url=url)
    return Alert.from_bytes(json.dumps(document).encode())


def _body(alert: Alert, fmt: str) -> str:
    endpoint = WebhookEndpoint(name=fmt, url="https://hooks.example/x", format=fmt, telegram_chat_id="-1")
    return render(alert, endpoint).content.decode()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>x</script>", "file:///etc/passwd", "  http://x.org"])
@pytest.mark.parametrize("fmt", ["cloudevents", "slack", "discord", "teams", "telegram"])
def test_only_http_urls_reach_a_payload(url: str, fmt: str) -> None:
    alert = _with_source("Evil feed", url)
    assert alert.event.sources[0].url is None
    body = _body(alert, fmt)
    assert url.strip().split(":")[0] + ":" not in body.replace("https:", "").replace("http:", "")


def test_article_and_report_urls_are_http_only() -> None:
    article = Article(id="a", url="javascript:alert(1)", title="t", fetched_at=utc_now(), sources=())
    assert article.url is None
    raw = ExtractionReport(
        article_id="a", article_url="https://x.org/a", source="s", is_attack=False, confidence=0.5, extractor="x"
    ).to_bytes().replace(b"https://x.org/a", b"data:text/html,x")
    assert ExtractionReport.from_bytes(raw).article_url is None


def test_slack_link_text_cannot_spoof_the_link() -> None:
    alert = _with_source("Kyiv Post|https://evil.example <!channel> & co", "https://news.example/a|b>c")
    message = json.loads(_body(alert, "slack"))
    assert "<!channel>" not in message["text"] and "&lt;!channel&gt;" in message["text"]  # the notification text too
    blocks = message["blocks"]
    sources = next(b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "").startswith("Sources:"))
    link = sources.split(" · ")[0].removeprefix("Sources: ")
    # One link: the URL up to the only "|", the text after it, nothing that Slack reads as markup.
    assert link.count("|") == 1 and link.count("<") == 1 and link.count(">") == 1
    url, text = link[1:-1].split("|")
    assert url == "https://news.example/a%7Cb%3Ec"
    assert text == "Kyiv Post\u2223https://evil.example &lt;!channel&gt; &amp; co"


def test_discord_link_text_is_escaped_markdown() -> None:
    alert = _with_source("x](https://evil.example) **bold** `code`", "https://news.example/a)b")
    description = json.loads(_body(alert, "discord"))["embeds"][0]["description"]
    first = description.splitlines()[0]
    assert first == "[x\\]\\(https://evil.example\\) \\*\\*bold\\*\\* \\`code\\`](https://news.example/a%29b)"


def test_telegram_is_plain_text() -> None:
    alert = _with_source("<b>*bold*</b>", "https://news.example/a")
    body = json.loads(_body(alert, "telegram"))
    assert "parse_mode" not in body  # no markup is interpreted, so none needs escaping
    assert "<b>*bold*</b>" in body["text"]
