from monitor.parse.parser import FeedEntry, ParsedFeed, parse_feed

__all__ = ["FeedEntry", "ParsedFeed", "parse_feed"]
