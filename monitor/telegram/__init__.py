"""Public Telegram channels as a source: their web preview (t.me/s/<channel>), no account or API key."""
from monitor.telegram.channel import ChannelReader, ChannelResult, digest_channel
from monitor.telegram.page import ChannelPage, Post, parse_page

__all__ = ["ChannelPage", "ChannelReader", "ChannelResult", "Post", "digest_channel", "parse_page"]
