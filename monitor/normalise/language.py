"""The language of an item whose feed, source and entry declare none, guessed from its text.

py3langid (langid.py's maintained fork, its model inside the package: no download, no network):
a naive Bayes over byte n-grams, about half a millisecond for a few hundred characters. Only the
start of the text is read, and a guess below the confidence floor is no guess: a wrong language
would pick the wrong time zone and extraction rules, none picks the defaults.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

_SAMPLE_CHARS = 400
_MIN_CONFIDENCE = 0.3
_MIN_LETTERS = 12


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(*texts: str) -> str | None:
    """An ISO 639-1 code, or None when the text is too short or the guess too unsure."""
    sample = " ".join(t for t in texts if t)[:_SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < _MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(sample)
    return str(language) if confidence >= _MIN_CONFIDENCE else None
