"""Chat destinations: Slack blocks, Discord embeds, a Teams Adaptive Card and a
Telegram message, each clipped to the destination's documented limits. Pure."""

from __future__ import annotations

import json
from typing import Any

from streams.deliver.render import limits
from streams.deliver.render.limits import clip
from streams.deliver.render.summary import Summary, summarise
from tocsin.records import Alert

_DISCORD_COLOURS = {"info": 0x3498DB, "warning": 0xF1C40F, "critical": 0xE74C3C}


def _plain(summary: Summary) -> str:
    lines = [summary.title, *(f"{label}: {value}" for label, value in summary.lines)]
    lines += [f"Source: {name}" + (f" {url}" if url else "") for name, url in summary.sources]
    lines.append(f"Alert id: {summary.alert_id}")
    return "\n".join(lines)


# Source names and URLs come from feeds: in link syntax they must stay text. The link's own
# delimiters in a URL are percent-encoded (the same URL to a browser).
_LINK_URL = str.maketrans({"|": "%7C", "<": "%3C", ">": "%3E", "(": "%28", ")": "%29", " ": "%20", "[": "%5B", "]": "%5D"})


def _slack_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(name: str, url: str | None) -> str:
    # Slack has no escape for "|" in link text (it would end the text and let the rest spoof it).
    escaped = _slack_text(name).replace("|", "\u2223")  # a look-alike
    return f"<{url.translate(_LINK_URL)}|{escaped}>" if url else escaped


# Inline markdown and the masked link's own brackets (each link starts its line, so no headings or lists).
_DISCORD_MARKDOWN = str.maketrans({c: f"\\{c}" for c in "\\*_~`|>[]()<"})


def _discord_link(name: str, url: str | None) -> str:
    escaped = name.translate(_DISCORD_MARKDOWN)
    return f"[{escaped}]({url.translate(_LINK_URL)})" if url else escaped


def slack(alert: Alert) -> dict[str, Any]:
    s = summarise(alert)
    fields = [{"type": "mrkdwn", "text": clip(f"*{_slack_text(label)}*\n{_slack_text(value)}", limits.SLACK_FIELD_TEXT)} for label, value in s.lines]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": clip(s.title, limits.SLACK_HEADER_TEXT)}}]
    for start in range(0, len(fields), limits.SLACK_MAX_FIELDS):
        blocks.append({"type": "section", "fields": fields[start : start + limits.SLACK_MAX_FIELDS]})
    if s.sources:
        text = "Sources: " + " · ".join(_slack_link(name, url) for name, url in s.sources)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(text, limits.SLACK_SECTION_TEXT)}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"Tocsin alert `{s.alert_id}`"}]})
    # The fallback text is mrkdwn too (notifications show it): escaped like the blocks.
    return {"text": clip(_slack_text(_plain(s)), limits.SLACK_FALLBACK_TEXT), "blocks": blocks[: limits.SLACK_MAX_BLOCKS]}


def discord(alert: Alert) -> dict[str, Any]:
    s = summarise(alert)
    fields = [
        {"name": clip(label, limits.DISCORD_FIELD_NAME), "value": clip(value, limits.DISCORD_FIELD_VALUE), "inline": True}
        for label, value in s.lines[: limits.DISCORD_FIELDS]
    ]
    description = "\n".join(_discord_link(name, url) for name, url in s.sources)
    embed: dict[str, Any] = {
        "title": clip(s.title, limits.DISCORD_TITLE),
        "description": clip(description, limits.DISCORD_DESCRIPTION),
        "color": _DISCORD_COLOURS[alert.severity.value],
        "fields": fields,
        "footer": {"text": f"Tocsin alert {s.alert_id}"},
        "timestamp": alert.raised_at.isoformat(),
    }
    # The 6,000-character budget is for the whole embed: drop trailing fields until it fits.
    while _discord_size(embed) > limits.DISCORD_EMBED_TOTAL and embed["fields"]:
        embed["fields"].pop()
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def _discord_size(embed: dict[str, Any]) -> int:
    fields = sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    return len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"]) + fields


def teams(alert: Alert) -> dict[str, Any]:
    s = summarise(alert)
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": s.title, "weight": "Bolder", "size": "Medium", "wrap": True,
             "color": "Attention" if alert.severity.value == "critical" else "Default"},
            {"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in s.lines]},
            {"type": "TextBlock", "text": f"Tocsin alert {s.alert_id}", "isSubtle": True, "size": "Small", "wrap": True},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": clip(name, 60), "url": url} for name, url in s.sources if url][:5],
    }
    message = {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}
    facts = card["body"][1]["facts"]
    while len(json.dumps(message).encode()) > limits.TEAMS_MESSAGE_BYTES and facts:
        facts.pop()
    return message


def telegram(alert: Alert, chat_id: str) -> dict[str, Any]:
    return {
        "chat_id": chat_id,
        "text": clip(_plain(summarise(alert)), limits.TELEGRAM_TEXT),
        "link_preview_options": {"is_disabled": True},
    }
