"""Which feeds exist: config, runtime additions and OPML, as records on the feeds topic."""
from monitor.feeds import catalog
from monitor.feeds.definitions import definition_of, feed_id
from monitor.feeds.opml import feeds_from_opml
from tocsin.records.feed import FeedDefinition

__all__ = ["FeedDefinition", "catalog", "definition_of", "feed_id", "feeds_from_opml"]
