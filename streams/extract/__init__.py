"""Attack-report extraction: article text in, figures with evidence out. Pure, no I/O."""

from streams.extract.limits import Work
from streams.extract.report import EXTRACTOR_VERSION, extract

__all__ = ["EXTRACTOR_VERSION", "Work", "extract"]
