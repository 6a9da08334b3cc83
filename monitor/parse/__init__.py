from monitor.parse.entry import Entry, FeedEntry
from monitor.parse.parser import ParsedFeed, parse_feed

__all__ = ["Entry", "FeedEntry", "ParsedFeed", "parse_feed"]
