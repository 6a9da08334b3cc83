"""``tocsin replay --wait``: wait for every stage to process what was published, then say what came out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from aiokafka import ConsumerRecord, TopicPartition

from tocsin.kafka.drain import Stage, end_offsets, read_from, wait_drained
from tocsin.kafka.topics import Topics, deliver_group
from tocsin.records import Alert, AlertKind, AttackEvent, RecordError
from tocsin.settings import Settings


def pipeline_stages(settings: Settings, topics: Topics) -> list[Stage]:
    """The worker's group over the stream topics; the deliverer's over the alerts, where one has run."""
    return [
        Stage(settings.kafka.app_id, (topics.articles.name, topics.reports.name, topics.events.name)),
        Stage(deliver_group(settings.kafka), (topics.alerts.name,), optional=True),
    ]


class Outcome:
    """Marks where the outputs ended before publishing; after the drain, reads what came since."""

    def __init__(self, settings: Settings, topics: Topics, bootstrap: list[str]) -> None:
        self._stages = pipeline_stages(settings, topics)
        self._topics = topics
        self._bootstrap = bootstrap
        self._starts: dict[TopicPartition, int] = {}

    async def mark(self) -> None:
        self._starts = await end_offsets(self._bootstrap, (self._topics.events.name, self._topics.alerts.name))

    async def wait(self, timeout: float) -> list[str]:
        await wait_drained(self._bootstrap, self._stages, timeout)
        return produced_lines(await read_from(self._bootstrap, self._starts), self._topics)


def produced_lines(records: Iterable[ConsumerRecord], topics: Topics) -> list[str]:
    """``name: value`` lines: events (live, merged into another, disputed) and alerts by kind, with updates."""
    events: dict[str, AttackEvent] = {}
    alerts: dict[str, Alert] = {}
    undecodable = 0
    for record in records:
        try:
            if record.topic == topics.events.name:
                event = topics.events.record.from_bytes(record.value)
                if not event.historical:
                    events[event.event_id] = event
            else:
                alert = topics.alerts.record.from_bytes(record.value)
                alerts[alert.alert_id] = alert
        except RecordError:
            undecodable += 1
    live = [e for e in events.values() if e.merged_into is None]
    kinds = Counter(a.kind.value for a in alerts.values())
    lines = [
        f"events: {len(live)}",
        f"events merged into another: {len(events) - len(live)}",
        f"events disputed: {sum(1 for e in live if any(f.disputed for f in e.figures))}",
        *(f"alerts {kind.value}: {kinds[kind.value]}" for kind in AlertKind),
        f"alerts updated: {sum(1 for a in alerts.values() if a.revision > 1 and not a.superseded)}",
        f"alerts superseded: {sum(1 for a in alerts.values() if a.superseded)}",
    ]
    return lines + ([f"records undecodable: {undecodable}"] if undecodable else [])
