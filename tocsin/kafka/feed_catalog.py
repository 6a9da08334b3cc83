"""Reading the feeds catalogue: the feed definitions and each feed's last state, from their compacted topics.

In the ground because the poller, the CLI and the API all read it."""

from __future__ import annotations

from tocsin.kafka.compacted import read_records
from tocsin.kafka.topics import TopicSpec
from tocsin.records.feed import FeedDefinition
from tocsin.records.feed_state import FeedState


async def definitions(bootstrap: list[str], topic: TopicSpec[FeedDefinition]) -> list[FeedDefinition]:
    found = await read_records(bootstrap, topic, "feeds")
    return sorted(found.values(), key=lambda d: d.config.display_name)


async def states(bootstrap: list[str], topic: TopicSpec[FeedState]) -> dict[str, FeedState]:
    return {k.decode(errors="replace"): state for k, state in (await read_records(bootstrap, topic, "feeds")).items()}
