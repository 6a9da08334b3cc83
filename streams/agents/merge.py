from __future__ import annotations

from collections.abc import Mapping

import structlog
from faust.types import StreamT

from streams.merge import Merged, OpenEvents, merge_into, pair_key, partition_for, record_scope
from streams.pipeline import Pipeline
from streams.tables import EVENTS_TABLE, REVISIONS_TABLE
from tocsin.observability.metrics import EVENTS_OPEN, MERGES, RECORDS_PRODUCED
from tocsin.records import AttackEvent, ExtractionReport, utc_now

log = structlog.get_logger(__name__)

REVISIONS_KEPT = 100


def stored_event(events: Mapping[str, bytes], event_id: str) -> AttackEvent | None:
    raw = events.get(event_id)
    return AttackEvent.from_bytes(raw) if raw else None


def register(p: Pipeline) -> None:
    for result in ("new_event", "revised", "unchanged", "bridged"):  # series from the start, so rate() sees the first one
        MERGES.labels(result)
    open_events = p.table("open-events", "raw")
    events = p.table(EVENTS_TABLE, "raw")
    revisions = p.table(REVISIONS_TABLE, "json", default=list)
    partitions = p.settings.kafka.topics.partitions

    @p.app.agent(p.reports, name="merge")
    async def merge_stage(stream: StreamT) -> None:
        async for _, report in p.records("merge", p.each(stream), ExtractionReport):
            key = pair_key(report)

            def merged_report() -> tuple[OpenEvents, Merged | None, dict[str, list[dict[str, object]]]]:
                stored = open_events.get(key)
                state = OpenEvents.from_bytes(stored) if stored else OpenEvents()
                merged = merge_into(state.events, report, utc_now(), lambda event_id: stored_event(events, event_id))
                touched = (merged.event, *merged.absorbed) if merged else ()
                return state, merged, {e.event_id: revisions[e.event_id] for e in touched}

            state, merged, past_revisions = await p.durably("merge", merged_report)
            if merged is None:
                MERGES.labels("unchanged").inc()
                continue
            revised = merged.event
            MERGES.labels("new_event" if revised.revision == 1 else "revised").inc()
            changed = (revised, *merged.absorbed)
            encoded = {e.event_id: e.to_bytes() for e in changed}
            # Keyed by event id (compaction keeps its latest revision), routed to its record scope's partition.
            await p.publish("merge", p.events, [  # acknowledged before the state that says they were (streams.app)
                (e.event_id.encode(), encoded[e.event_id], partition_for(record_scope(e), partitions)) for e in changed
            ])
            RECORDS_PRODUCED.labels("merge").inc(len(changed))
            opened = OpenEvents(events=tuple(merged.open_events))
            # The latest revisions only: a story re-reported for days must not grow one value past a record's size.
            kept = {e.event_id: [*past_revisions[e.event_id], revision_summary(e)][-REVISIONS_KEPT:] for e in changed}

            def record() -> None:
                for event_id, value in encoded.items():
                    events[event_id] = value
                    revisions[event_id] = kept[event_id]
                if opened != state:
                    open_events[key] = opened.to_bytes()

            await p.durably("merge", record)
            for alias in merged.absorbed:
                MERGES.labels("bridged").inc()
                log.info("events bridged", event_id=revised.event_id, alias=alias.event_id, article_id=report.article_id)
            log.info("event revised", event_id=revised.event_id, revision=revised.revision, article_id=report.article_id)

    @p.app.timer(10.0)
    async def count_open_events() -> None:
        EVENTS_OPEN.set(sum(len(OpenEvents.from_bytes(raw).events) for raw in open_events.values()))


def revision_summary(event: AttackEvent) -> dict[str, object]:
    """What the API shows of each revision: when, which report, the figures then."""
    latest = event.sources[-1]
    return {
        "revision": event.revision,
        "updated_at": event.updated_at.isoformat(),
        "article_id": latest.article_id,
        "source": latest.source,
        "figures": {f.metric.value: f.value for f in event.figures},
        "disputed": {f.metric.value: list(f.disputed) for f in event.figures if f.disputed},
        "merged_into": event.merged_into,
    }
