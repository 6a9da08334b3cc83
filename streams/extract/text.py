"""Text preparation shared by every matcher: one lowercase form, same offsets.

All patterns run on the folded text so that no regex needs IGNORECASE and every
match offset is also an offset into the original field (evidence spans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each replacement is one character for one character, so offsets survive.
_FOLD = {
    "’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"',
    "‑": "-", "ё": "е", "Ё": "Е",
}
# str.translate walks every character in Python-level dict lookups; a regex
# substitution only pays for the few characters that need replacing.
_FOLDABLE = re.compile("[" + "".join(_FOLD) + "]")


def _replace(match: re.Match[str]) -> str:
    return _FOLD[match.group(0)]


def fold(text: str) -> str:
    """Lowercase with apostrophe/space variants unified, same length as ``text``."""
    folded = _FOLDABLE.sub(_replace, text)
    low = folded.lower()
    if len(low) == len(folded):
        return low
    # A handful of characters (e.g. "İ") lowercase to two code points.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


# A sentence ends at . ! ? followed by space and a capital/digit/quote, or at a
# blank line. Run on the unfolded text because the folded one has no capitals.
# One leading character class lets the scan skip ordinary characters quickly.
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=\n)\s*\n|(?<=[.!?])[\"')\]]?\s+(?=[\"'(«„“]?[A-ZА-ЯІЇЄҐ0-9]))")
# Clause boundaries inside a sentence; dashes are not boundaries because
# "268 – збито" puts the figure and its verb on either side of one.
_CLAUSE_END = re.compile(r",(?!\d)|[;:()\n]|\s-\s(?=[a-zа-яіїєґ])|\b(?:while|whereas|but|а також|але|тоді як|однак|однако|но)\b")


def sentences(text: str) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        # Keep the full stop inside its sentence; a blank line belongs to none.
        end = match.start() + (text[match.start()] != "\n")
        if end > start:
            spans.append(Span(start, end))
        start = match.end()
    if start < len(text):
        spans.append(Span(start, len(text)))
    return spans


def clause_starts(low: str, sentence: Span) -> list[int]:
    """Offsets (absolute) where each clause of ``sentence`` begins, ascending."""
    starts = [sentence.start]
    for match in _CLAUSE_END.finditer(low, sentence.start, sentence.end):
        starts.append(match.end())
    return starts
