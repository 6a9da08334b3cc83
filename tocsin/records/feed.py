"""A feed as it travels on the compacted feeds topic: key = feed id, value = definition, tombstone = removed."""

from __future__ import annotations

from tocsin.records.base import Record
from tocsin.settings import FeedConfig


class FeedDefinition(Record):
    SCHEMA = "tocsin.feed"
    VERSION = 1

    feed_id: str  # monitor.feeds.feed_id of the URL
    config: FeedConfig

    @property
    def key(self) -> bytes:
        return self.feed_id.encode()
