"""One item of a feed, as every format's reader gives it."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Protocol


class FeedEntry(NamedTuple):
    """Text fields are HTML. ``published`` is naive when the feed wrote no offset. A named tuple, not a
    frozen dataclass: one is built for every item of every changed document, and a frozen
    dataclass's __init__ (an object.__setattr__ per field) cost three times as much."""

    guid: str | None
    link: str | None
    title: str
    summary_html: str
    content_html: str
    published: datetime | None
    language: str | None


class Entry(Protocol):
    """What the normaliser reads of an entry: a FeedEntry, or an item read on demand (xmlfeed.py)."""

    @property
    def guid(self) -> str | None: ...
    @property
    def link(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def summary_html(self) -> str: ...
    @property
    def content_html(self) -> str: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def language(self) -> str | None: ...
