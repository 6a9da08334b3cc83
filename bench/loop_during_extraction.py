"""How long the event loop stalls while one hostile article is extracted: on the loop itself
(the baseline: how the extract agent ran) against on the agent's extraction thread.

A ticker sleeps 10 ms at a time on the loop and records each gap; the longest gap is how long
a Kafka heartbeat or a health probe would have waited.

    .venv/bin/python bench/loop_during_extraction.py [repeat count of "500 drones "]
"""

from __future__ import annotations

import asyncio
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from streams.extract import extract
from tocsin.records import Article, utc_now


async def _ticker(gaps: list[float], stop: asyncio.Event) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


async def _longest_gap(article: Article, threaded: bool) -> tuple[float, float]:
    gaps: list[float] = []
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticker(gaps, stop))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    if threaded:
        with ThreadPoolExecutor(max_workers=1) as cpu:
            await asyncio.get_running_loop().run_in_executor(cpu, extract, article)
    else:
        extract(article)
    took = time.perf_counter() - started
    await asyncio.sleep(0.05)
    stop.set()
    await ticker
    return took, max(gaps)


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    article = Article(id="hostile", url=None, title="Russia attacked Ukraine overnight", body="500 drones " * repeat,
                      fetched_at=utc_now(), sources=())
    on_loop = asyncio.run(_longest_gap(article, threaded=False))
    on_thread = asyncio.run(_longest_gap(article, threaded=True))
    print(f"article_bytes: {len(article.body)}")
    print(f"on_loop_extraction_s: {on_loop[0]:.2f}")
    print(f"on_loop_longest_gap_ms: {on_loop[1] * 1000:.0f}")
    print(f"on_thread_extraction_s: {on_thread[0]:.2f}")
    print(f"on_thread_longest_gap_ms: {on_thread[1] * 1000:.0f}")
    print(f"longest_gap_ratio_thread_to_loop: {on_thread[1] / on_loop[1]:.4f}")


if __name__ == "__main__":
    main()
