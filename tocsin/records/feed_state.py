"""What a poller must remember about a feed, as one record keyed by feed id.

Written only after the articles of a poll were acknowledged by Kafka, so a
restart resumes from the last acknowledged poll: re-fetching what was not
acknowledged, never re-publishing what was.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from tocsin.records.base import Model, Record, UtcDatetime

_MIN_SEEN = 100
_SEEN_PER_ENTRY = 3
_SEP = " "


def _joined(ids: object) -> str:
    if not isinstance(ids, (list, tuple)) or not all(isinstance(i, str) and i and _SEP not in i for i in ids):
        raise ValueError("seen must be a list of non-empty ids without spaces")
    return _SEP.join(ids)


# A list of ids on the topic, one string in memory: ten thousand feeds times a hundred ids as
# separate str objects (85 bytes each, plus a tuple slot) were the largest part of a poller's RSS.
SeenIds = Annotated[str, BeforeValidator(_joined), PlainSerializer(lambda s: s.split(_SEP) if s else [], return_type=list[str])]


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


def staleness(health: Health, interval: float, now: datetime) -> tuple[float, bool]:
    """Seconds since the last successful poll, and whether that is more than three intervals
    (a feed that never succeeded is stale once it failed)."""
    if health.last_success is None:
        return 0.0, health.consecutive_errors > 0
    age = (now - health.last_success).total_seconds()
    return age, age > 3 * interval


class FeedState(Record):
    SCHEMA = "tocsin.feed_state"
    VERSION = 1

    feed_id: str
    url: str
    validators: Validators = Validators()
    # Oldest first. Bounded by what the feed shows, not by time, so memory stays
    # proportional to the feeds' sizes however long the poller runs.
    seen: SeenIds = ""
    health: Health = Health()
    ttl_minutes: int | None = None  # the feed's RSS <ttl>, remembered for the 304s that follow

    @property
    def key(self) -> bytes:
        return self.feed_id.encode()

    @property
    def seen_ids(self) -> tuple[str, ...]:
        return tuple(self.seen.split(_SEP)) if self.seen else ()

    def with_seen(self, current: Sequence[str], new: Sequence[str]) -> str:
        """Seen ids (in their compact form) after a poll whose document listed ``current`` and added ``new``."""
        keep = max(_MIN_SEEN, _SEEN_PER_ENTRY * len(current))
        merged = dict.fromkeys((*self.seen_ids, *new))
        for article_id in current:  # still listed: move to the young end
            merged.pop(article_id, None)
            merged[article_id] = None
        return _joined(list(merged)[-keep:])

    def polled(
        self, at: datetime, next_poll: datetime, status: int, validators: Validators, seen: str, new: int, ttl_minutes: int | None
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
