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

# The parser behind re.compile: the one reader of regex syntax that cannot disagree with re.
from re import _constants as _sre, _parser as _sre_parser

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


_BY_START = itemgetter(1)


class WordScanner:
    """Where words of a fixed list start a word of folded text, found in one Aho-Corasick pass.

    ``re`` runs a ``(?<![\\w'])`` alternation at every character (30–110 ns each here); the automaton
    reports every occurrence in a few ns a character, and only the few at a word start are kept.
    """

    def __init__(self, words: Iterable[str], quoted: bool = False) -> None:
        self.words = tuple(words)
        self._automaton = AhoCorasick(list(self.words))
        # What ``(?<![\\w'])`` tests: no letter, digit, underscore or apostrophe right before. With ``quoted``
        # a word may also start right after an apostrophe (a quote, not a letter).
        self._not_before = "_" if quoted else "_'"

    def find(self, low: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
        """(word index, start, end) of every occurrence at a word start in ``low[start:end]``, by start."""
        text = low[start:end] if start or end is not None else low
        found = self._automaton.find_matches_as_indexes(text, overlapping=True)
        if not found:
            return found
        not_before = self._not_before
        at = [
            (i, begin + start, stop + start)
            for i, begin, stop in found
            if not (begin or start) or not ((ch := low[begin + start - 1]).isalnum() or ch in not_before)
        ]
        return sorted(at, key=_BY_START)


def alternation_of(phrases: Iterable[tuple[str, str]]) -> str:
    """The regex alternation of (leading literal word, regex rest) phrases, in order."""
    return "|".join(re.escape(word) + rest for word, rest in phrases)


def matches_at(
    pattern: re.Pattern[str], low: str, starts: Iterable[int], end: int | None = None
) -> list[re.Match[str]]:
    """What ``pattern.finditer(low, 0, end)`` finds, when ``starts`` holds every offset where it can match."""
    end = len(low) if end is None else end
    found: list[re.Match[str]] = []
    taken = 0
    for start in sorted(starts):
        if start >= taken and (match := pattern.match(low, start, end)):
            found.append(match)
            taken = match.end()
    return found


class Phrases:
    """A word-start alternation of phrases, each a literal word and a regex rest, tried only where one of
    ``words`` starts a word (a plain ``finditer`` of such alternations costs 30–70 ns a character). The caller
    finds the words, so that one automaton pass serves several lists."""

    def __init__(self, phrases: Sequence[tuple[str, str]]) -> None:
        self.pattern = re.compile(rf"(?<![\w'])(?:{alternation_of(phrases)})")
        self.words = tuple(dict.fromkeys(word for word, _rest in phrases))
        self._words = frozenset(self.words)

    def matches(self, low: str, found: Iterable[tuple[str, int]]) -> list[re.Match[str]]:
        """What ``pattern.finditer(low)`` finds, given (word, start) of every word-start occurrence of ``words``
        in ``low`` (others' words may be among them)."""
        return matches_at(self.pattern, low, {start for word, start in found if word in self._words})


_MAX_OPENINGS = 64  # per group: beyond this, stop lengthening the openings


def _openings(items: list[tuple[object, object]]) -> tuple[set[str], bool]:
    """The literal strings every match of a parsed regex sequence starts with, and whether they are all of it."""
    openings = {""}
    for op, arg in items:
        if op is _sre.LITERAL:
            openings = {o + chr(arg) for o in openings}  # type: ignore[call-overload]
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width: opens nothing
        elif op is _sre.IN and all(kind is _sre.LITERAL for kind, _ in arg):  # type: ignore[attr-defined]
            openings = {o + chr(ch) for o in openings for _, ch in arg}  # type: ignore[attr-defined]
        elif op in (_sre.SUBPATTERN, _sre.BRANCH):
            alternatives = [arg[3]] if op is _sre.SUBPATTERN else arg[1]  # type: ignore[index]
            parts = [_openings(list(alternative)) for alternative in alternatives]
            openings = {o + p for o in openings for part, _ in parts for p in part}
            if not all(whole for _, whole in parts):
                return openings, False
        else:
            return openings, False
        if len(openings) > _MAX_OPENINGS:
            return openings, False
    return openings, True


_WORD_START = "(?<![\\w'])"


class WordStartPattern:
    """A ``(?<![\\w'])`` alternation tried only where one of its literal openings (read off the pattern
    itself, so they cannot drift from it) starts a word: the same matches as ``finditer``."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        if not pattern.pattern.startswith(_WORD_START) or pattern.flags & re.IGNORECASE:
            raise ValueError(f"{pattern.pattern!r} must open with {_WORD_START} and be case-sensitive")
        openings, _whole = _openings(list(_sre_parser.parse(pattern.pattern)))
        if "" in openings:
            raise ValueError(f"some branch of {pattern.pattern!r} opens with no literal text")
        self.pattern = pattern
        self._words = WordScanner(sorted(openings))

    def finditer(self, low: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
        return matches_at(self.pattern, low, {at for _word, at, _end in self._words.find(low, start, end)}, end)
