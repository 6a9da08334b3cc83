from __future__ import annotations

from datetime import datetime

import structlog
from faust.types import StreamT

from streams.detect import AlertLogEntry, Detection, RecordLadder, cooldown_key, detect
from streams.merge import record_scope
from streams.pipeline import Pipeline
from streams.tables import RECORDS_TABLE
from tocsin.observability.metrics import ALERTS_RAISED, RAW_TO_ALERT_SECONDS, RECORDS_PRODUCED
from tocsin.records import AlertKind, AttackEvent, Metric, utc_now

log = structlog.get_logger(__name__)


def ladder_key(scope: str, metric: Metric) -> str:
    return f"{scope}|{metric.value}"


def register(p: Pipeline) -> None:
    for kind in AlertKind:  # series from the start, so rate() sees the first alert
        ALERTS_RAISED.labels(kind.value)
    ladders = p.table(RECORDS_TABLE, "raw")
    alert_log = p.table("alert-log", "raw")
    cooldowns = p.table("rule-cooldowns", "json")
    rules = p.settings.rules

    @p.app.agent(p.events, name="detect")
    async def detect_stage(stream: StreamT) -> None:
        async for _, event in p.records("detect", p.each(stream), AttackEvent):
            scope = record_scope(event)
            clocks = {cooldown_key(r, event) for r in rules.threshold if r.cooldown_hours is not None}

            def detected() -> Detection:
                return detect(
                    event,
                    record_metrics=rules.record_metrics,
                    rules=rules.threshold,
                    ladders={m: RecordLadder.from_bytes(raw) for m in rules.record_metrics if (raw := ladders.get(ladder_key(scope, m)))},
                    log=lambda key: AlertLogEntry.from_bytes(raw) if (raw := alert_log.get(key)) else None,
                    cooldowns={c: datetime.fromisoformat(at) for c in clocks if (at := cooldowns.get(c))},
                    now=utc_now(),
                )

            found = await p.durably("detect", detected)
            # Acknowledged before the state that says they were raised (streams.app): a crash in
            # between publishes the same alert ids again, never loses them.
            await p.publish("detect", p.alerts, [(a.alert_id.encode(), a.to_bytes(), None) for a in found.alerts])
            for alert in found.alerts:
                RECORDS_PRODUCED.labels("detect").inc()
                ALERTS_RAISED.labels(alert.kind.value).inc()
                if event.last_raw_arrived_at is not None:
                    RAW_TO_ALERT_SECONDS.observe((utc_now() - event.last_raw_arrived_at).total_seconds())
                log.info("alert raised", alert_id=alert.alert_id, kind=alert.kind.value, metric=alert.metric.value,
                         value=alert.value, revision=alert.revision, event_id=alert.event.event_id, superseded=alert.superseded)

            def record() -> None:
                for metric, ladder in found.ladders.items():
                    ladders[ladder_key(scope, metric)] = ladder.to_bytes()
                for key, entry in found.log.items():
                    alert_log[key] = entry.to_bytes()
                for clock, moment in found.cooldowns.items():
                    cooldowns[clock] = moment.isoformat()

            await p.durably("detect", record)
