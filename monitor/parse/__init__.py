from monitor.parse.entry import FeedEntry
from monitor.parse.parser import ParsedFeed, parse_feed

__all__ = ["FeedEntry", "ParsedFeed", "parse_feed"]
