from __future__ import annotations

import aiohttp
import structlog
from faust.types import StreamT

from streams.deliver import DeliveryFailed, WebhookSender
from streams.pipeline import Pipeline
from tocsin.observability.metrics import ALERTS_DELIVERED
from tocsin.records import Alert

log = structlog.get_logger(__name__)


def register(p: Pipeline) -> None:
    alerts_delivered = p.table("alerts-delivered", "json", default=bool)
    webhooks = p.settings.webhooks

    @p.app.agent(p.alerts, name="deliver")
    async def deliver_stage(stream: StreamT) -> None:
        endpoints = [e for e in webhooks.endpoints if e.enabled]
        async with aiohttp.ClientSession() as session:
            sender = WebhookSender(session, webhooks.max_attempts)
            async for event in stream.events():
                alert = await p.decode("deliver", event, Alert)
                if alert is None:
                    continue
                for endpoint in endpoints:
                    done_key = f"{alert.alert_id}|{endpoint.name}"
                    if alerts_delivered[done_key]:
                        continue
                    try:
                        await sender.deliver(endpoint, alert)
                    except DeliveryFailed as exc:
                        ALERTS_DELIVERED.labels(endpoint.name, "failed").inc()
                        await p.dead_letters.send("deliver", event, "delivery_failed", str(exc))
                        continue
                    alerts_delivered[done_key] = True
                    ALERTS_DELIVERED.labels(endpoint.name, "delivered").inc()
                    log.info("alert delivered", alert_id=alert.alert_id, endpoint=endpoint.name)
