"""Builders shared by the extraction tests: an Article from a few strings."""

from __future__ import annotations

from datetime import datetime

import pytest

from streams.extract import Work, extract
from tocsin.records.article import Article, ArticleSource, SourceKind
from tocsin.records.report import ExtractionReport

PUBLISHED = "2025-07-04T09:12:00+03:00"


def article(
    title: str, body: str = "", *, summary: str = "", published: str = PUBLISHED, language: str = "en", kind: SourceKind = SourceKind.MEDIA
) -> Article:
    moment = datetime.fromisoformat(published)
    return Article(
        id="test-1",
        url=None,
        title=title,
        summary=summary,
        body=body,
        language=language,
        published_at=moment,
        fetched_at=moment,
        sources=(ArticleSource(feed_url="test:", feed_name="Test Wire", kind=kind),),
    )


def figures_of(report: ExtractionReport) -> dict[str, float]:
    return {f.metric.value: f.value for f in report.figures}


@pytest.fixture
def read():
    """``read(title, body="", **kw)`` -> {metric: value} of the extracted report."""

    def run(title: str, body: str = "", **kwargs: object) -> dict[str, float]:
        return figures_of(extract(article(title, body, **kwargs)))  # type: ignore[arg-type]

    return run


@pytest.fixture
def read_work():
    """``read_work(title, body="", **kw)`` -> (report, Work): the report and what reading it cost."""

    def run(title: str, body: str = "", **kwargs: object) -> tuple[ExtractionReport, Work]:
        work = Work()
        return extract(article(title, body, **kwargs), work), work  # type: ignore[arg-type]

    return run


@pytest.fixture
def report():
    """``report(title, body="", **kw)`` -> the ExtractionReport of one article."""

    def run(title: str, body: str = "", **kwargs: object) -> ExtractionReport:
        return extract(article(title, body, **kwargs))  # type: ignore[arg-type]

    return run
