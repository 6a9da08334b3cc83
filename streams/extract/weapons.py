"""Weapon models named in a report and the counts stated for them.

Canonical names follow the Air Force dataset's ``model`` column where one
exists (shared/data/README.md), so events line up with the history backfill.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from streams.extract.numbers import Count

# canonical model -> folded spellings in en/uk/ru (Latin and Cyrillic "Kh"/"Х"/"X").
_MODELS: dict[str, str] = {
    "Shahed-136/131": r"shahed(?:-?13[16](?:/13[16])?)?|шахед\w*|geran\w*(?:-\d)?|геран\w*(?:-\d)?",
    "Gerbera": r"gerbera\w*|гербер\w*",
    "Iskander-M/KN-23": r"iskander-m(?:/kn-23)?|іскандер-м(?:/kn-23)?|искандер-м(?:/kn-23)?|kn-23",
    "Iskander-K": r"iskander-k|іскандер-к|искандер-к",
    "X-101/X-555": r"(?:kh|x|х)-(?:101|555)(?:/(?:kh|x|х)-?(?:101|555))?",
    "X-22": r"(?:kh|x|х)-22",
    "X-59/X-69": r"(?:kh|x|х)-(?:59|69)(?:/(?:kh|x|х)-?(?:59|69))?\w*",
    "X-31P": r"(?:kh|x|х)-31\w*",
    "Kalibr": r"kalibr\w*|калібр\w*|калибр\w*",
    "X-47 Kinzhal": r"kinzhal\w*|кинджал\w*|кинжал\w*|(?:kh|x|х)-47\w*",
    "Zircon": r"zircon\w*|циркон\w*",
    "S-300/S-400": r"(?:s|с)-[34]00(?:/(?:s|с)-?[34]00)?",
}
_MODEL = re.compile("(?<![\\w-])(?:" + "|".join(f"(?P<m{i}>{p})" for i, p in enumerate(_MODELS.values())) + ")")
_NAMES = list(_MODELS)
_NEAR = 48  # a count and the model it counts sit within a short noun phrase


class ModelMention(NamedTuple):
    model: str
    start: int
    end: int


# Substrings every spelling above contains, checked before the regex scan.
_STEMS = ("shahed", "шахед", "geran", "геран", "gerber", "гербер", "iskander", "іскандер", "искандер", "kn-23", "-101",
          "-555", "-22", "-59", "-69", "-31", "kalibr", "калібр", "калибр", "kinzhal", "кинджал", "кинжал", "-47",
          "zircon", "циркон", "-300", "-400")
_STEM = re.compile("|".join(map(re.escape, _STEMS)))


def find_models(low: str, start: int = 0, end: int | None = None) -> list[ModelMention]:
    end = len(low) if end is None else end
    if not _STEM.search(low, start, end):
        return []
    return [
        ModelMention(_NAMES[int((m.lastgroup or "m0")[1:])], m.start(), m.end())
        for m in _MODEL.finditer(low, start, end)
    ]


def count_for(mention: ModelMention, counts: list[Count], low: str) -> Count | None:
    """The count right before a model mention ("6 Iskander-M/KN-23", "539 ударними БпЛА типу Shahed")."""
    best: Count | None = None
    for count in counts:
        if count.end <= mention.start and mention.start - count.end <= _NEAR:
            between = low[count.end : mention.start]
            if not re.search(r"[,;:()]|\d", between):
                best = count
    return best
