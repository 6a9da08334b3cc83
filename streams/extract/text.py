"""Text preparation shared by every matcher: one lowercase form, same offsets.

All patterns run on the folded text so that no regex needs IGNORECASE and every
match offset is also an offset into the original field (evidence spans).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import NamedTuple

from ahocorasick_rs import AhoCorasick

# Each replacement is one character for one character, so offsets survive.
_FOLD = {
    "’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"',
    "‑": "-", "ё": "е", "Ё": "Е",
}


def fold(text: str) -> str:
    """Lowercase with apostrophe/space variants unified, same length as ``text``."""
    # One C-level str.replace per character to fold beats a regex substitution that calls back into Python
    # for each (3x) and str.translate's per-character dict lookups. No replacement is itself replaced later.
    folded = text
    for variant, plain in _FOLD.items():
        folded = folded.replace(variant, plain)
    low = folded.lower()
    if len(low) == len(folded):
        return low
    # A handful of characters (e.g. "İ") lowercase to two code points.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)


class Span(NamedTuple):
    start: int
    end: int


# A sentence ends at . ! ? followed by space and a capital/digit/quote, or at a
# blank line. Run on the unfolded text because the folded one has no capitals.
# One leading character class lets the scan skip ordinary characters quickly.
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=\n)\s*\n|(?<=[.!?])[\"')\]]?\s+(?=[\"'(«„“]?[A-ZА-ЯІЇЄҐ0-9]))")
# Clause boundaries inside a sentence; dashes are not boundaries because
# "268 – збито" puts the figure and its verb on either side of one.
_CLAUSE_END = re.compile(r",(?!\d)|[;:()\n]|\s-\s(?=[a-zа-яіїєґ])|\b(?:while|whereas|but|а також|але|тоді як|однак|однако|но)\b")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]``, as absolute spans."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    for match in _SENTENCE_END.finditer(text, start, end):
        # Keep the full stop inside its sentence; a blank line belongs to none.
        stop = match.start() + (text[match.start()] != "\n")
        if stop > start:
            spans.append(Span(start, stop))
        start = match.end()
    if start < end:
        spans.append(Span(start, end))
    return spans


_BLANK_LINE = re.compile(r"\n[ \t\r]*\n\s*")


def hinted_sentences(text: str, hints: list[int]) -> Iterator[Span]:
    """The sentences of the paragraphs holding any of the ``hints`` offsets (ascending).

    Long pages are mostly paragraphs about something else: those are never split.
    """
    if not hints:
        return
    start, i = 0, 0
    for blank in (*_BLANK_LINE.finditer(text), None):
        end = blank.start() if blank else len(text)
        while i < len(hints) and hints[i] < start:
            i += 1
        if i < len(hints) and hints[i] < end:
            yield from sentences(text, start, end)
        if blank is None or i == len(hints):
            return
        start = blank.end()


def clause_starts(low: str, sentence: Span) -> list[int]:
    """Offsets (absolute) where each clause of ``sentence`` begins, ascending."""
    starts = [sentence.start]
    for match in _CLAUSE_END.finditer(low, sentence.start, sentence.end):
        starts.append(match.end())
    return starts


def at_word_start(low: str, pos: int) -> bool:
    """What ``(?<![\\w'])`` tests: no letter, digit, underscore or apostrophe right before ``pos``."""
    return not pos or not (low[pos - 1].isalnum() or low[pos - 1] in "_'")


_BY_START = itemgetter(1)


class WordScanner:
    """Where words of a fixed list start a word of folded text, found in one Aho-Corasick pass.

    ``re`` runs a ``(?<![\\w'])`` alternation at every character (30–110 ns each here); the automaton
    reports every occurrence in a few ns a character, and only the few at a word start are kept.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(words)
        self._automaton = AhoCorasick(list(self.words))

    def find(self, low: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
        """(word index, start, end) of every occurrence at a word start in ``low[start:end]``, by start."""
        found = self._automaton.find_matches_as_indexes(low[start:end] if start or end is not None else low, overlapping=True)
        at = [(i, begin + start, end + start) for i, begin, end in found if at_word_start(low, begin + start)]
        return sorted(at, key=_BY_START)


def matches_at(pattern: re.Pattern[str], low: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """What ``pattern.finditer(low)`` finds, when ``starts`` holds every offset where it can match."""
    found: list[re.Match[str]] = []
    taken = 0
    for start in sorted(starts):
        if start >= taken and (match := pattern.match(low, start)):
            found.append(match)
            taken = match.end()
    return found


class Phrases:
    """A word-start alternation of phrases, each a literal word and a regex rest, tried only where one of
    those words starts a word (a plain ``finditer`` of such alternations costs 30–70 ns a character)."""

    def __init__(self, phrases: Sequence[tuple[str, str]]) -> None:
        self.pattern = re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(word) + rest for word, rest in phrases) + ")")
        self._words = WordScanner(dict.fromkeys(word for word, _rest in phrases))

    def finditer(self, low: str) -> list[re.Match[str]]:
        return matches_at(self.pattern, low, {start for _word, start, _end in self._words.find(low)})
