"""Which feeds exist: config, runtime additions and OPML, as records on the feeds topic."""
from monitor.feeds.definitions import FeedDefinition, feed_id
from monitor.feeds.opml import feeds_from_opml

__all__ = ["FeedDefinition", "feed_id", "feeds_from_opml"]
