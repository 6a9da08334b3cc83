"""The Faust app: one agent per stage, each reading and writing its own topic.

    articles ─extract→ reports ─merge→ events ─detect/alert→ alerts ─deliver→ webhooks

Processing is at-least-once. Correctness under redelivery comes from
deterministic ids plus changelog-backed tables of what was already done, not
from Faust's exactly_once; every agent keeps concurrency 1 so offsets are
never committed past an unprocessed message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

import aiohttp
import faust
import structlog
from faust.types import EventT, StreamT

from streams.alert import threshold_alert
from streams.dead_letters import DeadLetters
from streams.deliver import DeliveryFailed, WebhookSender
from streams.detect import matching_rules
from streams.extract import extract
from streams.merge import attack_key, merge_report
from tocsin.kafka.topics import TopicSpec, topics_for
from tocsin.observability.metrics import ALERTS_DELIVERED, ALERTS_RAISED, RECORDS_CONSUMED
from tocsin.records import Alert, Article, AttackEvent, ExtractionReport, Record, RecordError, utc_now
from tocsin.settings import Settings

log = structlog.get_logger(__name__)

R = TypeVar("R", bound=Record)


def build_streams_app(settings: Settings, bootstrap: list[str]) -> faust.App:
    topics = topics_for(settings.kafka)
    app = faust.App(
        settings.kafka.app_id,
        broker=[f"kafka://{server}" for server in bootstrap],
        store="memory://",
        datadir=str(settings.data_dir / "worker"),
        autodiscover=False,
        web_enabled=False,
        topic_partitions=settings.kafka.topics.partitions,
        topic_replication_factor=settings.kafka.topics.replication_factor,
        topic_disable_leader=True,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
    )

    def topic(spec: TopicSpec) -> faust.TopicT:
        return app.topic(spec.name, key_serializer="raw", value_serializer="raw", partitions=spec.partitions)

    articles, reports, events, alerts = (topic(s) for s in (topics.articles, topics.reports, topics.events, topics.alerts))
    dead_letters = DeadLetters(topic(topics.dead_letters))

    def table(name: str, **options: object) -> faust.Table:
        return app.Table(name, key_serializer="json", partitions=settings.kafka.topics.partitions, **options)

    event_state = table("event-state", default=None, value_serializer="raw")
    alerts_fired = table("alerts-fired", default=bool, value_serializer="json")
    alerts_delivered = table("alerts-delivered", default=bool, value_serializer="json")

    async def decode(stage: str, event: EventT, schema: type[R]) -> R | None:
        RECORDS_CONSUMED.labels(stage).inc()
        try:
            return schema.from_bytes(event.value)
        except RecordError as exc:
            await dead_letters.send(stage, event, exc.reason, exc.detail)
            return None

    @app.agent(articles)
    async def extract_stage(stream: StreamT) -> None:
        async for event in stream.events():
            article = await decode("extract", event, Article)
            if article is None:
                continue
            try:
                report = extract(article)
            except Exception as exc:  # an extractor bug must not stop the pipeline
                log.exception("extraction failed", article_id=article.id)
                await dead_letters.send("extract", event, "extract_failed", f"{type(exc).__name__}: {exc}")
                continue
            if report.is_attack and report.attacker and report.target:
                arrived = datetime.fromtimestamp(event.message.timestamp, UTC)
                report = report.model_copy(update={"raw_arrived_at": arrived})
                await reports.send(key=attack_key(report).encode(), value=report.to_bytes())

    @app.agent(reports)
    async def merge_stage(stream: StreamT) -> None:
        async for event in stream.events():
            report = await decode("merge", event, ExtractionReport)
            if report is None:
                continue
            key = attack_key(report)
            stored = event_state[key]
            current = AttackEvent.from_bytes(stored) if stored else None
            revised = merge_report(current, report, utc_now())
            if revised is not None:
                await events.send(key=revised.event_id.encode(), value=revised.to_bytes())
                event_state[key] = revised.to_bytes()
                log.info("event revised", event_id=revised.event_id, revision=revised.revision, article_id=report.article_id)

    @app.agent(events)
    async def detect_stage(stream: StreamT) -> None:
        async for event in stream.events():
            attack = await decode("detect", event, AttackEvent)
            if attack is None:
                continue
            for rule in matching_rules(attack, settings.rules.threshold):
                alert = threshold_alert(attack, rule, utc_now())
                if alerts_fired[alert.alert_id]:
                    continue
                await alerts.send(key=alert.alert_id.encode(), value=alert.to_bytes())
                alerts_fired[alert.alert_id] = True
                ALERTS_RAISED.labels(alert.kind.value).inc()
                log.info("alert raised", alert_id=alert.alert_id, event_id=attack.event_id, rule=rule.name)

    @app.agent(alerts)
    async def deliver_stage(stream: StreamT) -> None:
        endpoints = [e for e in settings.webhooks.endpoints if e.enabled]
        async with aiohttp.ClientSession() as session:
            sender = WebhookSender(session, settings.webhooks.max_attempts)
            async for event in stream.events():
                alert = await decode("deliver", event, Alert)
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
                        await dead_letters.send("deliver", event, "delivery_failed", str(exc))
                        continue
                    alerts_delivered[done_key] = True
                    ALERTS_DELIVERED.labels(endpoint.name, "delivered").inc()
                    log.info("alert delivered", alert_id=alert.alert_id, endpoint=endpoint.name)

    return app
