"""A feed as it travels on the compacted feeds topic: key = feed id, value = definition, tombstone = removed."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from tocsin.records.base import Model, Record
from tocsin.records.article import SourceKind
from tocsin.settings import FeedConfig, PositiveSeconds, SourceType


class FeedSource(Model):
    """A feed's config as it travels: FeedConfig's JSON shape, its own model, so that a config key
    added later changes neither this wire format nor what an older poller accepts (it ignores the
    keys it does not know). FeedConfig's rules apply when it is read (``FeedDefinition``)."""

    model_config = ConfigDict(frozen=True, extra="ignore", ser_json_inf_nan="constants")

    url: str
    type: SourceType = "feed"
    name: str | None = None
    language: str | None = None
    interval_seconds: PositiveSeconds | None = None
    tags: list[str] = Field(default_factory=list)
    full_text: bool = False
    kind: SourceKind = SourceKind.MEDIA
    timezone: str | None = None

    @classmethod
    def of(cls, config: FeedConfig) -> FeedSource:
        return cls.model_validate(config.model_dump(mode="json"))

    def feed_config(self) -> FeedConfig:
        return FeedConfig.model_validate(self.model_dump(mode="json"))

    @property
    def display_name(self) -> str:
        return self.name or self.url


class FeedDefinition(Record):
    SCHEMA = "tocsin.feed"
    VERSION = 1

    feed_id: str  # monitor.feeds.feed_id of the URL
    config: FeedSource

    @model_validator(mode="after")
    def _a_valid_config(self) -> FeedDefinition:
        # Refused here, where decoding reports it, rather than when the poller converts it.
        self.config.feed_config()
        return self

    @property
    def key(self) -> bytes:
        return self.feed_id.encode()
