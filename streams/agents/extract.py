from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial

import structlog
from faust.types import StreamT

from streams.extract import Work, extract
from streams.merge import pair_key
from streams.pipeline import Pipeline
from tocsin.observability.metrics import EXTRACTIONS, EXTRACTIONS_CAPPED, RECORDS_PRODUCED
from tocsin.records import Article

log = structlog.get_logger(__name__)


def register(p: Pipeline) -> None:
    for result in ("attack", "not_attack", "incomplete", "failed"):  # series from the start, so rate() sees the first one
        EXTRACTIONS.labels(result)

    # Extraction is CPU work of milliseconds an article (seconds for a hostile one): on its own
    # thread, the event loop keeps answering Kafka heartbeats and health probes meanwhile (the
    # interpreter hands it the GIL every few milliseconds; bench/loop_during_extraction.py). One
    # thread: the agent waits for each article anyway, in order.
    cpu = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tocsin-extract")

    @p.app.agent(p.articles, name="extract")
    async def extract_stage(stream: StreamT) -> None:
        loop = asyncio.get_running_loop()
        async for event, article in p.records("extract", p.each(stream), Article):
            work = Work()
            try:
                report = await loop.run_in_executor(cpu, partial(extract, article, work=work))
            except Exception as exc:  # an extractor bug must not stop the pipeline
                log.exception("extraction failed", article_id=article.id)
                EXTRACTIONS.labels("failed").inc()
                await p.dead_letters.send("extract", event, "extract_failed", f"{type(exc).__name__}: {exc}")
                continue
            if work.capped:
                EXTRACTIONS_CAPPED.inc()
                log.warning("extraction capped", article_id=article.id, split_sentences=work.split_sentences,
                            dropped_counts=work.dropped_counts, skipped_sentences=work.skipped_sentences,
                            truncated_fields=work.truncated_fields)
            if report.mergeable:
                arrived = datetime.fromtimestamp(event.message.timestamp, UTC)
                report = report.model_copy(update={"raw_arrived_at": arrived})
                # Keyed by attacker>target: every report of an attack, in order, on one partition.
                # Acknowledged before the article is: a worker killed with the report still in
                # its producer's buffer must read the article again, or the attack is lost.
                await p.publish("extract", p.reports, [(pair_key(report).encode(), report.to_bytes(), None)])
                RECORDS_PRODUCED.labels("extract").inc()
                EXTRACTIONS.labels("attack").inc()
                log.info("attack extracted", article_id=article.id, attacker=report.attacker, target=report.target)
            else:
                EXTRACTIONS.labels("incomplete" if report.is_attack else "not_attack").inc()
