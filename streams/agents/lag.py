"""Consumer lag per pipeline topic (summed over this worker's partitions: bounded labels).

Table changelogs are left out: the worker reads them only while recovering.
"""

from __future__ import annotations

from collections import Counter

from streams.pipeline import Pipeline
from tocsin.observability.metrics import CONSUMER_LAG


def register(p: Pipeline) -> None:
    inputs = {topic.get_topic_name() for topic in (p.articles, p.reports, p.events, p.alerts)}

    @p.app.timer(5.0)
    async def measure_lag() -> None:
        consumer = p.app.consumer
        lag: Counter[str] = Counter({topic: 0 for topic in inputs})
        for tp in consumer.assignment():
            if tp.topic not in inputs:
                continue
            highwater, position = consumer.highwater(tp), await consumer.position(tp)
            if highwater is not None and position is not None:
                lag[tp.topic] += max(highwater - position, 0)
        for topic, behind in lag.items():
            CONSUMER_LAG.labels(topic).set(behind)
