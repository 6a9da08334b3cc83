"""Attack-report extraction: article text in, figures with evidence out. Pure, no I/O."""

from streams.extract.articles import ArticleInputError, article_from_mapping
from streams.extract.explain import explain
from streams.extract.limits import Work
from streams.extract.report import EXTRACTOR_VERSION, extract

__all__ = ["EXTRACTOR_VERSION", "ArticleInputError", "Work", "article_from_mapping", "explain", "extract"]
