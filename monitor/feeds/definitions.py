"""Feed identity: one id per canonical URL, and the definition record built from a feed's config."""

from __future__ import annotations

import hashlib

from monitor.normalise import canonical_url
from tocsin.records.feed import FeedDefinition, FeedSource
from tocsin.settings import FeedConfig


def feed_id(url: str) -> str:
    # From the canonical URL, so `feeds add` of a spelling variant updates instead of duplicating.
    return "feed_" + hashlib.sha256(canonical_url(url).encode()).hexdigest()[:20]


def definition_of(config: FeedConfig) -> FeedDefinition:
    return FeedDefinition(feed_id=feed_id(config.url), config=FeedSource.of(config))
