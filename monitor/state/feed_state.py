"""What a poller must remember about a feed, as one record keyed by feed id.

Written only after the articles of a poll were acknowledged by Kafka, so a
restart resumes from the last acknowledged poll: re-fetching what was not
acknowledged, never re-publishing what was.
"""

from __future__ import annotations

from datetime import datetime

from tocsin.records.base import Model, Record, UtcDatetime

_MIN_SEEN = 100
_SEEN_PER_ENTRY = 3


class Validators(Model):
    """What the server gave us to make the next GET conditional."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class Health(Model):
    last_success: UtcDatetime | None = None
    last_error: str | None = None
    last_error_at: UtcDatetime | None = None
    consecutive_errors: int = 0
    next_poll: UtcDatetime | None = None
    items_seen: int = 0
    last_status: int | None = None


class FeedState(Record):
    SCHEMA = "tocsin.feed_state"
    VERSION = 1

    feed_id: str
    url: str
    validators: Validators = Validators()
    # Oldest first. Bounded by what the feed shows, not by time, so memory stays
    # proportional to the feeds' sizes however long the poller runs.
    seen: tuple[str, ...] = ()
    health: Health = Health()
    ttl_minutes: int | None = None  # the feed's RSS <ttl>, remembered for the 304s that follow

    @property
    def key(self) -> bytes:
        return self.feed_id.encode()

    def with_seen(self, current: list[str], new: list[str]) -> tuple[str, ...]:
        """Seen ids after a poll whose document listed ``current`` and added ``new``."""
        keep = max(_MIN_SEEN, _SEEN_PER_ENTRY * len(current))
        merged = dict.fromkeys((*self.seen, *new))
        for article_id in current:  # still listed: move to the young end
            merged.pop(article_id, None)
            merged[article_id] = None
        return tuple(merged)[-keep:]

    def polled(
        self, at: datetime, next_poll: datetime, status: int, validators: Validators, seen: tuple[str, ...], new: int, ttl_minutes: int | None
    ) -> FeedState:
        health = self.health.model_copy(
            update={"last_success": at, "consecutive_errors": 0, "next_poll": next_poll, "items_seen": self.health.items_seen + new, "last_status": status}
        )
        return self.model_copy(update={"validators": validators, "seen": seen, "health": health, "ttl_minutes": ttl_minutes})

    def failed(self, at: datetime, next_poll: datetime, error: str, status: int | None) -> FeedState:
        health = self.health.model_copy(
            update={
                "last_error": error,
                "last_error_at": at,
                "consecutive_errors": self.health.consecutive_errors + 1,
                "next_poll": next_poll,
                "last_status": status,
            }
        )
        return self.model_copy(update={"health": health})
