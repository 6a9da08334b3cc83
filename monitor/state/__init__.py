"""Per-feed state (validators, seen ids, health), persisted on the compacted feed-state topic."""
from monitor.state.feed_state import FeedState, Health, Validators, staleness

__all__ = ["FeedState", "Health", "Validators", "staleness"]
