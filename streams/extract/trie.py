"""Word lists compiled to prefix-factored regex alternations.

Python's ``re`` tries alternatives one by one; factoring shared prefixes keeps a
few hundred number words and month names cheap to scan over a 3 KB body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """A non-capturing regex matching exactly the given words (longest first)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return f"(?:{_render(trie)})"


def _render(node: dict[str, dict]) -> str:
    ends_here = "" in node
    branches = [re.escape(ch) + _render(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        # Optional tail: the longer word is tried first, the shorter one still matches.
        return f"(?:{body})?"
    return body
