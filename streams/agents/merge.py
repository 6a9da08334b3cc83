from __future__ import annotations

import structlog
from faust.types import StreamT

from streams.merge import attack_key, merge_report
from streams.pipeline import Pipeline
from tocsin.records import AttackEvent, ExtractionReport, utc_now

log = structlog.get_logger(__name__)


def register(p: Pipeline) -> None:
    event_state = p.table("event-state", "raw")

    @p.app.agent(p.reports, name="merge")
    async def merge_stage(stream: StreamT) -> None:
        async for event in stream.events():
            report = await p.decode("merge", event, ExtractionReport)
            if report is None:
                continue
            key = attack_key(report)
            stored = event_state.get(key)
            current = AttackEvent.from_bytes(stored) if stored else None
            revised = merge_report(current, report, utc_now())
            if revised is not None:
                await p.events.send(key=revised.event_id.encode(), value=revised.to_bytes())
                event_state[key] = revised.to_bytes()
                log.info("event revised", event_id=revised.event_id, revision=revised.revision, article_id=report.article_id)
