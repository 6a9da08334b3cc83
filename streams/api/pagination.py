"""Cursor pagination of events, newest night first. Pure.

A cursor names the last event of a page by its sort key, so the next page
starts right after it however the table changed in between (no offsets that
shift when an event is added).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass

from tocsin.records import AttackEvent

SortKey = tuple[str, str, str]


def sort_key(event: AttackEvent) -> SortKey:
    return (event.window.night_of.isoformat(), event.updated_at.isoformat(), event.event_id)


def encode_cursor(key: SortKey) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> SortKey:
    """Raises ValueError on anything encode_cursor did not write."""
    try:
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("cursor: not a cursor this API gave out") from None
    if not (isinstance(key, list) and len(key) == 3 and all(isinstance(k, str) for k in key)):
        raise ValueError("cursor: not a cursor this API gave out")
    return (key[0], key[1], key[2])


@dataclass(frozen=True)
class Page:
    events: list[AttackEvent]
    next_cursor: str | None


def paginate(events: Iterable[AttackEvent], limit: int, after: SortKey | None = None) -> Page:
    """Up to ``limit`` events newest first, starting after the cursor's event."""
    ordered = sorted(events, key=sort_key, reverse=True)
    if after is not None:
        ordered = [e for e in ordered if sort_key(e) < after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return Page(page, encode_cursor(sort_key(page[-1])) if more and page else None)
