"""The one rule for times written without a UTC offset, used by the poller and the extractor alike.

A zone-less time is read in the feed's configured ``timezone``; without one, in the default zone of
the source's language (Europe/Kyiv for Ukrainian and Russian: the outlets writing in them that
Tocsin follows report in Kyiv time); otherwise UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KYIV = ZoneInfo("Europe/Kyiv")
LANGUAGE_ZONES: dict[str, tzinfo] = {"uk": KYIV, "ru": KYIV}


@lru_cache(maxsize=256)
def zone_named(name: str) -> ZoneInfo:
    """An IANA zone; ValueError names the bad one (settings validate with it)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def zone_for(timezone: str | None, language: str | None) -> tzinfo:
    if timezone:
        return zone_named(timezone)
    primary = (language or "").split("-")[0].split("_")[0].lower()
    return LANGUAGE_ZONES.get(primary, UTC)


def aware(moment: datetime, timezone: str | None = None, language: str | None = None) -> datetime:
    """The moment itself if it carries an offset, else read by the rule above."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone_for(timezone, language))
