from monitor.parse.charset import decode
from monitor.parse.entry import Entry, FeedEntry
from monitor.parse.parser import ParsedFeed, parse_feed

__all__ = ["Entry", "decode", "FeedEntry", "ParsedFeed", "parse_feed"]
