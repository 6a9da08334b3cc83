"""Consumer lag of the worker's pipeline topics (see tocsin.observability.lag).

Table changelogs are left out: the worker reads them only while recovering. The
alerts topic is the deliverer's (streams.deliver.service).
"""

from __future__ import annotations

from streams.pipeline import Pipeline
from tocsin.observability.lag import LagMeter


def register(p: Pipeline) -> None:
    meter = LagMeter(topic.get_topic_name() for topic in (p.articles, p.reports, p.events))

    @p.app.timer(5.0)
    async def measure_lag() -> None:
        await meter.measure(p.app.consumer)
