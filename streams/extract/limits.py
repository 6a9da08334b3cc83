"""Bounds on what one article can cost the extractor, and the tally of where they cut in.

The sentence reader pairs counts with the counts, verbs and nouns around them, so its cost grows with the
square of a sentence's counts. Real sentences hold a handful; a hostile one ("500 drones 500 drones …")
thousands. Past these caps the text is read more cheaply (an overlong sentence as pieces, only the first
counts of a crowded piece, no more sentences once an article has given enough candidates), which keeps
the whole read linear in the article's length. The caller can pass a ``Work`` to see whether that happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Real sentences stay well under these (a long wire sentence is ~400 characters and under ten counts).
MAX_SENTENCE_CHARS = 600
MAX_COUNTS_PER_SENTENCE = 32
MAX_CANDIDATES_PER_ARTICLE = 400
# A long live blog holds a few hundred counts; past this many, no further sentence is read.
MAX_COUNTS_PER_ARTICLE = 800
# Characters of one field read at all: a news page is a few KB; a 1 MB "article" is read as its first part.
MAX_FIELD_CHARS = 120_000


@dataclass(slots=True)
class Work:
    """What one extraction read, and how often a cap made it read less (a plain counter for the caller's metric)."""

    sentences: int = 0
    counts: int = 0
    split_sentences: int = 0  # sentences over MAX_SENTENCE_CHARS, read as pieces
    dropped_counts: int = 0  # counts past MAX_COUNTS_PER_SENTENCE, not read
    skipped_sentences: int = 0  # sentences after MAX_CANDIDATES_PER_ARTICLE or MAX_COUNTS_PER_ARTICLE, not read
    truncated_fields: int = 0  # fields over MAX_FIELD_CHARS, read up to it
    # Filled only when the caller asks (``notes=[]``, as ``explain`` does): every count read, as figures.Note.
    notes: list[Any] | None = None
    gate: str | None = None  # why the article was set aside as no attack report before or after the full read

    @property
    def capped(self) -> bool:
        """Some cap cut in: the report may miss a figure the text states."""
        return bool(self.split_sentences or self.dropped_counts or self.skipped_sentences or self.truncated_fields)
