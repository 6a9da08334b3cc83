"""Optional per-feed fetch of the article page, with main-text extraction: attack
figures are often in the body, not the summary. Same fetcher, so the same per-host
limits, guard, timeouts and size cap apply; its own bound on concurrency."""

from __future__ import annotations

import asyncio

import structlog
import trafilatura

from monitor.exceptions import FetchError
from monitor.fetch import FeedFetcher
from tocsin.records import Article

log = structlog.get_logger(__name__)


def main_text(html: bytes, url: str) -> str | None:
    return trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)


class FullTextFetcher:
    def __init__(self, fetcher: FeedFetcher, concurrency: int) -> None:
        self._fetcher = fetcher
        self._slots = asyncio.Semaphore(concurrency)

    async def enrich(self, article: Article) -> Article:
        """The article with the page's main text as body; unchanged when the page cannot be had."""
        if not article.url:
            return article
        async with self._slots:
            try:
                page = await self._fetcher.fetch(article.url)
            except FetchError as exc:
                log.info("full text unavailable", article_id=article.id, url=article.url, reason=exc.reason)
                return article
            if page.body is None:
                return article
            text = await asyncio.to_thread(main_text, page.body, page.url)
        if not text or len(text) <= len(article.body):
            return article
        return article.model_copy(update={"body": text})
