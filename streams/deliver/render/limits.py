"""Destination size limits, from each platform's documentation."""

from __future__ import annotations

# Slack Block Kit: https://api.slack.com/reference/block-kit/blocks
SLACK_MAX_BLOCKS = 50
SLACK_HEADER_TEXT = 150
SLACK_SECTION_TEXT = 3000
SLACK_FIELD_TEXT = 2000
SLACK_MAX_FIELDS = 10
SLACK_FALLBACK_TEXT = 4000  # longer top-level text is truncated by Slack

# Discord embeds: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4096
DISCORD_FIELDS = 25
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1024
DISCORD_FOOTER = 2048
DISCORD_EMBED_TOTAL = 6000

# Teams workflow webhooks: the whole message must stay under 28 KB.
TEAMS_MESSAGE_BYTES = 28 * 1024

# Telegram Bot API sendMessage: 1-4096 characters of text.
TELEGRAM_TEXT = 4096


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
