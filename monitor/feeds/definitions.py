"""A feed as it travels on the compacted feeds topic: key = feed id, value = definition, tombstone = removed."""

from __future__ import annotations

import hashlib

from monitor.normalise.urls import canonical_url
from tocsin.records.base import Record
from tocsin.settings import FeedConfig


def feed_id(url: str) -> str:
    # From the canonical URL, so `feeds add` of a spelling variant updates instead of duplicating.
    return "feed_" + hashlib.sha256(canonical_url(url).encode()).hexdigest()[:20]


class FeedDefinition(Record):
    SCHEMA = "tocsin.feed"
    VERSION = 1

    feed_id: str
    config: FeedConfig

    @classmethod
    def of(cls, config: FeedConfig) -> FeedDefinition:
        return cls(feed_id=feed_id(config.url), config=config)

    @property
    def key(self) -> bytes:
        return self.feed_id.encode()
