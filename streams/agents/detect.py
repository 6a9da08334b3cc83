from __future__ import annotations

import structlog
from faust.types import StreamT

from streams.alert import threshold_alert
from streams.detect import matching_rules
from streams.pipeline import Pipeline
from tocsin.observability.metrics import ALERTS_RAISED
from tocsin.records import AttackEvent, utc_now

log = structlog.get_logger(__name__)


def register(p: Pipeline) -> None:
    alerts_fired = p.table("alerts-fired", "json", default=bool)

    @p.app.agent(p.events, name="detect")
    async def detect_stage(stream: StreamT) -> None:
        async for event in stream.events():
            attack = await p.decode("detect", event, AttackEvent)
            if attack is None:
                continue
            for rule in matching_rules(attack, p.settings.rules.threshold):
                alert = threshold_alert(attack, rule, utc_now())
                if alerts_fired[alert.alert_id]:
                    continue
                # Published before it is marked fired: a crash in between re-sends the
                # same alert id, which delivery drops, rather than losing the alert.
                await p.alerts.send(key=alert.alert_id.encode(), value=alert.to_bytes())
                alerts_fired[alert.alert_id] = True
                ALERTS_RAISED.labels(alert.kind.value).inc()
                log.info("alert raised", alert_id=alert.alert_id, event_id=attack.event_id, rule=rule.name)
