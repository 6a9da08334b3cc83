"""Per-feed state (validators, seen ids, health), persisted on the compacted feed-state topic.

The record lives in the ground (``tocsin.records``) because the API reads it too."""
from tocsin.records.feed_state import FeedState, Health, Validators, staleness

__all__ = ["FeedState", "Health", "Validators", "staleness"]
